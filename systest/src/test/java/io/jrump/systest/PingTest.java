package io.jrump.systest;

import static io.jrump.systest.TestNet.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.ManualClock;
import io.jrump.kern.Kernel;
import io.jrump.net.Ifnet;
import io.jrump.wire.Ipv4Address;
import io.jrump.netinet.arp.ArpInfo;
import io.jrump.virtif.Hub;
import io.jrump.virtif.LinkEmulator;
import org.junit.jupiter.api.Test;

/** ICMP echo between kernels on a hub: ARP, IP output and input, echo replies, fragmentation. */
class PingTest {

    @Test
    void pingBothWaysOverAHub() throws Exception {
        try (TestNet net = new TestNet()) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            Ifnet ia = attach(a, "shmif0", hub.attach(), "198.18.0.1/24");
            Ifnet ib = attach(b, "shmif0", hub.attach(), "198.18.0.2/24");
            sendEcho(a, "198.18.0.2", 56, 1);
            await("a's echo reply", () -> echoRepliesReceived(a) == 1);
            sendEcho(b, "198.18.0.1", 56, 1);
            await("b's echo reply", () -> echoRepliesReceived(b) == 1);
            ArpInfo e = inet(a).arp().list().stream().filter(x -> x.ip() == Ipv4Address.parse("198.18.0.2"))
                    .findFirst().orElseThrow();
            assertEquals(ib.lladdr(), e.mac(), "a learned b's MAC");
            assertTrue(e.complete());
            assertEquals(1, inet(b).icmp().stats().get("echo replies sent"));
            assertEquals(0, ia.stats().ierrors());
        }
    }

    @Test
    void pingToOurOwnAddressGoesThroughLoopback() throws Exception {
        try (TestNet net = new TestNet()) {
            Kernel a = net.boot("a");
            attach(a, "shmif0", new Hub("h").attach(), "198.18.0.1/24");
            sendEcho(a, "127.0.0.1", 56, 1);
            sendEcho(a, "198.18.0.1", 56, 2);
            await("both replies", () -> echoRepliesReceived(a) == 2);
            assertEquals(1, inet(a).arp().stats().get("requests sent"),
                    "only the gratuitous announcement: our own address needs no resolution");
        }
    }

    @Test
    void sixtyThousandBytePingIsFragmentedAndReassembledThroughReorderingLinks() throws Exception {
        try (TestNet net = new TestNet()) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            String emu = "reorder=30%,reorder-delay=2ms,dup=5%,seed=7";
            attach(a, "shmif0", new LinkEmulator(a.hypercall(), hub.attach(), emu), "198.18.0.1/24");
            attach(b, "shmif0", new LinkEmulator(b.hypercall(), hub.attach(), emu), "198.18.0.2/24");
            sendEcho(a, "198.18.0.2", 60000, 9);
            await("the big echo reply", () -> echoRepliesReceived(a) == 1);
            assertTrue(inet(a).ipStats().get("packets reassembled ok") >= 1);
            assertTrue(inet(b).ipStats().get("packets reassembled ok") >= 1);
            assertTrue(inet(b).ipStats().get("output datagrams fragmented") >= 1);
            assertEquals(0, inet(a).reassembliesInProgress());
        }
    }

    @Test
    void arpEntriesExpireAfterArpKeep() throws Exception {
        ManualClock clock = new ManualClock();
        try (TestNet net = new TestNet(clock)) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            attach(a, "shmif0", hub.attach(), "198.18.0.1/24");
            attach(b, "shmif0", hub.attach(), "198.18.0.2/24");
            a.syscalls().sysctlWrite("net.inet.arp.keep", "30");
            sendEcho(a, "198.18.0.2", 8, 1);
            await("echo reply", () -> echoRepliesReceived(a) == 1);
            int peer = Ipv4Address.parse("198.18.0.2");
            assertTrue(inet(a).arp().list().stream().anyMatch(x -> x.ip() == peer));
            clock.advance(29_000_000_000L);
            assertTrue(inet(a).arp().list().stream().anyMatch(x -> x.ip() == peer), "still valid at 29 s");
            clock.advance(2_000_000_000L);
            assertFalse(inet(a).arp().list().stream().anyMatch(x -> x.ip() == peer), "gone after 30 s");
            assertTrue(inet(a).arp().stats().get("entries expired") >= 1);
        }
    }
}
