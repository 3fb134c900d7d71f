package io.jrump.tools;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.BufferConsole;
import io.jrump.hypercall.HostHypercall;
import io.jrump.hypercall.ManualClock;
import io.jrump.hypercall.SeededRandom;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.netinet.Inet;
import io.jrump.rumpclient.RumpClient;
import io.jrump.sysproxy.RumpServer;
import io.jrump.testkit.Probes;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code netstat -an} and {@code sockstat} on tables far larger than one text reply could carry: 100,000
 * sockets, and 100,000 vestigial TIME_WAIT entries. Each tool runs in process and through a rump server,
 * prints one line per entry, and prints the same both ways.
 */
class LargeTablesTest {
    private static final int N = 100_000;
    private static final String HEAD = "Active Internet connections (including servers)\n"
            + "Proto Recv-Q Send-Q  Local Address          Foreign Address        State\n";

    /** A kernel on a manual clock, so nothing expires while the table is built and read. */
    private static Kernel boot() throws Exception {
        return Kernel.boot(KernelConfig.builder().hostname("busy").ncpu(1).memoryLimit(8L << 30)
                .component("rumpnet_netinet").hypercall(HostHypercall.builder().environment(Map.of())
                        .clock(new ManualClock()).random(new SeededRandom(15)).console(new BufferConsole()).build())
                .build());
    }

    private static String run(Tool t, Syscalls sys, String... args) {
        return new TcpNet.Run(t, sys, args).ok().out;
    }

    private static long lines(String s) {
        return s.chars().filter(c -> c == '\n').count();
    }

    /** What the tool prints in process, then what it prints as a remote client of {@code k}. */
    private static String[] bothWays(Kernel k, Path dir, Tool t, String... args) throws Exception {
        String local = run(t, k.syscalls(), args);
        try (RumpServer server = RumpServer.start(k, "unix://" + dir.resolve("sock"));
             RumpClient client = RumpClient.connect(server.url(), "rump." + t.name())) {
            return new String[] {local, run(t, client, args)};
        }
    }

    @Test
    void hundredThousandSockets(@TempDir Path dir) throws Exception {
        Kernel k = boot();
        try {
            // 100 worker processes with 1,000 UDP sockets each; half of each one's are bound
            for (int p = 0; p < 100; p++) {
                Syscalls s = k.newProcess("worker " + p, Cred.ROOT).syscalls();
                for (int i = 0; i < 1000; i++) {
                    int fd = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
                    if (i < 500) {
                        s.bind(fd, SockAddr.in("0.0.0.0", 10000 + p * 500 + i));
                    }
                }
            }
            String[] netstat = bothWays(k, dir, new Netstat(), "-an");
            assertEquals(netstat[0], netstat[1], "netstat prints the same in process and remotely");
            assertTrue(netstat[0].startsWith(HEAD), netstat[0].substring(0, 200));
            assertEquals(N + 2, lines(netstat[0]));
            assertTrue(netstat[0].contains("\nudp        0      0  *.10000                *.*\n"));
            assertTrue(netstat[0].contains("\nudp        0      0  *.59999                *.*\n"));
            assertEquals(N / 2, netstat[0].split("\nudp        0      0  \\*\\.\\*  ", -1).length - 1,
                    "the unbound half");

            String[] sockstat = bothWays(k, dir, new Sockstat(), "-n");
            assertEquals(sockstat[0], sockstat[1], "sockstat prints the same in process and remotely");
            assertEquals(N + 1, lines(sockstat[0]));
            Proc w7 = k.procs().stream().filter(p -> p.name().equals("worker 7")).findFirst().orElseThrow();
            assertTrue(sockstat[0].contains(String.format("%n%-8s %-10s %5d %3d %-6s %-21s %-21s %6s%n", "root", "worker_7",
                    w7.pid(), 0, "udp4", "*:13500", "*:*", "0")), "worker 7's first socket");
        } finally {
            HaltReport h = k.halt();
            assertTrue(h.clean(), h.toString());
        }
    }

    @Test
    void hundredThousandVestigialTimeWaitEntries(@TempDir Path dir) throws Exception {
        Kernel k = boot();
        try {
            Syscalls s = k.syscalls();
            s.sysctlWrite("net.inet.tcp.vtw.entries", "131072");
            int ports = 8;
            int[] listeners = new int[ports];
            for (int i = 0; i < ports; i++) {
                listeners[i] = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
                s.bind(listeners[i], SockAddr.in("127.0.0.1", 5000 + i));
                s.listen(listeners[i], 128);
            }
            ByteBuffer eof = ByteBuffer.allocate(16);
            for (int i = 0; i < N; i++) {
                serverClosesFirst(s, listeners[i / (N / ports)], 5000 + i / (N / ports), 20000 + i % (N / ports), eof);
            }
            var tcp = k.service(Inet.class).tcp();
            Probes.await("every connection's vestigial TIME_WAIT entry", () -> tcp.vestigialCount() >= N);
            assertEquals(N, tcp.vestigialCount(), "every connection left a vestigial entry");

            String[] netstat = bothWays(k, dir, new Netstat(), "-an", "-p", "tcp");
            assertEquals(netstat[0], netstat[1], "netstat prints the same in process and remotely");
            assertEquals(N + ports + 2, lines(netstat[0]));
            assertTrue(netstat[0].startsWith(HEAD + "tcp        0      0  127.0.0.1.5000         *.*                    LISTEN\n"),
                    netstat[0].substring(0, 400));
            assertTrue(netstat[0].contains("\ntcp        0      0  127.0.0.1.5000         127.0.0.1.20000        TIME_WAIT\n"));
            assertTrue(netstat[0].contains("\ntcp        0      0  127.0.0.1.5007         127.0.0.1.32499        TIME_WAIT\n"));
            assertEquals(N, netstat[0].split(" TIME_WAIT\n", -1).length - 1);

            String[] sockstat = bothWays(k, dir, new Sockstat());
            assertEquals(sockstat[0], sockstat[1]);
            assertEquals(ports + 1, lines(sockstat[0]), "vestigial entries are not sockets: the listeners only");
            for (int l : listeners) {
                s.close(l);
            }
        } finally {
            HaltReport h = k.halt();
            assertTrue(h.clean(), h.toString());
        }
    }

    /**
     * One loopback connection from {@code cport} that the server closes first, so that its end waits in
     * TIME_WAIT (as a vestigial entry) and the client's is gone.
     */
    private static void serverClosesFirst(Syscalls s, int listener, int sport, int cport, ByteBuffer eof)
            throws ErrnoException {
        int c = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
        s.bind(c, SockAddr.in("127.0.0.1", cport));
        s.connect(c, SockAddr.in("127.0.0.1", sport));
        s.close(s.accept(listener, null));
        eof.clear();
        assertEquals(0, s.read(c, eof), "the server's FIN");
        s.close(c);
    }
}
