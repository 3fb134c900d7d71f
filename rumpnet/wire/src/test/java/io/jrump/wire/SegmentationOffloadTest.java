package io.jrump.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Cutting one large TCP segment into wire-sized frames: each has its own length, IP identification, header
 * checksum and sequence number, its payload slice, a TCP checksum equal to a reference computation (RFC 1071
 * over the RFC 9293 section 3.1 pseudo-header), and the flags RFC 3168 section 6.1.2 and GSO leave on it.
 */
class SegmentationOffloadTest {
    private static final int SEQ = 0x01020304;

    /** 2500 payload bytes with ACK|PSH|FIN|CWR, IP id 0x1234, sequence number SEQ, partial TCP checksum. */
    private static byte[] big() {
        byte[] b = ChecksumOffloadTest.frame(2500, 9);
        BigEndian.put16(b, 18, 0x1234);
        BigEndian.put32(b, 34 + 4, SEQ);
        b[34 + 13] = (byte) (TcpFlags.ACK | TcpFlags.PSH | TcpFlags.FIN | TcpFlags.CWR);
        BigEndian.put16(b, 34 + 16, InternetChecksum.pseudoHeaderSum(0xc6120001, 0xc6120002, IpProtocol.TCP, 2520));
        return b;
    }

    @Test
    void threeSegmentsOfAtMostTheMss() {
        byte[] in = big();
        byte[] out = new byte[1600];
        int[] lens = {1000, 1000, 500};
        int[] flags = {TcpFlags.ACK | TcpFlags.CWR, TcpFlags.ACK, TcpFlags.ACK | TcpFlags.PSH | TcpFlags.FIN};
        for (int i = 0; i < 3; i++) {
            int n = SegmentationOffload.segment(in, in.length, 1000, i, out);
            assertEquals(54 + lens[i], n, "segment " + i);
            assertArrayEquals(RefChecksum.slice(in, 0, 14), RefChecksum.slice(out, 0, 14), "Ethernet header");
            assertEquals(40 + lens[i], BigEndian.get16(out, 16), "IP total length");
            assertEquals(0x1234 + i, BigEndian.get16(out, 18), "IP identification");
            assertEquals(0xffff, InternetChecksum.sum(out, 14, 20), "IP header checksum verifies");
            assertEquals(SEQ + 1000 * i, BigEndian.get32(out, 34 + 4), "sequence number");
            assertEquals(flags[i], out[34 + 13] & 0xff, "flags of segment " + i);
            assertArrayEquals(RefChecksum.slice(in, 54 + 1000 * i, lens[i]), RefChecksum.slice(out, 54, lens[i]), "payload");
            byte[] tcp = RefChecksum.slice(out, 34, 20 + lens[i]);
            tcp[16] = 0;
            tcp[17] = 0;
            int want = RefChecksum.of(RefChecksum.pseudoHeader(0xc6120001, 0xc6120002, IpProtocol.TCP, 20 + lens[i]), tcp);
            assertEquals(want, BigEndian.get16(out, 34 + 16), "TCP checksum of segment " + i);
        }
        assertEquals(-1, SegmentationOffload.segment(in, in.length, 1000, 3, out), "no fourth segment");
    }

    /** Golden bytes: the IP and TCP headers of the second segment. */
    @Test
    void secondSegmentHeaders() {
        byte[] in = big();
        byte[] out = new byte[1600];
        SegmentationOffload.segment(in, in.length, 1000, 1, out);
        byte[] want = RefChecksum.slice(in, 14, 40);
        BigEndian.put16(want, 2, 1040);
        BigEndian.put16(want, 4, 0x1235);
        BigEndian.put16(want, 10, 0);
        BigEndian.put16(want, 10, RefChecksum.of(RefChecksum.slice(want, 0, 20)));
        BigEndian.put32(want, 20 + 4, SEQ + 1000);
        want[20 + 13] = (byte) TcpFlags.ACK;
        want[20 + 16] = out[34 + 16];
        want[20 + 17] = out[34 + 17];
        assertEquals(Hex.string(want), Hex.string(RefChecksum.slice(out, 14, 40)));
    }

    @Test
    void framesThatAreNotOneTcpSegmentOverIpv4AreRefused() {
        byte[] out = new byte[4000];
        byte[] udp = big();
        udp[23] = (byte) IpProtocol.UDP;
        byte[] fragment = big();
        fragment[20] = 0x20;
        byte[] truncated = big();
        assertEquals(-1, SegmentationOffload.segment(udp, udp.length, 1000, 0, out));
        assertEquals(-1, SegmentationOffload.segment(fragment, fragment.length, 1000, 0, out));
        assertEquals(-1, SegmentationOffload.segment(truncated, 100, 1000, 0, out));
        assertEquals(-1, SegmentationOffload.segment(big(), big().length, 0, 0, out), "no MSS");
    }
}
