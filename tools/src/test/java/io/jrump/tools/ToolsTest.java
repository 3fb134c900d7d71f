package io.jrump.tools;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.BufferConsole;
import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.testkit.Probes;
import io.jrump.virtif.EtherIfs;
import io.jrump.virtif.Hub;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The rump.* programs against kernels in this JVM: what they print and what they change. */
class ToolsTest {
    private Kernel a;
    private Kernel b;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private static Kernel boot(String name) throws Exception {
        return Kernel.boot(KernelConfig.builder().hostname(name).ncpu(1).component("rumpnet_netinet", "rumpnet_shmif")
                .hypercall(HostHypercall.builder().environment(Map.of()).console(new BufferConsole()).build()).build());
    }

    @BeforeEach
    void net() throws Exception {
        a = boot("a");
        b = boot("b");
        Hub hub = new Hub("h");
        EtherIfs.attach(a, "shmif0", hub.attach(), 1500);
        EtherIfs.attach(b, "shmif0", hub.attach(), 1500);
    }

    @AfterEach
    void halt() {
        assertTrue(a.halt().clean());
        assertTrue(b.halt().clean());
    }

    private int run(Tool t, Syscalls sys, String... args) {
        out.reset();
        err.reset();
        return Main.run(t, sys, args, new PrintStream(out, true), new PrintStream(err, true));
    }

    private String out() {
        return out.toString();
    }

    @Test
    void ifconfigConfiguresAndListsLikeNetbsd() {
        assertEquals(0, run(new Ifconfig(), a.syscalls(), "shmif0", "inet", "198.18.0.1/24", "up"));
        assertEquals(0, run(new Ifconfig(), a.syscalls(), "shmif0"));
        assertTrue(out().startsWith("shmif0: flags=0x8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> mtu 1500"), out());
        assertTrue(out().contains("\tinet 198.18.0.1/24 broadcast 198.18.0.255"), out());
        assertEquals(0, run(new Ifconfig(), a.syscalls(), "-a"));
        assertTrue(out().contains("lo0: flags=0x8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 33184"), out());
        assertTrue(out().contains("\tinet 127.0.0.1/8"), out());
        assertEquals(0, run(new Ifconfig(), a.syscalls(), "shmif0", "mtu", "1400"));
        assertEquals(0, run(new Ifconfig(), a.syscalls(), "shmif0", "delete", "198.18.0.1"));
        assertEquals(0, run(new Ifconfig(), a.syscalls(), "shmif0"));
        assertFalse(out().contains("inet 198.18.0.1"), out());
        assertTrue(out().contains("mtu 1400"), out());
        assertEquals(1, run(new Ifconfig(), a.syscalls(), "shmif0", "inet", "300.1.2.3/24"));
        assertTrue(err.toString().startsWith("rump.ifconfig: bad address '300.1.2.3'"), err.toString());
        assertEquals(1, run(new Ifconfig(), a.syscalls(), "nosuch0", "up"));
        assertTrue(err.toString().contains("no interface nosuch0"), err.toString());
        assertEquals(1, run(new Ifconfig(), a.syscalls(), "-x"));
        assertTrue(err.toString().contains("usage: rump.ifconfig"), err.toString());
        assertEquals(1, run(new Ifconfig(), a.syscalls(), "shmif0", "-tso4"));
        assertTrue(err.toString().contains("shmif0: no tso4 capability"), err.toString());
    }

