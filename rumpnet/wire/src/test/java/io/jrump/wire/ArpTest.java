package io.jrump.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ArpTest {
    private final ArpPacket view = new ArpPacket();

    private static final ArpRepr REQUEST = ArpRepr.request(Golden.MAC_A, Golden.HOST_A, Golden.HOST_B);

    @Test
    void parsesCapturedLinuxRequest() throws WireException {
        byte[] f = Golden.bytes(Golden.ARP_REQUEST_FRAME);
        view.wrap(f, 14, f.length - 14);
        assertEquals(WireError.OK, view.check());
        assertEquals(REQUEST, ArpRepr.parse(view));
        assertEquals("ArpRepr[request 36:e4:8f:cd:4c:a6/198.18.0.1 > 00:00:00:00:00:00/198.18.0.2]",
                REQUEST.toString());
    }

    @Test
    void buildsCapturedRequestFrameByteForByte() {
        byte[] out = new byte[42];
        EthernetFrame eth = new EthernetFrame().wrap(out, 0, out.length);
        new EthernetRepr(Golden.MAC_A, MacAddress.BROADCAST.bits(), EtherType.ARP).emit(eth);
        REQUEST.emit(view.wrap(out, eth.payloadOffset(), eth.payloadLength()));
        assertArrayEquals(Golden.bytes(Golden.ARP_REQUEST_FRAME), out);
    }

    @Test
    void replyToCapturedRequestMatchesLinuxReply() throws WireException {
        ArpRepr reply = ArpRepr.replyTo(REQUEST, Golden.MAC_B);
        byte[] golden = Golden.bytes(Golden.ARP_REPLY_FRAME);
        byte[] out = new byte[28];
        reply.emit(view.wrap(out, 0, 28));
        assertArrayEquals(RefChecksum.slice(golden, 14, 28), out);
        assertEquals(reply, ArpRepr.parse(view.wrap(golden, 14, 28)));
    }

    @Test
    void truncatedAtEveryLength() {
        byte[] f = Golden.bytes(Golden.ARP_REQUEST_FRAME);
        for (int len = 0; len < ArpPacket.ETHERNET_IPV4_LEN; len++) {
            assertEquals(WireError.TRUNCATED, view.wrap(f, 14, len).check(), "length " + len);
            assertEquals(WireError.TRUNCATED,
                    assertThrows(WireException.class, () -> ArpRepr.parse(view)).error());
        }
    }

    @Test
    void declaredAddressLengthsBeyondTheBufferAreTruncationNotOverrun() {
        byte[] p = RefChecksum.slice(Golden.bytes(Golden.ARP_REQUEST_FRAME), 14, 28);
        p[4] = (byte) 255;
        assertEquals(WireError.TRUNCATED, view.wrap(p, 0, p.length).check());
    }

    @Test
    void nonEthernetOrNonIpv4IsUnsupported() {
        int[][] edits = {{1, 6}, {2, 0x86}, {4, 8}, {5, 16}};
        for (int[] e : edits) {
            byte[] p = new byte[100];
            System.arraycopy(Golden.bytes(Golden.ARP_REQUEST_FRAME), 14, p, 0, 28);
            p[e[0]] = (byte) e[1];
            assertEquals(WireError.UNSUPPORTED, view.wrap(p, 0, p.length).check(), "edit at " + e[0]);
        }
    }

    @Test
    void rarpOperationIsUnsupportedByTheRepr() {
        byte[] p = RefChecksum.slice(Golden.bytes(Golden.ARP_REQUEST_FRAME), 14, 28);
        p[7] = 3;
        assertEquals(WireError.OK, view.wrap(p, 0, 28).check());
        assertEquals(3, view.operation());
        assertEquals(WireError.UNSUPPORTED, assertThrows(WireException.class, () -> ArpRepr.parse(view)).error());
    }

    @Test
    void paddingAfterTheAddressesIsIgnored() throws WireException {
        byte[] p = new byte[46];
        System.arraycopy(Golden.bytes(Golden.ARP_REQUEST_FRAME), 14, p, 0, 28);
        assertEquals(REQUEST, ArpRepr.parse(view.wrap(p, 0, p.length)));
    }
}
