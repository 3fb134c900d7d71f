package io.jrump.virtif;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.Kernel;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.wire.InternetChecksum;
import io.jrump.wire.IpProtocol;
import io.jrump.testkit.RumpKernel;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * What the tap puts in the virtio header for the kernel's offload flags, and what the kernel gets for the headers
 * Linux sends: partial TCP checksums pass through as {@code M_CSUM_TCPv4}, other partial checksums are finished,
 * and headers that do not fit the frame drop it.
 */
@RumpKernel(components = "rumpnet_virtif")
class TapOffloadTest {
    static final int SRC = 0xc6120001;
    static final int DST = 0xc6120002;

    /** An Ethernet/IPv4 frame of protocol {@code proto}, transport header {@code thl} bytes, {@code payload} bytes. */
    static byte[] frame(int proto, int thl, int payload) {
        int ipLen = 20 + thl + payload;
        byte[] f = new byte[14 + ipLen];
        Arrays.fill(f, 0, 12, (byte) 2);
        f[12] = 0x08;
        f[14] = 0x45;
        put16(f, 16, ipLen);
        f[20] = 0x40;
        f[22] = 64;
        f[23] = (byte) proto;
        put32(f, 26, SRC);
        put32(f, 30, DST);
        put16(f, 24, InternetChecksum.compute(f, 14, 20));
        if (proto == IpProtocol.TCP) {
            put16(f, 34, 5001);
            put16(f, 36, 80);
            f[46] = (byte) (thl / 4 << 4);
            f[47] = 0x18;
            put16(f, 48, 65535);
        } else {
            put16(f, 34, 5001);
            put16(f, 36, 9);
            put16(f, 38, thl + payload);
        }
        for (int i = 14 + 20 + thl; i < f.length; i++) {
            f[i] = (byte) (i * 7);
        }
        return f;
    }

    /** The frame with the transport checksum field at {@code field} holding the pseudo-header sum: Linux's partial form. */
    static byte[] partial(byte[] f, int proto, int field) {
        put16(f, field, InternetChecksum.pseudoHeaderSum(SRC, DST, proto, f.length - 34));
        return f;
    }

    static boolean verifies(byte[] f, int proto) {
        int pseudo = InternetChecksum.pseudoHeaderSum(SRC, DST, proto, f.length - 34);
        return InternetChecksum.add(pseudo, InternetChecksum.sum(f, 34, f.length - 34)) == 0xffff;
    }

    static VirtioNetHdr hdr(int flags, int gso, int start, int offset) {
        VirtioNetHdr h = new VirtioNetHdr();
        h.flags = flags;
        h.gsoType = gso;
        h.csumStart = start;
        h.csumOffset = offset;
        return h;
    }

    @Test
    void aPartialTcpChecksumFromLinuxReachesTheStackUntouchedAndFlagged() {
        byte[] f = partial(frame(IpProtocol.TCP, 20, 60000), IpProtocol.TCP, 50);
        byte[] before = f.clone();
        VirtioNetHdr h = hdr(VirtioNetHdr.F_NEEDS_CSUM, VirtioNetHdr.GSO_TCPV4, 34, 16);
        h.gsoSize = 1448;
        assertEquals(CsumFlags.M_CSUM_TCPv4, TapOffload.forReceive(h, f, 0, f.length, true));
        assertArrayEquals(before, f);
    }

    @Test
    void aPartialTcpChecksumIsFinishedForASinkThatChecks() {
        byte[] f = partial(frame(IpProtocol.TCP, 20, 1000), IpProtocol.TCP, 50);
        assertFalse(verifies(f, IpProtocol.TCP));
        assertEquals(0, TapOffload.forReceive(hdr(VirtioNetHdr.F_NEEDS_CSUM, 0, 34, 16), f, 0, f.length, false));
        assertTrue(verifies(f, IpProtocol.TCP));
    }

    @Test
    void aPartialUdpChecksumIsFinishedHere() {
        byte[] f = partial(frame(IpProtocol.UDP, 8, 1472), IpProtocol.UDP, 40);
        assertEquals(0, TapOffload.forReceive(hdr(VirtioNetHdr.F_NEEDS_CSUM, 0, 34, 6), f, 0, f.length, true));
        assertTrue(verifies(f, IpProtocol.UDP));
    }