    /**
     * DART's if_sockbuf (seed 002): {@code sockbuf 4m} on the server's interface gives the socket accepted
     * from it a 4 MB receive buffer, past kern.sbmax, with no setsockopt; {@code -v} shows the quota.
     */
    @Test
    void ifconfigSockbufRaisesTheBuffersOfConnectionsThroughTheInterface() throws Exception {
        assertEquals(0, run(new Ifconfig(), a.syscalls(), "shmif0", "inet", "198.18.0.1/24", "up"));
        assertEquals(0, run(new Ifconfig(), b.syscalls(), "shmif0", "inet", "198.18.0.2/24", "up", "sockbuf", "4m"),
                err.toString());
        assertEquals(0, run(new Ifconfig(), b.syscalls(), "-v", "shmif0"));
        assertTrue(out().contains("\tsockbuf: 4m\n"), out());
        assertEquals(0, run(new Ifconfig(), a.syscalls(), "-v", "shmif0"));
        assertTrue(out().contains("\tsockbuf: none\n"), out());
        assertEquals(1, run(new Ifconfig(), b.syscalls(), "shmif0", "sockbuf", "lots"));
        assertTrue(err.toString().contains("'lots' is not a size"), err.toString());
        Syscalls sa = a.syscalls();
        Syscalls sb = b.syscalls();
        int l = sb.socket(io.jrump.kern.syscall.SocketDefs.AF_INET, io.jrump.kern.syscall.SocketDefs.SOCK_STREAM, 0);
        sb.bind(l, io.jrump.kern.syscall.SockAddr.in("198.18.0.2", 5001));
        sb.listen(l, 1);
        int c = sa.socket(io.jrump.kern.syscall.SocketDefs.AF_INET, io.jrump.kern.syscall.SocketDefs.SOCK_STREAM, 0);
        sa.connect(c, io.jrump.kern.syscall.SockAddr.in("198.18.0.2", 5001));
        int s = sb.accept(l, null);
        assertEquals(4 << 20, sb.getsockopt(s, io.jrump.kern.syscall.SocketDefs.SOL_SOCKET,
                io.jrump.kern.syscall.SocketDefs.SO_RCVBUF));
        assertEquals(0, run(new Ifconfig(), b.syscalls(), "shmif0", "sockbuf", "auto", "rate", "500mbit", "rtt", "40ms"),
                err.toString());
        assertEquals(0, run(new Ifconfig(), b.syscalls(), "-v", "shmif0"));
        assertTrue(out().contains("\tsockbuf: auto rate 500mbit rtt 40ms\n"), out());
        assertEquals(0, run(new Ifconfig(), b.syscalls(), "shmif0", "adaptermem", "16m", "minrate", "10mbit"),
                err.toString());
        assertEquals(0, run(new Ifconfig(), b.syscalls(), "-v", "shmif0"));
        assertTrue(out().contains("\tadaptermem: 16777216 bytes, 0 in use (peak 0)"), out());
        assertEquals(0, run(new Netstat(), b.syscalls(), "-m"));
        assertTrue(out().contains("shmif0 adapter memory: 16777216 bytes, 0 in use"), out());
        assertEquals(1, run(new Ifconfig(), b.syscalls(), "shmif0", "adaptermem", "1k"));
        assertTrue(err.toString().contains("adaptermem 1k: at least 16384 bytes"), err.toString());
        assertEquals(0, run(new Ifconfig(), b.syscalls(), "shmif0", "adaptermem", "off"));
        assertEquals(0, run(new Ifconfig(), b.syscalls(), "shmif0", "sockbuf", "off"));
        assertEquals(0, run(new Ifconfig(), b.syscalls(), "-v", "shmif0"));
        assertTrue(out().contains("\tsockbuf: none\n"), out());
        sa.close(c);
        sb.close(s);
        sb.close(l);
    }

    /** DART's if_buflen (seed 002): set by the hub's adapter, shown by -v, set with buflen, refused above what it takes. */
    @Test
    void ifconfigSetsAndShowsBuflen() {
        assertEquals(0, run(new Ifconfig(), a.syscalls(), "-v", "shmif0"));
        assertTrue(out().contains("\tbuflen 65536 (mtu 1500) segmented by the adapter\n"), out());
        assertTrue(out().contains("\toffload: tcp4csum tso4\n"), out());
        assertTrue(out().contains("\tsegmentation: 0 packets built at buflen"), out());
        assertEquals(0, run(new Ifconfig(), a.syscalls(), "shmif0", "buflen", "1500"));
        assertEquals(0, run(new Ifconfig(), a.syscalls(), "-v", "shmif0"));
        assertTrue(out().contains("\tbuflen 1500 (mtu 1500)"), out());
        assertEquals(0, run(new Ifconfig(), a.syscalls(), "shmif0"));
        assertFalse(out().contains("buflen"), "without -v: " + out());
        assertEquals(1, run(new Ifconfig(), a.syscalls(), "lo0", "buflen", "65536"));
        assertTrue(err.toString().contains("lo0 cannot segment"), err.toString());
        assertEquals(0, run(new Netstat(), a.syscalls(), "-s", "-p", "link"));
        assertTrue(out().startsWith("link:\n\t0 packets built at if_buflen handed to the adapter\n"), out());
    }

