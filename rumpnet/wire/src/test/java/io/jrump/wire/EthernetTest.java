package io.jrump.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class EthernetTest {
    private final EthernetFrame view = new EthernetFrame();

    @Test
    void parsesCapturedArpRequestFrame() throws WireException {
        byte[] f = Golden.bytes(Golden.ARP_REQUEST_FRAME);
        assertEquals(WireError.OK, view.wrap(f, 0, f.length).check());
        EthernetRepr r = EthernetRepr.parse(view);
        assertEquals(new EthernetRepr(Golden.MAC_A, MacAddress.BROADCAST.bits(), EtherType.ARP), r);
        assertEquals(14, view.payloadOffset());
        assertEquals(28, view.payloadLength());
    }

    @Test
    void emitsGoldenHeader() {
        byte[] golden = Golden.bytes(Golden.UDP_FRAME);
        byte[] out = new byte[14];
        new EthernetRepr(Golden.MAC_A, Golden.MAC_B, EtherType.IPV4).emit(view.wrap(out, 0, 14));
        assertArrayEquals(RefChecksum.slice(golden, 0, 14), out);
    }

    @Test
    void truncatedAtEveryLength() {
        byte[] f = Golden.bytes(Golden.UDP_FRAME);
        for (int len = 0; len < EthernetFrame.HEADER_LEN; len++) {
            assertEquals(WireError.TRUNCATED, view.wrap(f, 0, len).check());
            WireException e = assertThrows(WireException.class, () -> EthernetRepr.parse(view));
            assertEquals(WireError.TRUNCATED, e.error());
        }
    }

    @Test
    void ieee8023LengthFrameIsUnsupported() {
        byte[] f = Golden.bytes(Golden.UDP_FRAME);
        f[12] = 0x00;
        f[13] = 0x2e;
        assertEquals(WireError.OK, view.wrap(f, 0, f.length).check());
        assertEquals(WireError.UNSUPPORTED, assertThrows(WireException.class, () -> EthernetRepr.parse(view)).error());
    }

    @Test
    void settersWriteInPlaceAtOffset() {
        byte[] b = new byte[20];
        view.wrap(b, 3, 14);
        view.setDestination(Golden.MAC_B);
        view.setSource(Golden.MAC_A);
        view.setEtherType(EtherType.ARP);
        assertEquals(Golden.MAC_B, view.destination());
        assertEquals(Golden.MAC_A, view.source());
        assertEquals(EtherType.ARP, view.etherType());
        assertEquals("000000" + "966060742b28" + "36e48fcd4ca6" + "0806" + "000000", Hex.string(b));
    }

    @Test
    void callerErrorsAreExceptions() {
        assertThrows(IndexOutOfBoundsException.class, () -> view.wrap(new byte[10], 5, 6));
        assertThrows(IllegalArgumentException.class,
                () -> new EthernetRepr(0, 0, EtherType.IPV4).emit(view.wrap(new byte[13], 0, 13)));
        assertThrows(IllegalArgumentException.class, () -> new EthernetRepr(0, 0, 1500));
    }
}
