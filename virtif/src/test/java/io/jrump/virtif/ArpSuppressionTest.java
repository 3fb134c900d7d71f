package io.jrump.virtif;

import static io.jrump.virtif.TestFrames.BROADCAST;
import static io.jrump.virtif.TestFrames.MAC_A;
import static io.jrump.virtif.TestFrames.MAC_B;
import static io.jrump.virtif.TestFrames.MAC_C;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrump.hypercall.ManualClock;
import io.jrump.wire.ArpPacket;
import io.jrump.wire.EtherType;
import io.jrump.wire.Ipv4Address;
import io.jrump.wire.MacAddress;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ARP suppression on a {@link LearningSwitch}: which ports an ARP frame reaches. */
class ArpSuppressionTest {
    private static final int IP_A = Ipv4Address.parse("198.18.0.1");
    private static final int IP_B = Ipv4Address.parse("198.18.0.2");
    private static final int IP_C = Ipv4Address.parse("198.18.0.3");
    private LearningSwitch sw;
    private EtherLink a;
    private EtherLink b;
    private EtherLink c;
    private Recorder ra;
    private Recorder rb;
    private Recorder rc;

    @BeforeEach
    void threeStations() {
        sw = new LearningSwitch("sw0", new ManualClock());
        sw.setArpSuppression(true);
        a = sw.attach();
        b = sw.attach();
        c = sw.attach();
        ra = new Recorder();
        rb = new Recorder();
        rc = new Recorder();
        a.setReceiver(ra);
        b.setReceiver(rb);
        c.setReceiver(rc);
    }

    /** An Ethernet/IPv4 ARP packet in a minimum-size frame, as an interface sends it. */
    private static byte[] arp(long ethDst, int op, long sha, int spa, long tha, int tpa) {
        byte[] f = new byte[60];
        MacAddress.write(f, 0, ethDst);
        MacAddress.write(f, 6, sha);
        f[12] = (byte) (EtherType.ARP >>> 8);
        f[13] = (byte) EtherType.ARP;
        ArpPacket p = new ArpPacket().wrap(f, EtherLink.HEADER_LEN, ArpPacket.ETHERNET_IPV4_LEN);
        p.setHardwareType(ArpPacket.HTYPE_ETHERNET);
        p.setProtocolType(EtherType.IPV4);
        p.setHardwareLength(6);
        p.setProtocolLength(4);
        p.setOperation(op);
        p.setSenderHardwareAddress(sha);
        p.setSenderProtocolAddress(spa);
        p.setTargetHardwareAddress(tha);
        p.setTargetProtocolAddress(tpa);
        return f;
    }

    private static void send(EtherLink port, byte[] f) {
        port.send(f, 0, f.length);
    }

    private static byte[] announce(long mac, int ip) {
        return arp(BROADCAST, ArpPacket.OP_REQUEST, mac, ip, 0, ip);
    }

    @Test
    void aGratuitousArpForANewAddressGoesNowhereAndARequestGoesToItsTargetOnly() {
        send(a, announce(MAC_A, IP_A));
        send(b, announce(MAC_B, IP_B));
        send(c, announce(MAC_C, IP_C));
        assertEquals(0, ra.count() + rb.count() + rc.count(), "nothing anyone's cache needs");

        send(c, arp(BROADCAST, ArpPacket.OP_REQUEST, MAC_C, IP_C, 0, IP_A));
        assertEquals(1, ra.count());
        assertEquals(0, rb.count(), "b is not asked about a's address");
        send(a, arp(MAC_C, ArpPacket.OP_REPLY, MAC_A, IP_A, MAC_C, IP_C));
        assertEquals(1, rc.count());
        assertEquals(0, rb.count());
        SwitchStats s = sw.stats();
        assertEquals(3, s.arpSuppressed());
        assertEquals(1, s.arpDirected());
    }

    @Test
    void aRequestForAnAddressNotSeenIsFlooded() {
        send(a, announce(MAC_A, IP_A));
        send(c, arp(BROADCAST, ArpPacket.OP_REQUEST, MAC_C, IP_C, 0, IP_B));
        assertEquals(1, ra.count());
        assertEquals(1, rb.count());
    }

    @Test
    void aGratuitousArpThatMovesAnAddressIsFloodedSoCachesAndTheOldHolderHearIt() {
        send(a, announce(MAC_A, IP_A));
        send(b, announce(MAC_B, IP_A));
        assertEquals(1, ra.count(), "the old holder sees the duplicate");
        assertEquals(1, rc.count(), "neighbours update their caches");

        send(c, arp(BROADCAST, ArpPacket.OP_REQUEST, MAC_C, IP_C, 0, IP_A));
        assertEquals(1, rb.count(), "the address now belongs to b");
        assertEquals(1, ra.count());
    }

    @Test
    void aRepeatedAnnouncementStillGoesNowhere() {
        send(a, announce(MAC_A, IP_A));
        send(a, announce(MAC_A, IP_A));
        assertEquals(0, rb.count() + rc.count());
    }

    @Test
    void aProbeForAHeldAddressReachesItsHolderOnly() {
        send(a, announce(MAC_A, IP_A));
        // RFC 5227 section 2.1.1: sender address 0, target the address to be checked
        send(b, arp(BROADCAST, ArpPacket.OP_REQUEST, MAC_B, 0, 0, IP_A));
        assertEquals(1, ra.count());
        assertEquals(0, rc.count());
    }

    @Test
    void aRequestForAStationBehindTheAskersPortIsNotReflected() {
        send(a, announce(MAC_A, IP_A));
        send(a, arp(BROADCAST, ArpPacket.OP_REQUEST, MAC_C, IP_C, 0, IP_A));
        assertEquals(0, ra.count() + rb.count() + rc.count());
    }

    @Test
    void withoutSuppressionArpIsBroadcastAsOnAnyBridge() {
        sw.setArpSuppression(false);
        send(a, announce(MAC_A, IP_A));
        send(c, arp(BROADCAST, ArpPacket.OP_REQUEST, MAC_C, IP_C, 0, IP_A));
        assertEquals(1, ra.count());
        assertEquals(2, rb.count());
        assertEquals(1, rc.count());
    }
}
