package io.jrump.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IcmpTest {
    private final IcmpPacket view = new IcmpPacket();

    private static final IcmpQuote UDP_QUOTE_WHOLE =
            new IcmpQuote(Golden.HOST_A, Golden.HOST_B, IpProtocol.UDP, 0x7083, 44, 20, 24);

    @Test
    void parsesCapturedEchoRequest() throws WireException {
        byte[] m = Golden.l4(Golden.ECHO_REQUEST_FRAME);
        view.wrap(m, 0, m.length);
        assertEquals(WireError.OK, view.check());
        assertTrue(view.verifyChecksum());
        assertEquals(IcmpRepr.Echo.request(0x309f, 1, 40), IcmpRepr.parse(view));
        assertEquals(8, view.dataOffset());
        assertEquals(40, view.dataLength());
    }

    @Test
    void emitsCapturedEchoRequest() {
        byte[] golden = Golden.l4(Golden.ECHO_REQUEST_FRAME);
        byte[] out = new byte[golden.length];
        System.arraycopy(golden, 8, out, 8, 40);
        IcmpRepr.Echo.request(0x309f, 1, 40).emit(view.wrap(out, 0, out.length));
        assertArrayEquals(golden, out);
    }

    @Test
    void replyBuiltInTheRequestBufferMatchesLinuxReply() throws WireException {
        byte[] m = Golden.l4(Golden.ECHO_REQUEST_FRAME);
        IcmpRepr.Echo request = (IcmpRepr.Echo) IcmpRepr.parse(view.wrap(m, 0, m.length));
        request.toReply().emit(view);
        assertArrayEquals(Golden.l4(Golden.ECHO_REPLY_FRAME), m);
    }

    @Test
    void parsesAndEmitsCapturedPortUnreachableWithWholeDatagramQuoted() throws WireException {
        byte[] m = Golden.l4(Golden.PORT_UNREACHABLE_FRAME);
        IcmpRepr r = IcmpRepr.parse(view.wrap(m, 0, m.length));
        assertEquals(new IcmpRepr.DestinationUnreachable(IcmpCode.PORT_UNREACHABLE, 0, UDP_QUOTE_WHOLE), r);
        assertArrayEquals(Golden.l3(Golden.UDP_FRAME), RefChecksum.slice(m, 8, 44), "the quote is the datagram");

        byte[] out = new byte[m.length];
        System.arraycopy(Golden.l3(Golden.UDP_FRAME), 0, out, 8, 44);
        r.emit(view.wrap(out, 0, out.length));
        assertArrayEquals(m, out);
    }

    @Test
    void quoteDescribesAnOffendingDatagram() {
        byte[] d = Golden.l3(Golden.UDP_FRAME);
        Ipv4Packet ip = new Ipv4Packet().wrap(d, 0, d.length);
        assertEquals(UDP_QUOTE_WHOLE, IcmpQuote.of(ip, 548));
        assertEquals(new IcmpQuote(Golden.HOST_A, Golden.HOST_B, IpProtocol.UDP, 0x7083, 44, 20, 8),
                IcmpQuote.of(ip, 28));
        assertEquals(8, IcmpQuote.of(ip, 0).dataLength(), "RFC 792's 64 bits are a minimum");
    }

    @Test
    void fragmentationNeededCarriesNextHopMtu() throws WireException {
        byte[] golden = Golden.bytes(Golden.FRAG_NEEDED_ICMP);
        IcmpQuote q = new IcmpQuote(Golden.HOST_A, Golden.HOST_B, IpProtocol.TCP, 0x2ae4, 60, 20, 8);
        IcmpRepr r = new IcmpRepr.DestinationUnreachable(IcmpCode.FRAGMENTATION_NEEDED, 1400, q);
        assertEquals(36, r.bufferLen());
        byte[] out = new byte[36];
        System.arraycopy(Golden.l3(Golden.TCP_SYN_FRAME), 0, out, 8, 28);
        r.emit(view.wrap(out, 0, out.length));
        assertArrayEquals(golden, out);
        assertEquals(1400, view.nextHopMtu());
        assertEquals(r, IcmpRepr.parse(view.wrap(golden, 0, golden.length)));
    }

    @Test
    void nextHopMtuIsIgnoredForOtherCodes() throws WireException {
        byte[] m = Golden.l4(Golden.PORT_UNREACHABLE_FRAME);
        view.wrap(m, 0, m.length);
        view.setRestOfHeader(0x0000_0578);
        view.fillChecksum();
        IcmpRepr.DestinationUnreachable r = (IcmpRepr.DestinationUnreachable) IcmpRepr.parse(view);
        assertEquals(0, r.nextHopMtu());
        assertThrows(IllegalArgumentException.class,
                () -> new IcmpRepr.DestinationUnreachable(IcmpCode.PORT_UNREACHABLE, 1400, UDP_QUOTE_WHOLE));
    }

    @Test
    void timeExceededInTransit() throws WireException {
        byte[] golden = Golden.bytes(Golden.TIME_EXCEEDED_ICMP);
        IcmpRepr r = IcmpRepr.parse(view.wrap(golden, 0, golden.length));
        IcmpQuote q = new IcmpQuote(Golden.HOST_A, Golden.HOST_B, IpProtocol.UDP, 0x7083, 44, 20, 8);
        assertEquals(new IcmpRepr.TimeExceeded(IcmpCode.TTL_EXCEEDED, q), r);
        byte[] out = new byte[golden.length];
        System.arraycopy(golden, 8, out, 8, 28);
        r.emit(view.wrap(out, 0, out.length));
        assertArrayEquals(golden, out);
    }

    @Test
    void truncatedAtEveryLength() {
        for (String frame : new String[] {Golden.ECHO_REQUEST_FRAME, Golden.PORT_UNREACHABLE_FRAME}) {
            byte[] m = Golden.l4(frame);
            for (int len = 0; len < m.length; len++) {
                view.wrap(m, 0, len);
                if (len < IcmpPacket.HEADER_LEN) {
                    assertEquals(WireError.TRUNCATED, view.check());
                }
                WireException e = assertThrows(WireException.class, () -> IcmpRepr.parse(view), "length " + len);
                assertFalse(e.error().isOk());
            }
        }
    }

    @Test
    void badChecksum() {
        byte[] m = Golden.l4(Golden.ECHO_REQUEST_FRAME);
        m[20] ^= 0x40;
        view.wrap(m, 0, m.length);
        assertEquals(WireError.OK, view.check());
        assertFalse(view.verifyChecksum());
        assertEquals(WireError.BAD_CHECKSUM, assertThrows(WireException.class, () -> IcmpRepr.parse(view)).error());
    }

    @Test
    void quoteWithoutRfc792MinimumIsTruncated() {
        byte[] m = RefChecksum.slice(Golden.l4(Golden.PORT_UNREACHABLE_FRAME), 0, 8 + 20 + 7);
        view.wrap(m, 0, m.length).fillChecksum();
        assertEquals(WireError.TRUNCATED, assertThrows(WireException.class, () -> IcmpRepr.parse(view)).error());
    }

    @Test
    void quoteOfATinyDatagramMayHaveLessThanEightDataBytes() throws WireException {
        byte[] m = RefChecksum.slice(Golden.l4(Golden.PORT_UNREACHABLE_FRAME), 0, 8 + 20 + 4);
        m[8 + 3] = 24;
        view.wrap(m, 0, m.length).fillChecksum();
        IcmpRepr r = IcmpRepr.parse(view);
        assertEquals(4, ((IcmpRepr.DestinationUnreachable) r).quote().dataLength());
    }

    @Test
    void malformedQuotedHeader() {
        byte[] m = Golden.l4(Golden.PORT_UNREACHABLE_FRAME);
        m[8] = 0x65;
        view.wrap(m, 0, m.length).fillChecksum();
        assertEquals(WireError.BAD_VERSION, assertThrows(WireException.class, () -> IcmpRepr.parse(view)).error());
        m[8] = 0x45;
        m[8 + 3] = 10;
        view.fillChecksum();
        assertEquals(WireError.BAD_TOTAL_LENGTH,
                assertThrows(WireException.class, () -> IcmpRepr.parse(view)).error());
    }

    @Test
    void otherTypesAndCodesAreUnsupported() {
        int[][] typeCode = {{IcmpType.REDIRECT, 1}, {IcmpType.TIMESTAMP, 0}, {IcmpType.ECHO_REQUEST, 1},
            {IcmpType.DESTINATION_UNREACHABLE, 16}, {IcmpType.TIME_EXCEEDED, 2}, {42, 0}};
        for (int[] tc : typeCode) {
            byte[] m = Golden.l4(Golden.PORT_UNREACHABLE_FRAME);
            view.wrap(m, 0, m.length);
            view.setType(tc[0]);
            view.setCode(tc[1]);
            view.fillChecksum();
            assertEquals(WireError.UNSUPPORTED,
                    assertThrows(WireException.class, () -> IcmpRepr.parse(view)).error(), tc[0] + "/" + tc[1]);
        }
    }

    @Test
    void typesOfRecords() throws WireException {
        byte[] m = Golden.l4(Golden.ECHO_REPLY_FRAME);
        IcmpRepr r = IcmpRepr.parse(view.wrap(m, 0, m.length));
        assertInstanceOf(IcmpRepr.Echo.class, r);
        assertEquals(IcmpType.ECHO_REPLY, r.type());
        assertEquals(48, r.bufferLen());
        assertThrows(IllegalArgumentException.class, () -> r.emit(view.wrap(new byte[47], 0, 47)));
    }
}