    @Test
    void dataValidTcpBecomesThePartialFormSoACaptureCanFinishItAgain() {
        byte[] f = partial(frame(IpProtocol.TCP, 20, 500), IpProtocol.TCP, 50);
        io.jrump.wire.ChecksumOffload.completeTcpInFrame(f, 0, f.length);
        byte[] complete = f.clone();
        assertEquals(CsumFlags.M_CSUM_TCPv4,
                TapOffload.forReceive(hdr(VirtioNetHdr.F_DATA_VALID, 0, 0, 0), f, 0, f.length, true));
        assertNotEquals(complete[50] << 8 | complete[51], f[50] << 8 | f[51]);
        io.jrump.wire.ChecksumOffload.completeTcpInFrame(f, 0, f.length);
        assertArrayEquals(complete, f);
    }

    /**
     * A receiver that leaves the frame in host memory relies on this: where {@code needsOnlyHeaders} says so,
     * the verdict and the headers come out the same from the first {@code HEADERS} bytes alone as from the
     * whole frame; only a checksum to compute over the frame needs all of it.
     */
    @Test
    void theHeadersAloneDecideWhereNeedsOnlyHeadersSaysSo() {
        int h = TapOffload.HEADERS;
        byte[] tcp = frame(IpProtocol.TCP, 20, 4000);
        byte[] udp = frame(IpProtocol.UDP, 8, 4000);
        Object[][] cases = {
            {hdr(VirtioNetHdr.F_NEEDS_CSUM, 0, 34, 16), partial(tcp.clone(), IpProtocol.TCP, 50), true, true},
            {hdr(VirtioNetHdr.F_NEEDS_CSUM, VirtioNetHdr.GSO_TCPV4, 34, 16), partial(tcp.clone(), IpProtocol.TCP, 50),
                true, true},
            {hdr(VirtioNetHdr.F_DATA_VALID, 0, 0, 0), tcp.clone(), true, true},
            {new VirtioNetHdr(), udp.clone(), true, true},
            {hdr(0, VirtioNetHdr.GSO_UDP, 34, 6), udp.clone(), true, true},
            {hdr(VirtioNetHdr.F_NEEDS_CSUM, 0, 34, 16), partial(tcp.clone(), IpProtocol.TCP, 50), false, false},
            {hdr(VirtioNetHdr.F_NEEDS_CSUM, 0, 34, 6), partial(udp.clone(), IpProtocol.UDP, 40), true, false},
        };
        for (Object[] c : cases) {
            VirtioNetHdr hd = (VirtioNetHdr) c[0];
            byte[] whole = (byte[]) c[1];
            boolean partialOk = (Boolean) c[2];
            assertEquals(c[3], TapOffload.needsOnlyHeaders(hd, whole, 0, whole.length, partialOk), hd + " " + partialOk);
            if ((Boolean) c[3]) {
                byte[] head = Arrays.copyOf(whole, whole.length);
                Arrays.fill(head, h, head.length, (byte) 0x5a);
                assertEquals(TapOffload.forReceive(hd, whole, 0, whole.length, partialOk),
                        TapOffload.forReceive(hd, head, 0, head.length, partialOk));
                assertArrayEquals(Arrays.copyOf(whole, h), Arrays.copyOf(head, h), "the same headers");
            }
        }
    }

