package io.jrump.wire;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Completing a partial TCP checksum gives the checksum a full computation gives, and leaves other frames alone. */
class ChecksumOffloadTest {
    /** An Ethernet frame holding IPv4 (src 198.18.0.1, dst 198.18.0.2) and a TCP segment of {@code payload} bytes. */
    static byte[] frame(int payload, long seed) {
        byte[] b = new byte[14 + 20 + 20 + payload];
        new SplittableRandom(seed).nextBytes(b);
        b[12] = 0x08;
        b[13] = 0x00;
        int total = 20 + 20 + payload;
        b[14] = 0x45;
        b[16] = (byte) (total >>> 8);
        b[17] = (byte) total;
        b[20] = 0x40; // DF
        b[21] = 0;
        b[23] = (byte) IpProtocol.TCP;
        byte[] src = {(byte) 198, 18, 0, 1};
        byte[] dst = {(byte) 198, 18, 0, 2};
        System.arraycopy(src, 0, b, 26, 4);
        System.arraycopy(dst, 0, b, 30, 4);
        b[34 + 12] = 0x50;
        return b;
    }

    static int fullChecksum(byte[] b) {
        int total = BigEndian.get16(b, 16);
        b[34 + 16] = 0;
        b[34 + 17] = 0;
        return new ChecksumAccumulator().addPseudoHeader(0xc6120001, 0xc6120002, IpProtocol.TCP, total - 20)
                .add(b, 34, total - 20).checksum();
    }

    @Test
    void aPartialChecksumCompletesToTheFullOne() {
        for (int payload : new int[] {0, 1, 2, 3, 1459, 1460, 65495}) {
            byte[] b = frame(payload, payload);
            int want = fullChecksum(b);
            int total = BigEndian.get16(b, 16);
            BigEndian.put16(b, 34 + 16, InternetChecksum.pseudoHeaderSum(0xc6120001, 0xc6120002, IpProtocol.TCP, total - 20));
            assertTrue(ChecksumOffload.completeTcpInFrame(b, 0, b.length));
            assertEquals(want, BigEndian.get16(b, 34 + 16), "payload " + payload);
        }
    }

    @Test
    void framesThatAreNotWholeTcpOverIpv4AreLeftAlone() {
        byte[] udp = frame(10, 1);
        udp[23] = (byte) IpProtocol.UDP;
        byte[] fragment = frame(10, 2);
        fragment[20] = 0x20; // MF
        byte[] arp = frame(10, 3);
        arp[13] = 0x06;
        byte[] truncated = frame(100, 4);
        for (byte[] b : new byte[][] {udp, fragment, arp}) {
            byte[] before = b.clone();
            assertFalse(ChecksumOffload.completeTcpInFrame(b, 0, b.length));
            assertArrayEquals(before, b);
        }
        assertFalse(ChecksumOffload.completeTcpInFrame(truncated, 0, 60));
    }
}
