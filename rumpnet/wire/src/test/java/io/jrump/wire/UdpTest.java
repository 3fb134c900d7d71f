package io.jrump.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class UdpTest {
    private final UdpPacket view = new UdpPacket();
    private static final UdpRepr CAPTURED = new UdpRepr(45675, 9, 16);

    @Test
    void parsesCapturedDatagram() throws WireException {
        byte[] u = Golden.l4(Golden.UDP_FRAME);
        view.wrap(u, 0, u.length);
        assertEquals(WireError.OK, view.check());
        assertTrue(view.verifyChecksum(Golden.HOST_A, Golden.HOST_B));
        assertEquals(CAPTURED, UdpRepr.parse(view, Golden.HOST_A, Golden.HOST_B));
        assertEquals("jrump wire test\n", new String(u, view.payloadOffset(), view.payloadLength(),
                java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void emitsCapturedDatagramWithItsChecksum() {
        byte[] golden = Golden.l4(Golden.UDP_FRAME);
        byte[] out = new byte[golden.length];
        System.arraycopy(golden, 8, out, 8, 16);
        CAPTURED.emit(view.wrap(out, 0, out.length), Golden.HOST_A, Golden.HOST_B);
        assertArrayEquals(golden, out);
        assertEquals(0x8d60, view.checksum());
    }

    @Test
    void buildsTheWholeCapturedFrame() {
        byte[] golden = Golden.bytes(Golden.UDP_FRAME);
        byte[] out = new byte[golden.length];
        System.arraycopy(golden, 42, out, 42, 16);
        EthernetFrame eth = new EthernetFrame().wrap(out, 0, out.length);
        new EthernetRepr(Golden.MAC_A, Golden.MAC_B, EtherType.IPV4).emit(eth);
        Ipv4Packet ip = new Ipv4Packet().wrap(out, eth.payloadOffset(), eth.payloadLength());
        Ipv4Repr ipRepr = new Ipv4Repr(Golden.HOST_A, Golden.HOST_B, IpProtocol.UDP, CAPTURED.bufferLen(), 64, 0, 0,
                0x7083, true, false, 0);
        ipRepr.emit(ip);
        CAPTURED.emit(view.wrap(out, ip.payloadOffset(), ip.payloadLength()), Golden.HOST_A, Golden.HOST_B);
        assertArrayEquals(golden, out);
    }

    @Test
    void truncatedAtEveryLength() {
        byte[] u = Golden.l4(Golden.UDP_FRAME);
        for (int len = 0; len < u.length; len++) {
            assertEquals(WireError.TRUNCATED, view.wrap(u, 0, len).check(), "length " + len);
            assertEquals(WireError.TRUNCATED, assertThrows(WireException.class,
                    () -> UdpRepr.parse(view, Golden.HOST_A, Golden.HOST_B)).error());
        }
    }

    @Test
    void lengthFieldBelowHeaderIsBadLength() {
        byte[] u = Golden.l4(Golden.UDP_FRAME);
        u[5] = 7;
        assertEquals(WireError.BAD_LENGTH, view.wrap(u, 0, u.length).check());
    }

    @Test
    void badChecksumAndWrongPseudoHeaderAreDetected() {
        byte[] u = Golden.l4(Golden.UDP_FRAME);
        view.wrap(u, 0, u.length);
        assertFalse(view.verifyChecksum(Golden.HOST_B, Golden.HOST_B + 1), "the pseudo-header covers the addresses");
        u[10] ^= 1;
        assertFalse(view.verifyChecksum(Golden.HOST_A, Golden.HOST_B));
        assertEquals(WireError.BAD_CHECKSUM, assertThrows(WireException.class,
                () -> UdpRepr.parse(view, Golden.HOST_A, Golden.HOST_B)).error());
    }

    @Test
    void zeroChecksumMeansNoneWasComputed() throws WireException {
        byte[] u = Golden.l4(Golden.UDP_FRAME);
        u[6] = 0;
        u[7] = 0;
        assertEquals(CAPTURED, UdpRepr.parse(view.wrap(u, 0, u.length), Golden.HOST_A, Golden.HOST_B));
    }

    @Test
    void computedZeroIsSentAsAllOnes() {
        byte[] u = new byte[10];
        UdpRepr r = new UdpRepr(1000, 2000, 2);
        r.emit(view.wrap(u, 0, u.length), Golden.HOST_A, Golden.HOST_B);
        int base = InternetChecksum.finish(view.checksum());
        int word = 0xffff - base;
        u[8] = (byte) (word >>> 8);
        u[9] = (byte) word;
        r.emit(view, Golden.HOST_A, Golden.HOST_B);
        assertEquals(0xffff, view.checksum());
        assertTrue(view.verifyChecksum(Golden.HOST_A, Golden.HOST_B));
        assertEquals(0, RefChecksum.of(RefChecksum.pseudoHeader(Golden.HOST_A, Golden.HOST_B, 17, 10), u));
    }

    @Test
    void bytesAfterTheUdpLengthAreIgnored() throws WireException {
        byte[] u = new byte[40];
        System.arraycopy(Golden.l4(Golden.UDP_FRAME), 0, u, 0, 24);
        u[30] = 99;
        view.wrap(u, 0, u.length);
        assertEquals(CAPTURED, UdpRepr.parse(view, Golden.HOST_A, Golden.HOST_B));
        assertEquals(16, view.payloadLength());
    }

    @Test
    void reprValidation() {
        assertThrows(IllegalArgumentException.class, () -> new UdpRepr(65536, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new UdpRepr(1, 1, 65528));
        assertThrows(IllegalArgumentException.class,
                () -> CAPTURED.emit(view.wrap(new byte[23], 0, 23), Golden.HOST_A, Golden.HOST_B));
    }
}