    @Test
    void headersThatDoNotFitTheFrameDropIt() {
        byte[] tcp = partial(frame(IpProtocol.TCP, 20, 100), IpProtocol.TCP, 50);
        byte[] udp = partial(frame(IpProtocol.UDP, 8, 100), IpProtocol.UDP, 40);
        assertEquals(TapOffload.DROP, TapOffload.forReceive(hdr(1, VirtioNetHdr.GSO_UDP, 34, 6), udp, 0, udp.length, true));
        assertEquals(TapOffload.DROP, TapOffload.forReceive(hdr(1, VirtioNetHdr.GSO_TCPV6, 34, 16), tcp, 0, tcp.length, true));
        assertEquals(TapOffload.DROP, TapOffload.forReceive(hdr(1, VirtioNetHdr.GSO_TCPV4, 34, 16), udp, 0, udp.length, true));
        assertEquals(TapOffload.DROP, TapOffload.forReceive(hdr(0, VirtioNetHdr.GSO_TCPV4, 0, 0), tcp, 0, tcp.length, true));
        assertEquals(TapOffload.DROP, TapOffload.forReceive(hdr(1, 0, 34, tcp.length), tcp, 0, tcp.length, true));
        assertEquals(TapOffload.DROP, TapOffload.forReceive(hdr(1, 0, 2, 6), udp, 0, udp.length, true));
        assertEquals(0, TapOffload.forReceive(new VirtioNetHdr(), tcp, 0, tcp.length, true), "nothing asked, nothing done");
    }

    static Mbuf chain(MbufPool pool, byte[] f, int split) {
        Mbuf a = MbufCopy.fromBytes(pool, f, 0, split);
        Mbuf b = MbufCopy.fromBytes(pool, f, split, f.length - split);
        a.setNext(b);
        a.pkthdr().setLen(f.length);
        return a;
    }

    @Test
    void tsoAndPartialChecksumsBecomeTheVirtioHeaderLinuxExpects(Kernel k) {
        MbufPool pool = new MbufPool(k);
        VirtioNetHdr h = new VirtioNetHdr();
        byte[] f = frame(IpProtocol.TCP, 32, 65483);
        f[14 + 20 + 13] |= (byte) 0x80;
        Mbuf m = chain(pool, f, 40);
        m.pkthdr().setCsumFlags(CsumFlags.M_CSUM_TSOv4 | CsumFlags.M_CSUM_TCPv4);
        m.pkthdr().setCsumData(1448);
        assertTrue(TapOffload.forTransmit(m, h));
        assertEquals("virtio_net_hdr{flags=1 gso_type=129 hdr_len=66 gso_size=1448 csum_start=34 csum_offset=16}",
                h.toString(), "TCPv4 with ECN because CWR is set; headers read across the mbuf boundary");

        m.pkthdr().setCsumFlags(CsumFlags.M_CSUM_TCPv4);
        assertTrue(TapOffload.forTransmit(m, h));
        assertEquals("virtio_net_hdr{flags=1 gso_type=0 hdr_len=0 gso_size=0 csum_start=34 csum_offset=16}", h.toString());

        m.pkthdr().setCsumFlags(0);
        assertTrue(TapOffload.forTransmit(m, h));
        assertEquals(new VirtioNetHdr().toString(), h.toString());
        pool.freeChain(m);
    }

    @Test
    void offloadFlagsOnAFrameThatIsNotTcpOrHasNoMssRefuseIt(Kernel k) {
        MbufPool pool = new MbufPool(k);
        VirtioNetHdr h = new VirtioNetHdr();
        Mbuf udp = MbufCopy.fromBytes(pool, frame(IpProtocol.UDP, 8, 100), 0, 142);
        udp.pkthdr().setCsumFlags(CsumFlags.M_CSUM_TCPv4);
        assertFalse(TapOffload.forTransmit(udp, h));
        Mbuf tcp = MbufCopy.fromBytes(pool, frame(IpProtocol.TCP, 20, 100), 0, 154);
        tcp.pkthdr().setCsumFlags(CsumFlags.M_CSUM_TSOv4);
        tcp.pkthdr().setCsumData(0);
        assertFalse(TapOffload.forTransmit(tcp, h));
        pool.freeChain(udp);
        pool.freeChain(tcp);
    }

    static void put16(byte[] b, int p, int v) {
        b[p] = (byte) (v >>> 8);
        b[p + 1] = (byte) v;
    }

    static int get32(byte[] b, int p) {
        return (b[p] & 0xff) << 24 | (b[p + 1] & 0xff) << 16 | (b[p + 2] & 0xff) << 8 | b[p + 3] & 0xff;
    }

    static void put32(byte[] b, int p, int v) {
        put16(b, p, v >>> 16);
        put16(b, p + 2, v);
    }
}
