package io.jrump.tools;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.BufferConsole;
import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.Cred;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.rumpclient.RumpClient;
import io.jrump.sysproxy.CredPolicy;
import io.jrump.sysproxy.RumpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fs-utils programs against a kernel in this JVM, directly and through a server: output and exit status. */
class FsToolsTest {
    private Kernel k;
    private Syscalls sys;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void boot() throws Exception {
        k = Kernel.boot(KernelConfig.builder().hostname("fs").ncpu(1).component("rumpvfs")
                .hypercall(HostHypercall.builder().environment(Map.of()).console(new BufferConsole()).build()).build());
        sys = k.syscalls();
    }

    @AfterEach
    void halt() {
        assertTrue(k.halt().clean());
    }

    private int run(String tool, Syscalls s, String... args) {
        out.reset();
        err.reset();
        return Main.run(Main.tools().get(tool), s, args, new PrintStream(out, true), new PrintStream(err, true));
    }

    private int run(String tool, String... args) {
        return run(tool, sys, args);
    }

    @Test
    void copyMoveLinkAndBackToTheHostByteExact(@TempDir Path dir) throws Exception {
        byte[] data = new byte[700_000];
        new Random(3).nextBytes(data);
        Path in = dir.resolve("in");
        Files.write(in, data);
        assertEquals(0, run("mkdir", "-p", "/tmp/a/b"));
        assertEquals(0, run("mkdir", "-p", "/tmp/a/b"), "-p accepts what exists");
        assertEquals(1, run("mkdir", "/tmp/a"));
        assertEquals("rump.mkdir: /tmp/a: File exists\n", err.toString());
        assertEquals(0, run("cp", "host:" + in, "/tmp/a/b/f1"));
        assertEquals(0, run("mv", "/tmp/a/b/f1", "/tmp/a/f2"));
        assertEquals(0, run("ln", "/tmp/a/f2", "/tmp/a/f3"));
        assertEquals(0, run("ln", "-s", "/tmp/a/f3", "/tmp/a/s"));
        assertEquals(0, run("cp", "/tmp/a/s", "host:" + dir.resolve("out")));
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("out")));
        assertEquals(0, run("cp", "/tmp/a/f2", "/tmp/a/b"));
        assertEquals(0, run("cat", "/tmp/a/b/f2"));
        assertArrayEquals(data, out.toByteArray());
        assertEquals(0, run("stat", "/tmp/a/f2"));
        assertTrue(out().matches("(?s).*Links: 2\\b.*"), out());
        assertTrue(out().contains("Mode: (0644/-rw-r--r--)"), out());
    }

    @Test
    void lsListsNamesLongFormAndRecursively() throws Exception {
        run("mkdir", "-p", "/tmp/d/sub");
        run("touch", "/tmp/d/f", "/tmp/d/.hidden", "/tmp/d/sub/g");
        run("ln", "-s", "f", "/tmp/d/s");
        assertEquals(0, run("ls", "/tmp/d"));
        assertEquals("f\ns\nsub\n", out());
        assertEquals(0, run("ls", "-a", "/tmp/d"));
        assertEquals(".\n..\n.hidden\nf\ns\nsub\n", out());
        assertEquals(0, run("ls", "-l", "/tmp/d"));
        String[] lines = out().split("\n");
        assertTrue(lines[0].startsWith("total "), out());
        assertTrue(lines[1].matches("-rw-r--r-- +1 root +wheel +0 .* f"), lines[1]);
        assertTrue(lines[2].matches("lrwxr-xr-x +1 root +wheel +1 .* s -> f"), lines[2]);
        assertTrue(lines[3].matches("drwxr-xr-x +2 root +wheel .* sub"), lines[3]);
        assertEquals(0, run("ls", "-R", "/tmp/d"));
        assertEquals("/tmp/d:\nf\ns\nsub\n\n/tmp/d/sub:\ng\n", out());
        assertEquals(1, run("ls", "/tmp/nonesuch"));
        assertEquals("rump.ls: /tmp/nonesuch: No such file or directory\n", err.toString());
    }

    @Test
    void rmChmodChownTouchAndErrors() throws Exception {
        run("mkdir", "-p", "/tmp/r/x/y");
        run("touch", "/tmp/r/x/y/z", "/tmp/r/f");
        assertEquals(1, run("rm", "/tmp/r/x"));
        assertEquals(0, run("rm", "-r", "/tmp/r/x"));
        assertEquals(1, run("ls", "/tmp/r/x"));
        assertEquals(0, run("chmod", "600", "/tmp/r/f"));
        assertEquals(0600, sys.stat("/tmp/r/f").mode() & 07777);
        assertEquals(0, run("chown", "1000:1000", "/tmp/r/f"));
        assertEquals(1000, sys.stat("/tmp/r/f").uid());
        assertEquals(1, run("cat", "/tmp/r/none"));
        assertEquals("rump.cat: /tmp/r/none: No such file or directory\n", err.toString());
        assertEquals(0, run("rm", "/tmp/r/f"));
        assertEquals(1, run("rm", "/tmp/r/f"));
        assertEquals(0, run("rm", "-f", "/tmp/r/f"));
    }

    @Test
    void mountUmountAndDf() throws Exception {
        run("mkdir", "/tmp/m");
        assertEquals(0, run("mount", "-t", "rumpfs", "rumpfs", "/tmp/m"), "out=" + out + " err=" + err);
        assertEquals(0, run("mount"));
        assertTrue(out().contains(" on /tmp/m type rumpfs"), out());
        assertEquals(0, run("df"));
        assertTrue(out().startsWith("Filesystem"), out());
        assertTrue(out().contains("/tmp/m\n"), out());
        assertEquals(0, run("umount", "/tmp/m"), err.toString());
        assertEquals(0, run("mount"));
        assertFalse(out().contains("/tmp/m"), out());
    }

    @Test
    void anUnprivilegedRemoteClientIsRefusedARootFileOfMode0600(@TempDir Path dir) throws Exception {
        run("touch", "/tmp/secret");
        run("chmod", "600", "/tmp/secret");
        try (RumpServer s = RumpServer.builder(k).url("unix://" + dir.resolve("sock"))
                .credPolicy(CredPolicy.everyone(new Cred(1000, 1000, new int[0]))).start();
             RumpClient c = RumpClient.connect(s.url(), "rump.cat")) {
            assertEquals(1, run("cat", c, "/tmp/secret"));
            assertEquals("rump.cat: /tmp/secret: Permission denied\n", err.toString());
            assertEquals(0, run("stat", c, "/tmp/secret"));
            assertTrue(out().contains("Links: 1"), out());
        }
    }

    private String out() {
        return out.toString();
    }
}