    @Test
    void tso4TurnsAVirtInterfacesOffloadOffAndOn() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.jrump.testkit.NetNs.unavailableReason() == null,
                () -> "skipped: " + io.jrump.testkit.NetNs.unavailableReason());
        Kernel k = Kernel.boot(KernelConfig.builder().hostname("v").ncpu(1).component("rumpnet_netinet", "rumpnet_virtif")
                .hypercall(HostHypercall.builder().environment(Map.of()).console(new BufferConsole()).build()).build());
        try {
            String tap = io.jrump.testkit.NetNs.tapName("jri");
            assertEquals(0, run(new Ifconfig(), k.syscalls(), "virt0", "create", "linkstr", tap), err.toString());
            assertEquals(0, run(new Ifconfig(), k.syscalls(), "virt0", "-tso4"), err.toString());
            assertEquals(0, run(new Ifconfig(), k.syscalls(), "virt0"));
            assertTrue(out().contains("\tlinkstr: " + tap + ",-tso4"), out());
            assertEquals(0, run(new Ifconfig(), k.syscalls(), "virt0", "tso4"), err.toString());
            assertEquals(0, run(new Ifconfig(), k.syscalls(), "virt0"));
            assertTrue(out().contains("\tlinkstr: " + tap + "\n"), out());
        } finally {
            assertTrue(k.halt().clean());
        }
    }

    @Test
    void shmifInterfacesAreCreatedAndJoinedToABusFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        String bus = dir.resolve("bus").toString();
        assertEquals(0, run(new Ifconfig(), a.syscalls(), "shmif1", "create"));
        assertEquals(0, run(new Ifconfig(), a.syscalls(), "shmif1", "linkstr", bus, "inet", "198.18.9.1/24", "up"));
        assertEquals(0, run(new Ifconfig(), a.syscalls(), "shmif1"));
        assertTrue(out().contains("\tlinkstr: " + bus), out());
        assertEquals(1, run(new Ifconfig(), a.syscalls(), "shmif1", "create"));
        assertTrue(err.toString().contains("exists"), err.toString());
        assertEquals(0, run(new Ifconfig(), a.syscalls(), "shmif1", "destroy"));
    }

    @Test
    void pingPrintsRepliesAndTheNetbsdSummary() {
        run(new Ifconfig(), a.syscalls(), "shmif0", "inet", "198.18.0.1/24", "up");
        run(new Ifconfig(), b.syscalls(), "shmif0", "inet", "198.18.0.2/24", "up");
        assertEquals(0, run(new Ping(), a.syscalls(), "-c", "3", "-i", "0.01", "198.18.0.2"), err.toString());
        String s = out();
        assertTrue(s.startsWith("PING 198.18.0.2 (198.18.0.2): 56 data bytes"), s);
        assertTrue(s.contains("64 bytes from 198.18.0.2: icmp_seq=0 ttl=64 time="), s);
        assertTrue(s.contains("----198.18.0.2 PING Statistics----"), s);
        assertTrue(s.contains("3 packets transmitted, 3 packets received, 0.0% packet loss"), s);
        assertTrue(s.contains("round-trip min/avg/max/stddev = "), s);
        assertEquals(2, run(new Ping(), a.syscalls(), "-c", "1", "-W", "0.3", "198.18.0.77"));
        assertTrue(out().contains("1 packets transmitted, 0 packets received, 100.0% packet loss"), out());
    }

    @Test
    void netstatShowsCountersRoutesInterfacesAndSockets() {
        run(new Ifconfig(), a.syscalls(), "shmif0", "inet", "198.18.0.1/24", "up");
        run(new Ifconfig(), b.syscalls(), "shmif0", "inet", "198.18.0.2/24", "up");
        run(new Ping(), a.syscalls(), "-c", "1", "198.18.0.2");
        assertEquals(0, run(new Netstat(), b.syscalls(), "-s"));
        assertTrue(out().contains("ip:\n\t"), out());
        assertTrue(out().contains("icmp:\n"), out());
        assertTrue(out().matches("(?s).*\\t1 echo replies sent\\n.*"), out());
        assertEquals(0, run(new Netstat(), a.syscalls(), "-rn"));
        assertTrue(out().contains("198.18.0.0/24"), out());
        assertTrue(out().contains("127.0.0.0/8"), out());
        assertEquals(0, run(new Netstat(), a.syscalls(), "-i"));
        assertTrue(out().contains("shmif0"), out());
        assertEquals(0, run(new Netstat(), a.syscalls(), "-m"));
        assertFalse(out().isBlank());
        assertEquals(1, run(new Netstat(), a.syscalls(), "-z"));
    }

    @Test
    void sysctlRouteArpAndSockstatBehaveLikeTheirNamesakes() throws Exception {
        run(new Ifconfig(), a.syscalls(), "shmif0", "inet", "198.18.0.1/24", "up");
        assertEquals(0, run(new SysctlTool(), a.syscalls(), "kern.ostype"));
        assertEquals("kern.ostype = NetBSD\n", out());
        assertEquals(0, run(new SysctlTool(), a.syscalls(), "-w", "net.inet.ip.forwarding=1"));
        assertEquals("net.inet.ip.forwarding: 0 -> 1\n", out());
        assertEquals(1, run(new SysctlTool(), a.syscalls(), "kern.nonesuch"));
        assertTrue(err.toString().contains("kern.nonesuch: No such file or directory"), err.toString());
        assertEquals(0, run(new SysctlTool(), a.syscalls(), "-a"));
        assertFalse(out().contains("net.route.table"), "tables are not part of sysctl -a");

        assertEquals(0, run(new RouteTool(), a.syscalls(), "add", "default", "198.18.0.254"));
        assertEquals("add net default: gateway 198.18.0.254\n", out());
        assertEquals(0, run(new RouteTool(), a.syscalls(), "-n", "show"));
        assertTrue(out().contains("default            198.18.0.254       UGS"), out());
        assertEquals(1, run(new RouteTool(), a.syscalls(), "add", "10.9.0.0/16", "192.0.2.1"));
        assertTrue(err.toString().contains("not on a connected network"), err.toString());
        assertEquals(0, run(new RouteTool(), a.syscalls(), "delete", "default"));

        assertEquals(0, run(new ArpTool(), a.syscalls(), "-s", "198.18.0.9", "b2:a0:00:00:00:09"));
        assertEquals(0, run(new ArpTool(), a.syscalls(), "-a"));
        assertTrue(out().contains("? (198.18.0.9) at b2:a0:00:00:00:09 on shmif0 permanent"), out());
        assertEquals(0, run(new ArpTool(), a.syscalls(), "-d", "198.18.0.9"));

        int fd = a.syscalls().socket(io.jrump.kern.syscall.SocketDefs.AF_INET, io.jrump.kern.syscall.SocketDefs.SOCK_DGRAM, 0);
        a.syscalls().bind(fd, io.jrump.kern.syscall.SockAddr.in("0.0.0.0", 5353));
        assertEquals(0, run(new Sockstat(), a.syscalls()));
        assertTrue(out().contains("udp4   *:5353"), out());
        a.syscalls().close(fd);
    }

    @Test
    void ncMovesStandardInputOverUdp() throws Exception {
        run(new Ifconfig(), a.syscalls(), "shmif0", "inet", "198.18.0.1/24", "up");
        run(new Ifconfig(), b.syscalls(), "shmif0", "inet", "198.18.0.2/24", "up");
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        Thread server = new Thread(() -> Main.run(new Nc(new ByteArrayInputStream(new byte[0])), b.syscalls(),
                new String[] {"-l", "-u", "-w", "2", "9000"}, new PrintStream(got, true), System.err));
        server.start();
        // bound is enough: a datagram that arrives before nc reads waits in the socket's buffer
        Probes.awaitChecked("nc bound to udp port 9000", () -> Tables.rows(b.syscalls(), "kern.sockets").stream()
                .anyMatch(r -> r[8].equals("9000")));
        assertEquals(0, run(new Nc(new ByteArrayInputStream("hello over rump\n".getBytes())), a.syscalls(),
                "-u", "198.18.0.2", "9000"));
        server.join(10_000);
        assertEquals("hello over rump\n", got.toString());
        assertEquals(1, run(new Nc(new ByteArrayInputStream(new byte[0])), a.syscalls(), "198.18.0.2", "9000"));
        assertTrue(err.toString().startsWith("rump.nc: "), err.toString());
    }
}
