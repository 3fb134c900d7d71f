package io.jrump.virtif;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The 10 bytes of {@code struct virtio_net_hdr} exactly as Linux's tap reads and writes them (little-endian). */
class VirtioNetHdrTest {
    private static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    @Test
    void aTso4SegmentHeaderEncodesToLinuxsBytes() {
        VirtioNetHdr h = new VirtioNetHdr();
        h.flags = VirtioNetHdr.F_NEEDS_CSUM;
        h.gsoType = VirtioNetHdr.GSO_TCPV4;
        h.hdrLen = 66;
        h.gsoSize = 1448;
        h.csumStart = 34;
        h.csumOffset = 16;
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.BIG_ENDIAN);
        b.put(0, (byte) 0xee).put(11, (byte) 0xee);
        h.encode(b, 1);
        assertArrayEquals(bytes("ee 01 01 4200 a805 2200 1000 ee"), b.array(),
                "flags, gso_type, then le16 hdr_len, gso_size, csum_start, csum_offset; nothing else touched");
    }

    @Test
    void aHeaderLinuxWroteDecodesFieldByField() {
        ByteBuffer b = ByteBuffer.wrap(bytes("01 81 4600 b405 2200 1000 ffff"));
        VirtioNetHdr h = new VirtioNetHdr().decode(b, 0);
        assertEquals(VirtioNetHdr.F_NEEDS_CSUM, h.flags);
        assertEquals(VirtioNetHdr.GSO_TCPV4 | VirtioNetHdr.GSO_ECN, h.gsoType);
        assertEquals(70, h.hdrLen);
        assertEquals(1460, h.gsoSize);
        assertEquals(34, h.csumStart);
        assertEquals(16, h.csumOffset);
    }

    @Test
    void largeFieldValuesAreUnsignedAndRoundTrip() {
        ByteBuffer b = ByteBuffer.allocate(VirtioNetHdr.LEN);
        VirtioNetHdr h = new VirtioNetHdr();
        h.flags = VirtioNetHdr.F_DATA_VALID;
        h.gsoType = VirtioNetHdr.GSO_NONE;
        h.hdrLen = 0xfffe;
        h.gsoSize = 0x8001;
        h.csumStart = 0xffff;
        h.csumOffset = 6;
        h.encode(b, 0);
        assertArrayEquals(bytes("02 00 feff 0180 ffff 0600"), b.array());
        VirtioNetHdr d = new VirtioNetHdr().decode(b, 0);
        assertEquals(h.toString(), d.toString());
        assertArrayEquals(new byte[VirtioNetHdr.LEN], encoded(d.clear()), "clear() is the all-zero header");
    }

    private static byte[] encoded(VirtioNetHdr h) {
        ByteBuffer b = ByteBuffer.allocate(VirtioNetHdr.LEN);
        h.encode(b, 0);
        return b.array();
    }
}
