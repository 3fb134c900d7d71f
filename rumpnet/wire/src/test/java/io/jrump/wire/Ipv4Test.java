package io.jrump.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Ipv4Test {
    private final Ipv4Packet view = new Ipv4Packet();

    /** The header of the captured UDP datagram: DF, id 0x7083, TTL 64. */
    private static final Ipv4Repr UDP_HEADER = new Ipv4Repr(Golden.HOST_A, Golden.HOST_B, IpProtocol.UDP, 24,
            64, 0, 0, 0x7083, true, false, 0);

    @Test
    void parsesCapturedHeader() throws WireException {
        byte[] d = Golden.l3(Golden.UDP_FRAME);
        view.wrap(d, 0, d.length);
        assertEquals(WireError.OK, view.check());
        assertTrue(view.verifyChecksum());
        assertEquals(UDP_HEADER, Ipv4Repr.parse(view));
        assertEquals(20, view.payloadOffset());
        assertEquals(24, view.payloadLength());
        assertEquals(0, view.optionsLength());
        assertFalse(view.isFragment());
    }

    @Test
    void emitsCapturedHeaderByteForByte() {
        byte[] golden = Golden.l3(Golden.UDP_FRAME);
        byte[] out = new byte[20];
        UDP_HEADER.emit(view.wrap(out, 0, 20));
        assertArrayEquals(RefChecksum.slice(golden, 0, 20), out);
    }

    @Test
    void dscpOfLinuxIcmpErrorsRoundTrips() throws WireException {
        byte[] d = Golden.l3(Golden.PORT_UNREACHABLE_FRAME);
        Ipv4Repr r = Ipv4Repr.parse(view.wrap(d, 0, d.length));
        assertEquals(48, r.dscp());
        assertEquals(0, r.ecn());
        assertFalse(r.dontFragment());
        byte[] out = new byte[20];
        r.emit(view.wrap(out, 0, 20));
        assertArrayEquals(RefChecksum.slice(d, 0, 20), out);
    }

    @Test
    void truncatedAtEveryLength() {
        byte[] d = Golden.l3(Golden.TCP_SYN_FRAME);
        for (int len = 0; len < d.length; len++) {
            assertEquals(WireError.TRUNCATED, view.wrap(d, 0, len).check(), "length " + len);
            assertEquals(WireError.TRUNCATED, assertThrows(WireException.class, () -> Ipv4Repr.parse(view)).error());
        }
    }

    @Test
    void malformedHeadersAreClassified() {
        byte[] d = Golden.l3(Golden.UDP_FRAME);
        assertEquals(WireError.BAD_VERSION, edit(d, 0, 0x65).check());
        assertEquals(WireError.BAD_HEADER_LENGTH, edit(d, 0, 0x44).check());
        assertEquals(WireError.BAD_HEADER_LENGTH, edit(d, 0, 0x40).check());
        assertEquals(WireError.TRUNCATED, edit(d, 0, 0x4f).check(), "IHL 15 needs 60 bytes, 44 present");
        assertEquals(WireError.BAD_TOTAL_LENGTH, edit(d, 3, 19).check());
        assertEquals(WireError.OK, edit(d, 3, 20).check(), "a datagram may be just a header");
        assertEquals(WireError.TRUNCATED, edit(d, 3, 45).check());
    }

    private Ipv4Packet edit(byte[] original, int index, int value) {
        byte[] copy = original.clone();
        copy[index] = (byte) value;
        return view.wrap(copy, 0, copy.length);
    }

    @Test
    void linkPaddingAfterTotalLengthIsNotPayload() throws WireException {
        byte[] d = new byte[60];
        System.arraycopy(Golden.l3(Golden.UDP_FRAME), 0, d, 0, 44);
        view.wrap(d, 0, d.length);
        assertEquals(WireError.OK, view.check());
        assertEquals(24, view.payloadLength());
        assertEquals(UDP_HEADER, Ipv4Repr.parse(view));
    }

    @Test
    void badChecksumIsDetectedSeparately() {
        byte[] d = Golden.l3(Golden.UDP_FRAME);
        d[5] ^= 0x01;
        view.wrap(d, 0, d.length);
        assertEquals(WireError.OK, view.check());
        assertFalse(view.verifyChecksum());
        assertEquals(WireError.BAD_CHECKSUM, assertThrows(WireException.class, () -> Ipv4Repr.parse(view)).error());
    }

    @Test
    void headerWithRouterAlertOption() throws WireException {
        byte[] d = Golden.bytes(Golden.IPV4_ROUTER_ALERT);
        view.wrap(d, 0, d.length);
        assertEquals(WireError.OK, view.check());
        assertTrue(view.verifyChecksum());
        assertEquals(24, view.headerLength());
        assertEquals(20, view.optionsOffset());
        assertEquals(4, view.optionsLength());
        assertEquals(0x94, d[view.optionsOffset()] & 0xff);
        assertEquals(24, view.payloadOffset());
        assertEquals(8, view.payloadLength());
        Ipv4Repr r = Ipv4Repr.parse(view);
        assertEquals(new Ipv4Repr(Golden.HOST_A, Ipv4Address.parse("224.0.0.251"), IpProtocol.IGMP, 8,
                1, 48, 0, 0, true, false, 0), r);
        assertEquals(0, RefChecksum.of(RefChecksum.slice(d, 24, 8)), "the IGMP message checksum");
    }

    @Test
    void fragmentFields() throws WireException {
        Ipv4Repr frag = new Ipv4Repr(Golden.HOST_A, Golden.HOST_B, IpProtocol.UDP, 1480, 64, 0, 0, 0xbeef,
                false, true, 2960);
        byte[] d = new byte[1500];
        frag.emit(view.wrap(d, 0, d.length));
        assertEquals("4500 05dc beef 2172".replace(" ", ""), Hex.string(d, 0, 8));
        assertEquals(WireError.OK, view.check());
        assertTrue(view.isFragment());
        assertTrue(view.moreFragments());
        assertEquals(2960, view.fragmentOffset());
        assertEquals(frag, Ipv4Repr.parse(view));
    }

    @Test
    void fragmentEndingPast65535IsRejected() {
        byte[] d = new byte[28];
        Ipv4Repr frag = new Ipv4Repr(Golden.HOST_A, Golden.HOST_B, IpProtocol.ICMP, 8, 64, 0, 0, 1,
                false, false, 0x1fff * 8);
        frag.emit(view.wrap(d, 0, d.length));
        assertEquals(WireError.BAD_FRAGMENT, view.check());
        Ipv4Repr lastFitting = new Ipv4Repr(Golden.HOST_A, Golden.HOST_B, IpProtocol.ICMP, 8, 64, 0, 0, 1,
                false, false, 65504);
        lastFitting.emit(view.wrap(d, 0, d.length));
        assertEquals(WireError.OK, view.check());
    }

    @Test
    void decrementTtlMatchesRecomputation() {
        byte[] d = Golden.l3(Golden.TCP_SYN_FRAME);
        view.wrap(d, 0, d.length);
        for (int expected = 63; expected >= 1; expected--) {
            assertEquals(expected, view.decrementTtl());
            assertTrue(view.verifyChecksum(), "ttl " + expected);
            int incremental = view.checksum();
            view.fillChecksum();
            assertEquals(view.checksum(), incremental);
        }
    }

    @Test
    void settersRoundTrip() {
        byte[] d = new byte[24];
        view.wrap(d, 0, 24);
        view.setVersionAndHeaderLength(24);
        view.setDscp(46);
        view.setEcn(3);
        view.setTotalLength(24);
        view.setFlagsAndFragmentOffset(true, true, 8 * 100);
        view.setTtl(7);
        view.setProtocol(99);
        view.setSource(1);
        view.setDestination(2);
        view.setIdentification(0xffff);
        view.fillChecksum();
        assertEquals(WireError.OK, view.check());
        assertTrue(view.verifyChecksum());
        assertEquals(46, view.dscp());
        assertEquals(3, view.ecn());
        assertTrue(view.dontFragment());
        assertTrue(view.moreFragments());
        assertEquals(800, view.fragmentOffset());
        assertEquals(0, view.payloadLength());
        assertEquals(0xffff, view.identification());
    }

    @Test
    void reprRejectsOutOfRangeFields() {
        assertThrows(IllegalArgumentException.class,
                () -> new Ipv4Repr(0, 0, 6, 0, 64, 0, 0, 0, false, false, 12));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Repr.of(0, 0, 6, 65516, 64));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Repr.of(0, 0, 256, 0, 64));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Repr.of(0, 0, 6, 0, 256));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Repr.of(0, 0, 6, 0, 64).emit(view.wrap(new byte[19], 0, 19)));
    }

    @Test
    void wikipediaHeaderParsesIfPayloadIsPresent() throws WireException {
        byte[] d = new byte[0x73];
        System.arraycopy(Golden.bytes(Golden.WIKIPEDIA_IPV4_HEADER), 0, d, 0, 20);
        Ipv4Repr r = Ipv4Repr.parse(view.wrap(d, 0, d.length));
        assertEquals("192.168.0.1", Ipv4Address.format(r.source()));
        assertEquals("192.168.0.199", Ipv4Address.format(r.destination()));
        assertEquals(0x73 - 20, r.payloadLength());
        assertEquals(WireError.TRUNCATED, view.wrap(d, 0, 20).check());
        assertEquals(WireError.OK, view.checkHeader());
    }
}
