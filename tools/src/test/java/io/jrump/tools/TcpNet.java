package io.jrump.tools;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.BufferConsole;
import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.testkit.Probes;
import io.jrump.virtif.EtherIfs;
import io.jrump.virtif.Hub;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * Two kernels on one hub, a at 198.18.0.1 and b at 198.18.0.2, for the tests that run the tools
 * against live TCP connections; and the running of a tool with its output captured.
 */
final class TcpNet implements AutoCloseable {
    final Kernel a;
    final Kernel b;

    TcpNet() throws Exception {
        a = boot("a");
        b = boot("b");
        Hub hub = new Hub("h");
        EtherIfs.attach(a, "shmif0", hub.attach(), 1500);
        EtherIfs.attach(b, "shmif0", hub.attach(), 1500);
        new Run(new Ifconfig(), a.syscalls(), "shmif0", "inet", "198.18.0.1/24", "up").ok();
        new Run(new Ifconfig(), b.syscalls(), "shmif0", "inet", "198.18.0.2/24", "up").ok();
    }

    private static Kernel boot(String name) throws Exception {
        return Kernel.boot(KernelConfig.builder().hostname(name).ncpu(1).component("rumpnet_netinet", "rumpnet_shmif")
                .hypercall(HostHypercall.builder().environment(Map.of()).console(new BufferConsole()).build()).build());
    }

    /** Waits until {@code k}'s TCP table has a line containing every one of {@code parts}, and returns it. */
    static String awaitPcb(Kernel k, String... parts) throws Exception {
        return Probes.awaitValue("a pcb with " + String.join(" ", parts), () -> {
            for (String line : k.syscalls().sysctlRead("net.inet.tcp.pcblist").split("\n")) {
                boolean all = true;
                for (String p : parts) {
                    all &= (" " + line + " ").contains(" " + p + " ");
                }
                if (all) {
                    return line;
                }
            }
            return null;
        });
    }

    static int listen(Syscalls s, int port) throws ErrnoException {
        int l = s.socket(io.jrump.kern.syscall.SocketDefs.AF_INET, io.jrump.kern.syscall.SocketDefs.SOCK_STREAM, 0);
        s.bind(l, io.jrump.kern.syscall.SockAddr.in("0.0.0.0", port));
        s.listen(l, 5);
        return l;
    }

    @Override
    public void close() {
        assertTrue(a.halt().clean());
        assertTrue(b.halt().clean());
    }

    /** One run of a tool: its exit status and what it printed. */
    static final class Run {
        final int status;
        final String out;
        final String err;

        Run(Tool t, Syscalls sys, String... args) {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            ByteArrayOutputStream e = new ByteArrayOutputStream();
            status = Main.run(t, sys, args, new PrintStream(o, true), new PrintStream(e, true));
            out = o.toString();
            err = e.toString();
        }

        Run ok() {
            if (status != 0) {
                throw new AssertionError("exit " + status + ": " + err + out);
            }
            return this;
        }
    }
}
