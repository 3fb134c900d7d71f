package io.jrump.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class InternetChecksumTest {

    /** RFC 1071 section 3, "Numerical Examples": bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2. */
    @Test
    void rfc1071NumericalExample() {
        byte[] data = Hex.bytes("0001 f203 f4f5 f6f7");
        assertEquals(0xddf2, InternetChecksum.sum(data, 0, data.length));
        assertEquals(0x220d, InternetChecksum.compute(data, 0, data.length));
        assertEquals(RefChecksum.of(data), InternetChecksum.compute(data, 0, data.length));
    }

    @Test
    void wikipediaIpv4HeaderExample() {
        byte[] h = Golden.bytes(Golden.WIKIPEDIA_IPV4_HEADER);
        assertTrue(InternetChecksum.verify(h, 0, h.length));
        h[10] = 0;
        h[11] = 0;
        assertEquals(0xb861, InternetChecksum.compute(h, 0, h.length));
    }

    @Test
    void oddLengthPadsTheLastByteOnTheRight() {
        byte[] data = Hex.bytes("0001 f203 f4f5 f6f7 ab");
        assertEquals(InternetChecksum.add(0xddf2, 0xab00), InternetChecksum.sum(data, 0, data.length));
        assertEquals(RefChecksum.of(data), InternetChecksum.compute(data, 0, data.length));
        byte[] one = {(byte) 0x12};
        assertEquals(0x1200, InternetChecksum.sum(one, 0, 1));
    }

    @Test
    void emptyAndZeroDataFoldToZeroSum() {
        assertEquals(0, InternetChecksum.sum(new byte[0], 0, 0));
        assertEquals(0xffff, InternetChecksum.compute(new byte[6], 0, 6));
        assertFalse(InternetChecksum.verify(new byte[6], 0, 6));
    }

    @Test
    void matchesIndependentImplementationOnRandomDataAtRandomOffsets() {
        SplittableRandom r = new SplittableRandom(1071);
        for (int round = 0; round < 2000; round++) {
            byte[] b = new byte[r.nextInt(0, 300)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (r.nextInt(8) == 0 ? 0xff : r.nextInt(256));
            }
            int off = b.length == 0 ? 0 : r.nextInt(b.length);
            int len = r.nextInt(b.length - off + 1);
            assertEquals(RefChecksum.of(RefChecksum.slice(b, off, len)), InternetChecksum.compute(b, off, len));
        }
    }

    @Test
    void allOnesDataSumsToOnesNotZero() {
        byte[] b = new byte[1000];
        java.util.Arrays.fill(b, (byte) 0xff);
        assertEquals(0xffff, InternetChecksum.sum(b, 0, b.length));
        assertEquals(0, InternetChecksum.compute(b, 0, b.length));
    }

    @Test
    void incrementalOverEverySplitEqualsOneShot() {
        byte[] data = Golden.l3(Golden.UDP_FRAME);
        int whole = InternetChecksum.compute(data, 0, data.length);
        ChecksumAccumulator acc = new ChecksumAccumulator();
        for (int a = 0; a <= data.length; a++) {
            for (int b = a; b <= data.length; b++) {
                acc.reset().add(data, 0, a).add(data, a, b - a).add(data, b, data.length - b);
                assertEquals(whole, acc.checksum(), "split at " + a + "," + b);
                int stateless = InternetChecksum.combine(
                        InternetChecksum.combine(InternetChecksum.sum(data, 0, a),
                                InternetChecksum.sum(data, a, b - a), (a & 1) != 0),
                        InternetChecksum.sum(data, b, data.length - b), (b & 1) != 0);
                assertEquals(whole, InternetChecksum.finish(stateless));
            }
        }
    }

    @Test
    void incrementalOverManyRandomPiecesEqualsOneShot() {
        SplittableRandom r = new SplittableRandom(42);
        ChecksumAccumulator acc = new ChecksumAccumulator();
        for (int round = 0; round < 500; round++) {
            byte[] b = new byte[r.nextInt(1, 2000)];
            r.nextBytes(b);
            acc.reset();
            int p = 0;
            while (p < b.length) {
                int n = r.nextInt(0, Math.min(17, b.length - p) + 1);
                acc.add(b, p, n);
                p += n;
            }
            assertEquals(InternetChecksum.compute(b, 0, b.length), acc.checksum());
            assertEquals((b.length & 1) != 0, acc.oddLength());
        }
    }

    @Test
    void pseudoHeaderSumEqualsSumOfItsTwelveBytes() {
        byte[] ph = RefChecksum.pseudoHeader(Golden.HOST_A, Golden.HOST_B, IpProtocol.UDP, 24);
        assertEquals(InternetChecksum.sum(ph, 0, 12),
                InternetChecksum.pseudoHeaderSum(Golden.HOST_A, Golden.HOST_B, IpProtocol.UDP, 24));
        byte[] udp = Golden.l4(Golden.UDP_FRAME);
        ChecksumAccumulator acc = new ChecksumAccumulator()
                .addPseudoHeader(Golden.HOST_A, Golden.HOST_B, IpProtocol.UDP, udp.length).add(udp, 0, udp.length);
        assertEquals(0xffff, acc.sum(), "captured UDP datagram verifies with its pseudo-header");
    }

    /** RFC 1624 section 4: the example where RFC 1141's eqn. 2 gives 0xffff but recomputation gives 0x0000. */
    @Test
    void rfc1624Section4Example() {
        assertEquals(0x0000, InternetChecksum.update(0xdd2f, 0x5555, 0x3285));
    }

    @Test
    void rfc1624UpdateEqualsRecomputationForTtlDecrement() {
        byte[] h = RefChecksum.slice(Golden.l3(Golden.TCP_SYN_FRAME), 0, 20);
        for (int ttl = 255; ttl >= 1; ttl--) {
            h[8] = (byte) ttl;
            h[10] = 0;
            h[11] = 0;
            int cs = InternetChecksum.compute(h, 0, 20);
            int oldWord = (h[8] & 0xff) << 8 | (h[9] & 0xff);
            h[8] = (byte) (ttl - 1);
            int newWord = (h[8] & 0xff) << 8 | (h[9] & 0xff);
            int expected = InternetChecksum.compute(h, 0, 20);
            assertEquals(expected, InternetChecksum.update(cs, oldWord, newWord), "ttl " + ttl);
        }
    }

    @Test
    void rfc1624UpdateEqualsRecomputationOnRandomHeaders() {
        SplittableRandom r = new SplittableRandom(1624);
        for (int round = 0; round < 20000; round++) {
            byte[] h = new byte[20];
            r.nextBytes(h);
            h[0] = 0x45;
            h[10] = 0;
            h[11] = 0;
            int cs = InternetChecksum.compute(h, 0, 20);
            int word = 2 * r.nextInt(10);
            if (word == 10) {
                continue;
            }
            int oldWord = (h[word] & 0xff) << 8 | (h[word + 1] & 0xff);
            int newWord = r.nextInt(0x10000);
            h[word] = (byte) (newWord >>> 8);
            h[word + 1] = (byte) newWord;
            assertEquals(InternetChecksum.compute(h, 0, 20), InternetChecksum.update(cs, oldWord, newWord));
            int addrOff = r.nextBoolean() ? 12 : 16;
            int oldAddr = Ipv4Address.read(h, addrOff);
            int newAddr = r.nextInt();
            int cs2 = InternetChecksum.compute(h, 0, 20);
            Ipv4Address.write(h, addrOff, newAddr);
            assertEquals(InternetChecksum.compute(h, 0, 20), InternetChecksum.update32(cs2, oldAddr, newAddr));
        }
    }

    @Test
    void byteSwapPropertyOfRfc1071Section2B() {
        byte[] b = Hex.bytes("0001 f203 f4f5 f6f7");
        byte[] swapped = Hex.bytes("0100 03f2 f5f4 f7f6");
        assertEquals(InternetChecksum.swapBytes(InternetChecksum.sum(b, 0, 8)), InternetChecksum.sum(swapped, 0, 8));
    }
}
