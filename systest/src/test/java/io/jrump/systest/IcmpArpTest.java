package io.jrump.systest;

import static io.jrump.systest.TestNet.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.ManualClock;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.net.Ifnet;
import io.jrump.wire.Ipv4Address;
import io.jrump.virtif.Hub;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** ICMP error rate limiting and ARP's static entries, observed from another kernel. */
class IcmpArpTest {

    @Test
    void icmpErrorsAreRateLimitedPerSecondOfKernelTime() throws Exception {
        ManualClock clock = new ManualClock();
        try (TestNet net = new TestNet(clock)) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            attach(a, "shmif0", hub.attach(), "198.18.0.1/24");
            attach(b, "shmif0", hub.attach(), "198.18.0.2/24");
            b.syscalls().sysctlWrite("net.inet.icmp.errppslimit", "3");
            int s = a.syscalls().socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            for (int i = 0; i < 10; i++) {
                a.syscalls().sendto(s, ByteBuffer.wrap(new byte[] {1}), 0, SockAddr.in("198.18.0.2", 9));
            }
            await("ten datagrams at b", () -> inet(b).udp().stats().get("dropped due to no socket") == 10);
            b.softints().drain();
            assertEquals(3, inet(b).icmp().stats().get("error messages sent"));
            assertEquals(7, inet(b).icmp().stats().get("errors not sent due to rate limit"));
            clock.advance(1_000_000_000L);
            a.syscalls().sendto(s, ByteBuffer.wrap(new byte[] {1}), 0, SockAddr.in("198.18.0.2", 9));
            await("one more error after a second", () -> inet(b).icmp().stats().get("error messages sent") == 4);
            a.syscalls().close(s);
        }
    }

    @Test
    void staticArpEntryIsUsedWithoutAskingAndNeverExpires() throws Exception {
        ManualClock clock = new ManualClock();
        try (TestNet net = new TestNet(clock)) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            Ifnet ia = attach(a, "shmif0", hub.attach(), "198.18.0.1/24");
            Ifnet ib = attach(b, "shmif0", hub.attach(), "198.18.0.2/24");
            int peer = Ipv4Address.parse("198.18.0.2");
            inet(a).arp().setStatic(ia, peer, ib.lladdr());
            long requestsBefore = inet(a).arp().stats().get("requests sent");
            sendEcho(a, "198.18.0.2", 8, 1);
            await("echo reply", () -> echoRepliesReceived(a) == 1);
            assertEquals(requestsBefore, inet(a).arp().stats().get("requests sent"), "no request for a static entry");
            clock.advance(3_000_000_000_000L);
            assertTrue(inet(a).arp().list().stream().anyMatch(e -> e.ip() == peer && e.permanent()));
            inet(a).arp().delete(peer);
            assertThrows(ErrnoException.class, () -> inet(a).arp().delete(peer));
        }
    }

    @Test
    void unresolvableNeighbourDropsHeldPacketsAfterMaxtries() throws Exception {
        ManualClock clock = new ManualClock();
        try (TestNet net = new TestNet(clock)) {
            Kernel a = net.boot("a");
            attach(a, "shmif0", new Hub("h").attach(), "198.18.0.1/24");
            for (int i = 0; i < 3; i++) {
                sendEcho(a, "198.18.0.77", 8, i);
            }
            assertEquals(3, inet(a).arp().stats().get("packets held"));
            assertEquals(2, inet(a).arp().stats().get("requests sent"),
                    "the gratuitous announcement and one request: at most one a second per neighbour");
            for (int i = 0; i < 5; i++) {
                clock.advance(1_000_000_000L);
                sendEcho(a, "198.18.0.77", 8, 10 + i);
            }
            assertEquals(1, inet(a).arp().stats().get("resolution timeouts"), "given up after net.inet.arp.maxtries");
            assertEquals(6, inet(a).arp().stats().get("requests sent"));
            assertTrue(inet(a).arp().list().stream().noneMatch(e -> e.ip() == Ipv4Address.parse("198.18.0.77")),
                    "the held packets went with the entry");
        }
    }
}
