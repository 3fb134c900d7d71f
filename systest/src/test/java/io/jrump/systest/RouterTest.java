package io.jrump.systest;

import static io.jrump.systest.TestNet.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.net.Route;
import io.jrump.wire.IcmpPacket;
import io.jrump.wire.IcmpRepr;
import io.jrump.wire.IcmpType;
import io.jrump.wire.Ipv4Address;
import io.jrump.wire.Ipv4Packet;
import io.jrump.virtif.Hub;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Two buses joined by a router kernel, and a raw ICMP socket doing what ping does. */
class RouterTest {

    static void defaultRoute(Kernel k, String gw) throws Exception {
        var ifs = k.service(io.jrump.net.Interfaces.class);
        var ifp = ifs.find("shmif0");
        ifs.routes().add(new Route(0, 0, Ipv4Address.parse(gw), ifp, Route.RTF_UP | Route.RTF_GATEWAY | Route.RTF_STATIC, 0));
    }

    @Test
    void routerForwardsOnlyWhenForwardingIsOnAndRawSocketsSeeTheReplies() throws Exception {
        try (TestNet net = new TestNet()) {
            Hub left = new Hub("left");
            Hub right = new Hub("right");
            Kernel a = net.boot("a");
            Kernel r = net.boot("router");
            Kernel b = net.boot("b");
            attach(a, "shmif0", left.attach(), "198.18.1.1/24");
            attach(r, "shmif0", left.attach(), "198.18.1.254/24");
            attach(r, "shmif1", right.attach(), "198.18.2.254/24");
            attach(b, "shmif0", right.attach(), "198.18.2.1/24");
            defaultRoute(a, "198.18.1.254");
            defaultRoute(b, "198.18.2.254");

            sendEcho(a, "198.18.2.1", 56, 1);
            await("the router to refuse", () -> inet(r).ipStats().get("packets not forwardable") == 1);
            assertEquals(0, echoRepliesReceived(a));

            r.syscalls().sysctlWrite("net.inet.ip.forwarding", "1");
            int ping = a.syscalls().socket(SocketDefs.AF_INET, SocketDefs.SOCK_RAW, SocketDefs.IPPROTO_ICMP);
            IcmpRepr.Echo echo = IcmpRepr.Echo.request(77, 2, 16);
            byte[] pkt = new byte[echo.bufferLen()];
            echo.emit(new IcmpPacket().wrap(pkt, 0, pkt.length));
            a.syscalls().sendto(ping, ByteBuffer.wrap(pkt), 0, SockAddr.in("198.18.2.1", 0));
            a.syscalls().setsockopt(ping, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 20_000);
            ByteBuffer got = ByteBuffer.allocate(1500);
            SockAddr from = new SockAddr();
            int n;
            do {
                got.clear();
                n = a.syscalls().recvfrom(ping, got, 0, from);
            } while (got.get(Ipv4Packet.HEADER_LEN) != IcmpType.ECHO_REPLY);
            assertEquals(Ipv4Packet.HEADER_LEN + pkt.length, n, "a raw socket receives the IP header too");
            assertEquals("198.18.2.1", SockAddr.format(from.addr));
            Ipv4Packet ip = new Ipv4Packet().wrap(got.array(), 0, n);
            assertEquals(63, ip.ttl(), "one hop through the router");
            // The router counts a forwarded packet once its output returns, which may be after the reply arrived.
            await("the router to count both packets forwarded", () -> inet(r).ipStats().get("packets forwarded") >= 2);
            a.syscalls().close(ping);
        }
    }

    @Test
    void expiringTtlIsAnsweredWithTimeExceeded() throws Exception {
        try (TestNet net = new TestNet()) {
            Hub left = new Hub("left");
            Hub right = new Hub("right");
            Kernel a = net.boot("a");
            Kernel r = net.boot("router");
            Kernel b = net.boot("b");
            attach(a, "shmif0", left.attach(), "198.18.1.1/24");
            attach(r, "shmif0", left.attach(), "198.18.1.254/24");
            attach(r, "shmif1", right.attach(), "198.18.2.254/24");
            attach(b, "shmif0", right.attach(), "198.18.2.1/24");
            defaultRoute(a, "198.18.1.254");
            r.syscalls().sysctlWrite("net.inet.ip.forwarding", "1");
            int s = a.syscalls().socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            a.syscalls().setsockopt(s, SocketDefs.IPPROTO_IP, SocketDefs.IP_TTL, 1);
            a.syscalls().sendto(s, ByteBuffer.wrap(new byte[] {1}), 0, SockAddr.in("198.18.2.1", 33434));
            await("time exceeded", () -> inet(a).icmp().stats().get("time exceeded received") == 1);
            assertEquals(0, inet(b).udp().stats().get("datagrams received"));
            a.syscalls().close(s);
        }
    }
}
