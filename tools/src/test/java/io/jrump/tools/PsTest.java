package io.jrump.tools;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.BufferConsole;
import io.jrump.hypercall.HostHypercall;
import io.jrump.hypercall.ManualClock;
import io.jrump.kern.Cred;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.sched.Priority;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.rumpclient.RumpClient;
import io.jrump.sysproxy.CredPolicy;
import io.jrump.sysproxy.RumpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rump.ps} lists every process with its lwps, priority, nice, estcpu, CPU time and the protocol part
 * of it, the same in process and remotely. The times are charged by the test, so the columns are known; a
 * manual clock keeps the once-a-second decay from changing them meanwhile.
 */
class PsTest {
    private static final long TICK = 10_000_000L;

    private static String run(Syscalls sys, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Main.run(new Ps(), sys, args, new PrintStream(out, true), new PrintStream(err, true));
        assertEquals(0, rc, err.toString());
        return out.toString();
    }

    private static String row(Object... cols) {
        return String.format(Ps.FORMAT, cols);
    }

    @Test
    void everyProcessWithItsSchedulingStateAndCpuTime(@TempDir Path dir) throws Exception {
        Kernel k = Kernel.boot(KernelConfig.builder().ncpu(1).hz(100).hostname("ps")
                .hypercall(HostHypercall.builder().environment(Map.of()).clock(new ManualClock())
                        .console(new BufferConsole()).build())
                .component("rumpnet_netinet").build());
        try {
            Proc server = k.newProcess("udpserver", new Cred(1000, 1000, new int[0]));
            server.setNice(4);
            server.charge(Proc.USER, 6_000 * TICK);      // 1:00.00 in user mode
            server.chargeProto(2_345 * TICK);            // 0:23.45 of protocol processing
            Proc idle = k.newProcess("idle", Cred.ROOT);
            idle.newLwp("a");
            idle.newLwp("b");

            String all = run(k.syscalls());
            String[] lines = all.split("\n");
            assertEquals(row("UID", "PID", "PPID", "NLWP", "CPU", "PRI", "NI", "TIME", "PROTO", "COMMAND"),
                    lines[0] + "\n");
            int est = Priority.ESTCPU_MAX;
            assertTrue(all.contains(row(1000, server.pid(), 1, 0, est, Priority.user(est, 4), 4, "1:23.45",
                    "0:23.45", "udpserver")), all);
            assertTrue(all.contains(row(0, idle.pid(), 1, 2, 0, Priority.PUSER, 0, "0:00.00", "0:00.00", "idle")), all);
            assertTrue(all.contains(row(0, 0, 0, k.proc0().lwpCount(), 0, Priority.KERNEL, 0,
                    Ps.time(k.proc0().cpuNanos()), "0:00.00", "system")), all);
            assertTrue(lines[1].contains(" system"), "by pid, the kernel's own first: " + all);

            String mine = run(k.syscalls(), "-U", "1000");
            assertEquals(2, mine.split("\n").length, mine);
            assertEquals(2, run(k.syscalls(), "-p", Integer.toString(idle.pid())).split("\n").length);

            try (RumpServer srv = RumpServer.builder(k).url("unix://" + dir.resolve("sock"))
                    .credPolicy(CredPolicy.everyone(Cred.ROOT)).start();
                 RumpClient c = RumpClient.connect(srv.url(), "rump.ps")) {
                String remote = run(c, "-U", "1000");
                assertEquals(mine, remote, "the same table remotely");
                assertTrue(run(c).contains(" rump.ps"), "the remote client is a process of its own: " + run(c));
            }
            assertTrue(k.sysctl().read("kern.proc.all").contains(" udpserver"), "a text read, one line each");
        } finally {
            HaltReport h = k.halt();
            assertTrue(h.clean(), h.toString());
        }
    }

    @Test
    void badOptionsAreRefused() throws Exception {
        Kernel k = Kernel.boot(KernelConfig.builder().ncpu(1).build());
        try {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertEquals(1, Main.run(new Ps(), k.syscalls(), new String[] {"-p", "x"}, new PrintStream(
                    new ByteArrayOutputStream()), new PrintStream(err, true)));
            assertTrue(err.toString().contains("not a number: x"), err.toString());
        } finally {
            k.halt();
        }
    }
}
