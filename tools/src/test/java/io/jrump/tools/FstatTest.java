package io.jrump.tools;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.kern.Cred;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.rumpclient.RumpClient;
import io.jrump.sysproxy.CredPolicy;
import io.jrump.sysproxy.RumpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rump.fstat} lists every process's open files and sockets, the same in process and remotely. */
class FstatTest {
    private static String run(Syscalls sys, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Main.run(new Fstat(), sys, args, new PrintStream(out, true), new PrintStream(err, true));
        assertEquals(0, rc, err.toString());
        return out.toString();
    }

    private static String line(String user, String cmd, int pid, Object fd, String mount, long inum, String mode,
                               String szdv, String rw) {
        return String.format("%-8s %-10s %5s %4s %-10s %6s %-11s %6s %-3s%n", user, cmd, pid, fd, mount, inum, mode,
                szdv, rw);
    }

    @Test
    void filesDevicesAndSocketsOfEveryProcess(@TempDir Path dir) throws Exception {
        Kernel k = Kernel.boot(KernelConfig.builder().component("rumpvfs").component("rumpnet_netinet").build());
        try {
            Proc editor = k.newProcess("editor", new Cred(1000, 1000, new int[0]));
            Syscalls e = editor.syscalls();
            int f = e.open("/tmp/notes", Fcntl.O_RDWR | Fcntl.O_CREAT, 0640);
            e.write(f, ByteBuffer.wrap("twelve bytes".getBytes()));
            int n = e.open("/dev/null", Fcntl.O_WRONLY, 0);
            int d = e.open("/tmp", Fcntl.O_RDONLY, 0);
            Proc daemon = k.newProcess("named", Cred.ROOT);
            int s = daemon.syscalls().socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            daemon.syscalls().bind(s, SockAddr.in("0.0.0.0", 5353));
            e.chdir("/tmp");
            long notesIno = e.fstat(f).ino();
            long tmpIno = e.fstat(d).ino();

            String local = run(k.syscalls());
            assertTrue(local.startsWith(String.format("%-8s %-10s %5s %4s %-10s %6s %-11s %6s %-3s%n", "USER", "CMD",
                    "PID", "FD", "MOUNT", "INUM", "MODE", "SZ|DV", "R/W")), local);
            assertTrue(local.contains(line("1000", "editor", editor.pid(), f, "/", notesIno, "-rw-r-----", "12", "rw")),
                    local);
            assertTrue(local.contains(line("1000", "editor", editor.pid(), n, "/", e.stat("/dev/null").ino(),
                    "crw-rw-rw-", "2,2", "w")), local);
            assertTrue(local.contains(line("1000", "editor", editor.pid(), d, "/", tmpIno, "drwxrwxrwt",
                    Long.toString(e.fstat(d).size()), "r")), local);
            assertTrue(local.contains(String.format("%-8s %-10s %5d %4s %s%n", "root", "named", daemon.pid(), s + "*",
                    "internet dgram udp *:5353")), local);

            assertTrue(local.contains(line("1000", "editor", editor.pid(), "wd", "/", tmpIno, "drwxrwxrwt",
                    Long.toString(e.fstat(d).size()), "r")), "the current directory: " + local);
            assertFalse(local.contains(" root "), "nobody changed root: " + local);

            String mine = run(k.syscalls(), "-p", Integer.toString(editor.pid()), "-n");
            assertEquals(5, mine.split("\n").length, "the header, the editor's directory and three files: " + mine);
            assertTrue(mine.contains(" 100640 "), "-n: the mode in octal: " + mine);

            try (RumpServer srv = RumpServer.builder(k).url("unix://" + dir.resolve("sock"))
                    .credPolicy(CredPolicy.everyone(Cred.ROOT)).start();
                 RumpClient c = RumpClient.connect(srv.url(), "rump.fstat")) {
                String remote = run(c, "-u", "1000");
                assertEquals(run(k.syscalls(), "-u", "1000"), remote, "the same table remotely");
                assertEquals(5, remote.split("\n").length, remote);
            }
            e.close(f);
            assertFalse(run(k.syscalls()).contains("-rw-r-----"), "a closed file is gone from the list");
            Syscalls named = daemon.syscalls();
            named.mkdir("/tmp/jail", 0755);
            long jailIno = named.stat("/tmp/jail").ino();
            named.chroot("/tmp/jail");
            long jailSize = named.stat("/").size();
            String jailed = run(k.syscalls(), "-p", Integer.toString(daemon.pid()));
            assertTrue(jailed.contains(line("root", "named", daemon.pid(), "root", "/", jailIno, "drwxr-xr-x",
                    Long.toString(jailSize), "r")), "a changed root is listed: " + jailed);
        } finally {
            HaltReport h = k.halt();
            assertTrue(h.clean(), h.toString());
        }
    }
}
