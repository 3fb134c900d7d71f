package io.jrump.systest;

import static io.jrump.systest.TestNet.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.kern.Kernel;
import io.jrump.net.Ifnet;
import io.jrump.wire.EtherType;
import io.jrump.wire.EthernetFrame;
import io.jrump.wire.EthernetRepr;
import io.jrump.wire.IpProtocol;
import io.jrump.wire.Ipv4Address;
import io.jrump.wire.Ipv4Packet;
import io.jrump.wire.Ipv4Repr;
import io.jrump.virtif.EtherLink;
import io.jrump.virtif.Hub;
import org.junit.jupiter.api.Test;

/**
 * Hostile fragments, sent as raw frames from a port on the hub: teardrop-style overlaps and the
 * "ping of death" are dropped and counted, and the victim still answers a normal ping afterwards.
 */
class FragmentAttackTest {
    private static final long ATTACKER_MAC = 0x02_00_00_00_00_66L;

    private static void sendFragment(EtherLink port, long dstMac, int src, int dst, int id, int off, boolean mf, int len) {
        byte[] f = new byte[EthernetFrame.HEADER_LEN + Ipv4Packet.HEADER_LEN + len];
        new EthernetRepr(ATTACKER_MAC, dstMac, EtherType.IPV4).emit(new EthernetFrame().wrap(f, 0, f.length));
        Ipv4Repr ip = new Ipv4Repr(src, dst, IpProtocol.ICMP, len, 64, 0, 0, id, false, mf, off);
        ip.emit(new Ipv4Packet().wrap(f, EthernetFrame.HEADER_LEN, f.length - EthernetFrame.HEADER_LEN));
        port.send(f, 0, f.length);
    }

    @Test
    void overlappingFragmentsAndOversizedDatagramsAreDroppedAndCounted() throws Exception {
        try (TestNet net = new TestNet()) {
            Hub hub = new Hub("h");
            Kernel victim = net.boot("victim");
            Kernel peer = net.boot("peer");
            Ifnet vif = attach(victim, "shmif0", hub.attach(), "198.18.0.2/24");
            attach(peer, "shmif0", hub.attach(), "198.18.0.1/24");
            EtherLink attacker = hub.attach();
            int src = Ipv4Address.parse("198.18.0.66");
            int dst = Ipv4Address.parse("198.18.0.2");

            // teardrop: the second fragment starts inside the first
            sendFragment(attacker, vif.lladdr(), src, dst, 100, 0, true, 48);
            sendFragment(attacker, vif.lladdr(), src, dst, 100, 24, false, 40);
            // ping of death: the last fragment ends past 65535 bytes
            sendFragment(attacker, vif.lladdr(), src, dst, 101, 0, true, 1480);
            sendFragment(attacker, vif.lladdr(), src, dst, 101, 65528, false, 64);
            victim.softints().drain();
            await("both attacks counted", () ->
                    inet(victim).ipStats().get("fragments dropped for overlapping data") == 1
                    && inet(victim).ipStats().get("datagrams longer than 65535 bytes after reassembly") == 1);
            assertEquals(0, inet(victim).ipStats().get("packets reassembled ok"));
            assertEquals(0, inet(victim).reassembliesInProgress(), "nothing of either attack is kept");

            sendEcho(peer, "198.18.0.2", 56, 1);
            await("the victim still answers", () -> echoRepliesReceived(peer) == 1);
        }
    }
}
