package io.jrump.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Checks the golden arrays themselves with {@link RefChecksum} (which shares no code with the module), then runs
 * every captured frame through all layers, whole and truncated at every length.
 */
class GoldenTest {

    @Test
    void everyGoldenChecksumVerifiesIndependently() {
        for (String hex : Golden.CAPTURED_FRAMES) {
            byte[] f = Golden.bytes(hex);
            if (((f[12] & 0xff) << 8 | (f[13] & 0xff)) != EtherType.IPV4) {
                continue;
            }
            int ihl = (f[14] & 0x0f) * 4;
            assertEquals(0, RefChecksum.of(RefChecksum.slice(f, 14, ihl)), "IPv4 header of " + hex);
            byte[] l4 = Golden.l4(hex);
            int proto = f[14 + 9];
            int src = Ipv4Address.read(f, 26);
            int dst = Ipv4Address.read(f, 30);
            byte[] pseudo = proto == IpProtocol.ICMP ? new byte[0] : RefChecksum.pseudoHeader(src, dst, proto, l4.length);
            assertEquals(0, RefChecksum.of(pseudo, l4), "transport checksum of " + hex);
        }
        assertEquals(0, RefChecksum.of(Golden.bytes(Golden.WIKIPEDIA_IPV4_HEADER)));
        assertEquals(0, RefChecksum.of(Golden.bytes(Golden.FRAG_NEEDED_ICMP)));
        assertEquals(0, RefChecksum.of(Golden.bytes(Golden.TIME_EXCEEDED_ICMP)));
        byte[] ra = Golden.bytes(Golden.IPV4_ROUTER_ALERT);
        assertEquals(0, RefChecksum.of(RefChecksum.slice(ra, 0, 24)));
        for (String seg : new String[] {Golden.TCP_SACK_SEGMENT, Golden.TCP_PACKED_SEGMENT}) {
            byte[] s = Golden.bytes(seg);
            assertEquals(0, RefChecksum.of(RefChecksum.pseudoHeader(Golden.HOST_B, Golden.HOST_A, 6, s.length), s));
        }
    }

    @Test
    void everyCapturedFrameDecodesThroughAllLayers() {
        FrameDecoder d = new FrameDecoder();
        for (String hex : Golden.CAPTURED_FRAMES) {
            byte[] f = Golden.bytes(hex);
            assertEquals(WireError.OK, d.decode(f, 0, f.length), hex);
        }
    }

    @Test
    void everyTruncationOfEveryCapturedFrameIsReportedAsTruncated() {
        FrameDecoder d = new FrameDecoder();
        for (String hex : Golden.CAPTURED_FRAMES) {
            byte[] f = Golden.bytes(hex);
            for (int len = 0; len < f.length; len++) {
                assertEquals(WireError.TRUNCATED, d.decode(f, 0, len), "length " + len + " of " + hex);
            }
        }
    }

    @Test
    void truncationAtAnOffsetInsideALargerArrayIsAlsoDetected() {
        FrameDecoder d = new FrameDecoder();
        byte[] f = Golden.bytes(Golden.TCP_SYN_FRAME);
        byte[] big = new byte[f.length + 100];
        System.arraycopy(f, 0, big, 37, f.length);
        assertEquals(WireError.OK, d.decode(big, 37, f.length));
        for (int len = 0; len < f.length; len++) {
            assertNotEquals(WireError.OK, d.decode(big, 37, len));
        }
        assertTrue(d.decode(big, 37, f.length + 10).isOk(), "link padding after the datagram is ignored");
    }
}
