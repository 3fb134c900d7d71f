package io.jrump.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TcpTest {
    private final TcpPacket view = new TcpPacket();

    /** What Linux put in the captured SYN. */
    private static final TcpRepr SYN = new TcpRepr(41472, 8080, 0x347779a2, 0, TcpFlags.SYN, 64240, 0,
            1460, 10, true, new TcpRepr.Timestamps(0x4fdfc3df, 0), List.of(), 0);

    private static final TcpRepr ACK = new TcpRepr(41472, 8080, 0x347779a3, 0x47db9a8a, TcpFlags.ACK, 63, 0,
            TcpRepr.NO_OPTION, TcpRepr.NO_OPTION, false, new TcpRepr.Timestamps(0x4fdfc3df, 0xf0e3e789),
            List.of(), 0);

    private static final List<TcpRepr.SackBlock> BLOCKS = List.of(
            new TcpRepr.SackBlock(0x47db9a8b, 0x47db9b8b),
            new TcpRepr.SackBlock(0x47db9c8b, 0x47db9d8b),
            new TcpRepr.SackBlock(0x47db9e8b, 0x47db9f8b));

    @Test
    void parsesCapturedLinuxSyn() throws WireException {
        byte[] s = Golden.l4(Golden.TCP_SYN_FRAME);
        view.wrap(s, 0, s.length);
        assertEquals(WireError.OK, view.check());
        assertTrue(view.verifyChecksum(Golden.HOST_A, Golden.HOST_B));
        assertEquals(40, view.headerLength());
        assertEquals(20, view.optionsLength());
        assertEquals(0, view.payloadLength());
        assertTrue(view.hasFlag(TcpFlags.SYN));
        assertEquals(SYN, TcpRepr.parse(view, Golden.HOST_A, Golden.HOST_B));
    }

    @Test
    void emitsCapturedLinuxSynWithTheSameOptionLayout() {
        byte[] golden = Golden.l4(Golden.TCP_SYN_FRAME);
        assertEquals(40, SYN.headerLen());
        byte[] out = new byte[SYN.bufferLen()];
        SYN.emit(view.wrap(out, 0, out.length), Golden.HOST_A, Golden.HOST_B);
        assertArrayEquals(golden, out);
    }

    @Test
    void buildsTheWholeCapturedSynFrame() {
        byte[] golden = Golden.bytes(Golden.TCP_SYN_FRAME);
        byte[] out = new byte[14 + 20 + SYN.bufferLen()];
        EthernetFrame eth = new EthernetFrame().wrap(out, 0, out.length);
        new EthernetRepr(Golden.MAC_A, Golden.MAC_B, EtherType.IPV4).emit(eth);
        Ipv4Packet ip = new Ipv4Packet().wrap(out, eth.payloadOffset(), eth.payloadLength());
        new Ipv4Repr(Golden.HOST_A, Golden.HOST_B, IpProtocol.TCP, SYN.bufferLen(), 64, 0, 0, 0x2ae4, true, false, 0)
                .emit(ip);
        SYN.emit(view.wrap(out, ip.payloadOffset(), ip.payloadLength()), Golden.HOST_A, Golden.HOST_B);
        assertArrayEquals(golden, out);
    }

    @Test
    void capturedAckWithNopNopTimestamps() throws WireException {
        byte[] golden = Golden.l4(Golden.TCP_ACK_FRAME);
        assertEquals(ACK, TcpRepr.parse(view.wrap(golden, 0, golden.length), Golden.HOST_A, Golden.HOST_B));
        byte[] out = new byte[ACK.bufferLen()];
        ACK.emit(view.wrap(out, 0, out.length), Golden.HOST_A, Golden.HOST_B);
        assertArrayEquals(golden, out);
    }

    @Test
    void sackBlocksInAlignedLayout() throws WireException {
        TcpRepr r = new TcpRepr(8080, 41472, 0x47db9a8a, 0x347779a4, TcpFlags.ACK, 64, 0, TcpRepr.NO_OPTION,
                TcpRepr.NO_OPTION, false, new TcpRepr.Timestamps(0xf0e3e78b, 0x4fdfc3e0), BLOCKS, 0);
        byte[] golden = Golden.bytes(Golden.TCP_SACK_SEGMENT);
        byte[] out = new byte[r.bufferLen()];
        r.emit(view.wrap(out, 0, out.length), Golden.HOST_B, Golden.HOST_A);
        assertArrayEquals(golden, out);
        assertEquals(r, TcpRepr.parse(view, Golden.HOST_B, Golden.HOST_A));
    }

    @Test
    void optionsThatOnlyFitPackedArePacked() throws WireException {
        TcpRepr r = new TcpRepr(8080, 41472, 0x47db9a8a, 0x347779a4, TcpFlags.SYN | TcpFlags.ACK, 64, 0, 1460,
                TcpRepr.NO_OPTION, false, new TcpRepr.Timestamps(0xf0e3e78b, 0x4fdfc3e0), BLOCKS, 0);
        assertEquals(40, r.optionsLength());
        byte[] golden = Golden.bytes(Golden.TCP_PACKED_SEGMENT);
        assertEquals(r, TcpRepr.parse(view.wrap(golden, 0, golden.length), Golden.HOST_B, Golden.HOST_A));
        byte[] out = new byte[r.bufferLen()];
        r.emit(view.wrap(out, 0, out.length), Golden.HOST_B, Golden.HOST_A);
        assertArrayEquals(golden, out);
    }

    @Test
    void payloadIsCoveredByTheChecksum() throws WireException {
        TcpRepr r = TcpRepr.of(1, 2, 100, 200, TcpFlags.ACK | TcpFlags.PSH, 1000, 5);
        byte[] out = new byte[r.bufferLen()];
        byte[] data = "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(data, 0, out, r.headerLen(), 5);
        r.emit(view.wrap(out, 0, out.length), Golden.HOST_A, Golden.HOST_B);
        assertEquals(0, RefChecksum.of(RefChecksum.pseudoHeader(Golden.HOST_A, Golden.HOST_B, 6, 25), out));
        assertEquals(r, TcpRepr.parse(view, Golden.HOST_A, Golden.HOST_B));
        assertEquals(20, view.payloadOffset());
        out[22] ^= 1;
        assertEquals(WireError.BAD_CHECKSUM, assertThrows(WireException.class,
                () -> TcpRepr.parse(view, Golden.HOST_A, Golden.HOST_B)).error());
    }

    @Test
    void truncatedAtEveryLength() {
        byte[] s = Golden.l4(Golden.TCP_SYN_FRAME);
        for (int len = 0; len < s.length; len++) {
            assertEquals(WireError.TRUNCATED, view.wrap(s, 0, len).check(), "length " + len);
            assertEquals(WireError.TRUNCATED, assertThrows(WireException.class,
                    () -> TcpRepr.parse(view, Golden.HOST_A, Golden.HOST_B)).error());
        }
    }

    @Test
    void badChecksum() {
        byte[] s = Golden.l4(Golden.TCP_SYN_FRAME);
        s[5] ^= 0x10;
        view.wrap(s, 0, s.length);
        assertEquals(WireError.OK, view.check());
        assertFalse(view.verifyChecksum(Golden.HOST_A, Golden.HOST_B));
        assertEquals(WireError.BAD_CHECKSUM, assertThrows(WireException.class,
                () -> TcpRepr.parse(view, Golden.HOST_A, Golden.HOST_B)).error());
    }

    @Test
    void dataOffsetBelowFiveIsBadHeaderLength() {
        byte[] s = Golden.l4(Golden.TCP_SYN_FRAME);
        s[12] = 0x40;
        assertEquals(WireError.BAD_HEADER_LENGTH, view.wrap(s, 0, s.length).check());
        s[12] = (byte) 0xf0;
        assertEquals(WireError.TRUNCATED, view.check(), "60-byte header in 40 bytes");
    }

    @Test
    void duplicateOptionLastWinsAndUnknownIsSkipped() throws WireException {
        byte[] s = new byte[20 + 16];
        TcpRepr.of(1, 2, 3, 4, TcpFlags.SYN, 5, 0).emit(view.wrap(s, 0, 20), 0, 0);
        System.arraycopy(Hex.bytes("02040100 1e040000 02040200 01010000"), 0, s, 20, 16);
        view.wrap(s, 0, s.length);
        view.setHeaderLength(36);
        view.fillChecksum(0, 0);
        TcpRepr r = TcpRepr.parse(view, 0, 0);
        assertEquals(0x200, r.maxSegmentSize());
        assertFalse(r.sackPermitted());
    }

    @Test
    void reprValidation() {
        assertThrows(IllegalArgumentException.class, () -> TcpRepr.of(-1, 2, 0, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> TcpRepr.of(1, 2, 0, 0, 0x100, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new TcpRepr(1, 2, 0, 0, 0, 0, 0, 1460, 7, true,
                new TcpRepr.Timestamps(1, 2), BLOCKS, 0), "4+2+10+3+26 = 45 bytes of options");
        List<TcpRepr.SackBlock> five = List.of(BLOCKS.get(0), BLOCKS.get(1), BLOCKS.get(2), BLOCKS.get(0),
                BLOCKS.get(1));
        assertThrows(IllegalArgumentException.class, () -> new TcpRepr(1, 2, 0, 0, 0, 0, 0, TcpRepr.NO_OPTION,
                TcpRepr.NO_OPTION, false, null, five, 0));
        assertThrows(IllegalArgumentException.class,
                () -> SYN.emit(view.wrap(new byte[39], 0, 39), Golden.HOST_A, Golden.HOST_B));
        assertEquals(List.of(), new TcpRepr(1, 2, 0, 0, 0, 0, 0, -1, -1, false, null, null, 0).sackBlocks());
    }

    @Test
    void settersAndToString() {
        byte[] s = new byte[20];
        view.wrap(s, 0, 20);
        view.setHeaderLength(20);
        view.setFlags(TcpFlags.FIN | TcpFlags.ACK);
        view.setUrgentPointer(7);
        view.setWindow(0xffff);
        view.setSequenceNumber(-1);
        assertEquals(WireError.OK, view.check());
        assertEquals(0, view.reservedBits());
        assertEquals(-1, view.sequenceNumber());
        assertEquals(7, view.urgentPointer());
        assertTrue(SYN.toString().contains("mss 1460"));
        assertTrue(SYN.toString().contains("seq 880245154"));
    }
}
