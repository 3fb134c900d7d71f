package io.jrump.systest.vtw;

import static io.jrump.systest.TestNet.attach;
import static io.jrump.systest.TestNet.await;
import static io.jrump.systest.TestNet.inet;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrump.hypercall.ManualClock;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.net.Interfaces;
import io.jrump.net.Route;
import io.jrump.wire.Ipv4Address;
import io.jrump.netinet.tcp.Tcp;
import io.jrump.systest.TestNet;
import io.jrump.virtif.Hub;
import io.jrump.virtif.LinkEmulator;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MSL truncation (seed 004) between three hosts and a router: a server closes its connections
 * first, to itself, to a host on its own subnet and to one behind the router, and each waits in
 * TIME_WAIT for twice its class's MSL (2, 10 and 60 s by default), with VTW on and off.
 */
class VtwClassesTest {

    private static void defaultRoute(Kernel k, String gw) throws Exception {
        Interfaces ifs = k.service(Interfaces.class);
        ifs.routes().add(new Route(0, 0, Ipv4Address.parse(gw), ifs.find("shmif0"),
                Route.RTF_UP | Route.RTF_GATEWAY | Route.RTF_STATIC, 0));
    }

    /**
     * {@code client} connects to the server, the server closes first, then the client: the server is in
     * TIME_WAIT. Returns once the client has the server's last ACK as well: a client still in LAST_ACK
     * when the test moves the clock would resend its FIN after its 200 ms RTO, and the server would
     * restart its 2MSL wait from that later moment (RFC 9293 section 3.10.7.4).
     */
    private static void serverClosesFirst(Kernel server, int listener, Kernel client, int expectedTw) throws Exception {
        Syscalls c = client.syscalls();
        Syscalls s = server.syscalls();
        int fd = c.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
        c.connect(fd, SockAddr.in("198.18.1.1", 80));
        int a = s.accept(listener, null);
        s.close(a);
        assertEquals(0, c.read(fd, ByteBuffer.allocate(16)), "the server's FIN");
        c.close(fd);
        Tcp tcp = inet(server).tcp();
        await("TIME_WAIT number " + expectedTw, () -> tcp.timeWaitCount() == expectedTw);
        Tcp clientTcp = inet(client).tcp();
        // what stays is the server's listener and its TIME_WAIT blocks that are not vestigial
        int staying = client == server ? 1 + tcp.timeWaitCount() - tcp.vestigialCount() : 0;
        await("the client's LAST_ACK to end", () -> clientTcp.pcbCount() == staying);
    }

    @ParameterizedTest(name = "vtw={0}")
    @ValueSource(booleans = {true, false})
    void loopbackLocalAndRemotePeersWaitForTheirClassesMsl(boolean vtw) throws Exception {
        ManualClock clock = new ManualClock();
        try (TestNet net = new TestNet(clock)) {
            Hub left = new Hub("left");
            Hub right = new Hub("right");
            Kernel server = net.boot("server");
            Kernel neighbour = net.boot("neighbour");
            Kernel router = net.boot("router");
            Kernel far = net.boot("far");
            attach(server, "shmif0", left.attach(), "198.18.1.1/24");
            attach(neighbour, "shmif0", left.attach(), "198.18.1.2/24");
            attach(router, "shmif0", left.attach(), "198.18.1.254/24");
            attach(router, "shmif1", right.attach(), "198.18.2.254/24");
            attach(far, "shmif0", right.attach(), "198.18.2.1/24");
            defaultRoute(server, "198.18.1.254");
            defaultRoute(far, "198.18.2.254");
            router.syscalls().sysctlWrite("net.inet.ip.forwarding", "1");
            Syscalls s = server.syscalls();
            s.sysctlWrite("net.inet.tcp.vtw.enable", vtw ? "1" : "0");
            int l = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            s.bind(l, SockAddr.in("0.0.0.0", 80));
            s.listen(l, 5);

            serverClosesFirst(server, l, server, 1);
            serverClosesFirst(server, l, neighbour, 2);
            serverClosesFirst(server, l, far, 3);
            Tcp tcp = inet(server).tcp();
            if (vtw) {
                assertEquals(3, tcp.vestigialCount());
                assertEquals("1", s.sysctlRead("net.inet.tcp.vtw.stats.inuse_loopback"));
                assertEquals("1", s.sysctlRead("net.inet.tcp.vtw.stats.inuse_local"));
                assertEquals("1", s.sysctlRead("net.inet.tcp.vtw.stats.inuse_remote"));
                assertEquals("0", s.sysctlRead("net.inet.tcp.vtw.stats.inuse_default"));
            } else {
                assertEquals(0, tcp.vestigialCount());
            }
            clock.advance(1_500_000_000L);
            assertEquals(3, tcp.timeWaitCount());
            clock.advance(1_000_000_000L);
            assertEquals(2, tcp.timeWaitCount(), "the loopback connection's 2 s are over");
            clock.advance(7_000_000_000L);
            assertEquals(2, tcp.timeWaitCount());
            clock.advance(1_000_000_000L);
            assertEquals(1, tcp.timeWaitCount(), "the neighbour's 10 s are over");
            clock.advance(49_000_000_000L);
            assertEquals(1, tcp.timeWaitCount());
            clock.advance(1_000_000_000L);
            assertEquals(0, tcp.timeWaitCount(), "the far host's 60 s are over");
            s.close(l);
        }
    }

    @ParameterizedTest(name = "vtw={0}")
    @ValueSource(booleans = {true, false})
    void aSlowNeighbourCountsAsRemoteAboveTheRttThreshold(boolean vtw) throws Exception {
        ManualClock clock = new ManualClock();
        try (TestNet net = new TestNet(clock)) {
            Hub lan = new Hub("lan");
            Kernel server = net.boot("server");
            Kernel neighbour = net.boot("neighbour");
            attach(server, "shmif0", lan.attach(), "198.18.1.1/24");
            attach(neighbour, "shmif0", new LinkEmulator(neighbour.hypercall(), lan.attach(), "delay=20ms"),
                    "198.18.1.2/24");
            Syscalls s = server.syscalls();
            s.sysctlWrite("net.inet.tcp.vtw.enable", vtw ? "1" : "0");
            s.sysctlWrite("net.inet.tcp.mslt.remote_threshold", "10");
            int l = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            s.bind(l, SockAddr.in("0.0.0.0", 80));
            s.listen(l, 5);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread driver = new Thread(() -> {
                try {
                    serverClosesFirst(server, l, neighbour, 1);
                } catch (Throwable t) {
                    failed.set(t);
                }
            }, "slow neighbour");
            driver.start();
            // the neighbour's frames wait 20 ms of virtual time on its link: move time while the connection runs
            net.runClockWhile(driver, 1_000_000L, 5_000_000_000L);
            if (failed.get() != null) {
                throw new AssertionError(failed.get());
            }
            Tcp tcp = inet(server).tcp();
            clock.advance(10_500_000_000L);
            assertEquals(1, tcp.timeWaitCount(), "a 20 ms RTT is above 10 ms: remote, 60 s, not local, 10 s");
            if (vtw) {
                assertEquals("1", s.sysctlRead("net.inet.tcp.vtw.stats.inuse_remote"));
            }
            clock.advance(50_000_000_000L);
            assertEquals(0, tcp.timeWaitCount());
            s.close(l);
        }
    }
}
