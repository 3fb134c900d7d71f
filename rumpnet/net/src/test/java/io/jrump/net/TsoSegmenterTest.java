package io.jrump.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrump.kern.Kernel;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.testkit.RumpKernel;
import io.jrump.wire.InternetChecksum;
import io.jrump.wire.IpProtocol;
import io.jrump.wire.TcpFlags;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The one segmenter of the transmit path: a TCP packet built at {@code if_buflen} becomes the wire frames a
 * segmenting adapter would send. Each has its own length, IP identification, header checksum and sequence
 * number, its payload slice, a TCP checksum equal to an independent RFC 1071 computation over the RFC 9293
 * section 3.1 pseudo-header (or the pseudo-header sum alone when left partial), and the flags RFC 3168
 * section 6.1.2 and GSO leave on it; golden bytes for one segment's headers.
 */
@RumpKernel(components = "rumpnet_net")
class TsoSegmenterTest {
    private static final int SEQ = 0x01020304;
    private static final int SRC = 0xc6120001;
    private static final int DST = 0xc6120002;

    private static int get16(byte[] b, int o) {
        return (b[o] & 0xff) << 8 | b[o + 1] & 0xff;
    }

    private static int get32(byte[] b, int o) {
        return get16(b, o) << 16 | get16(b, o + 2);
    }

    private static void put16(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 8);
        b[o + 1] = (byte) v;
    }

    private static void put32(byte[] b, int o, int v) {
        put16(b, o, v >>> 16);
        put16(b, o + 2, v);
    }

    /** An Ethernet frame with 2500 payload bytes, ACK|PSH|FIN|CWR, IP id 0x1234, partial TCP checksum. */
    private static byte[] big() {
        int payload = 2500;
        byte[] b = new byte[14 + 20 + 20 + payload];
        new SplittableRandom(9).nextBytes(b);
        b[12] = 0x08;
        b[13] = 0x00;
        b[14] = 0x45;
        b[15] = 0;
        put16(b, 16, 40 + payload);
        put16(b, 18, 0x1234);
        b[20] = 0x40;
        b[21] = 0;
        b[22] = 64;
        b[23] = (byte) IpProtocol.TCP;
        put32(b, 26, SRC);
        put32(b, 30, DST);
        put32(b, 34 + 4, SEQ);
        b[34 + 12] = 0x50;
        b[34 + 13] = (byte) (TcpFlags.ACK | TcpFlags.PSH | TcpFlags.FIN | TcpFlags.CWR);
        put16(b, 34 + 16, InternetChecksum.pseudoHeaderSum(SRC, DST, IpProtocol.TCP, 20 + payload));
        return b;
    }

    /** The frame as an mbuf chain, flagged for TSO with {@code mss}. */
    private static Mbuf chain(MbufPool pool, byte[] f, int mss) {
        Mbuf m = MbufCopy.fromBytes(pool, f, 0, f.length);
        m.pkthdr().setCsumFlags(CsumFlags.M_CSUM_TCPv4 | CsumFlags.M_CSUM_TSOv4);
        m.pkthdr().setCsumData(mss);
        return m;
    }

    /** RFC 1071 over pseudo-header and segment, the checksum field taken as zero. */
    private static int reference(byte[] seg) {
        int tcpLen = seg.length - 34;
        byte[] t = Arrays.copyOfRange(seg, 34, seg.length);
        t[16] = 0;
        t[17] = 0;
        long sum = (SRC >>> 16) + (SRC & 0xffff) + (DST >>> 16) + (DST & 0xffff) + IpProtocol.TCP + tcpLen;
        for (int i = 0; i < t.length; i += 2) {
            sum += ((t[i] & 0xff) << 8) | (i + 1 < t.length ? t[i + 1] & 0xff : 0);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    private static List<byte[]> cut(Kernel k, byte[] f, int mss, boolean fill) throws Exception {
        MbufPool pool = k.service(Interfaces.class).mbufs();
        List<byte[]> out = new ArrayList<>();
        List<Integer> flags = new ArrayList<>();
        int lost = new TsoSegmenter().segment(chain(pool, f, mss), 14, fill, s -> {
            out.add(MbufCopy.toBytes(s));
            flags.add(s.pkthdr().csumFlags());
            pool.freeChain(s);
        });
        assertEquals(0, lost);
        for (int fl : flags) {
            assertEquals(fill ? 0 : CsumFlags.M_CSUM_TCPv4, fl, "segment's offload flags");
        }
        return out;
    }

    @Test
    void threeSegmentsOfAtMostTheMssWithFinishedChecksums(Kernel k) throws Exception {
        byte[] in = big();
        List<byte[]> segs = cut(k, in, 1000, true);
        int[] lens = {1000, 1000, 500};
        int[] flags = {TcpFlags.ACK | TcpFlags.CWR, TcpFlags.ACK, TcpFlags.ACK | TcpFlags.PSH | TcpFlags.FIN};
        assertEquals(3, segs.size());
        for (int i = 0; i < 3; i++) {
            byte[] out = segs.get(i);
            assertEquals(54 + lens[i], out.length, "segment " + i);
            assertArrayEquals(Arrays.copyOfRange(in, 0, 14), Arrays.copyOfRange(out, 0, 14), "Ethernet header");
            assertEquals(40 + lens[i], get16(out, 16), "IP total length");
            assertEquals(0x1234 + i, get16(out, 18), "IP identification");
            assertEquals(0xffff, InternetChecksum.sum(out, 14, 20), "IP header checksum verifies");
            assertEquals(SEQ + 1000 * i, get32(out, 34 + 4), "sequence number");
            assertEquals(flags[i], out[34 + 13] & 0xff, "flags of segment " + i);
            assertArrayEquals(Arrays.copyOfRange(in, 54 + 1000 * i, 54 + 1000 * i + lens[i]),
                    Arrays.copyOfRange(out, 54, out.length), "payload");
            assertEquals(reference(out), get16(out, 34 + 16), "TCP checksum of segment " + i);
        }
    }

    @Test
    void partialChecksumsHoldThePseudoHeaderSum(Kernel k) throws Exception {
        List<byte[]> segs = cut(k, big(), 1000, false);
        for (byte[] out : segs) {
            assertEquals(InternetChecksum.pseudoHeaderSum(SRC, DST, IpProtocol.TCP, out.length - 34),
                    get16(out, 34 + 16));
        }
    }

    /** Golden bytes: the IP and TCP headers of the second segment. */
    @Test
    void secondSegmentHeaders(Kernel k) throws Exception {
        byte[] out = cut(k, big(), 1000, true).get(1);
        String ip = "45" + "00" + "0410" + "1235" + "4000" + "40" + "06";
        String want = ip + String.format("%04x", get16(out, 24)) + "c6120001" + "c6120002";
        assertEquals(want, HexFormat.of().formatHex(out, 14, 34));
        assertEquals(0xffff, InternetChecksum.sum(out, 14, 20));
        assertEquals("010206ec", HexFormat.of().formatHex(out, 38, 42), "sequence number SEQ + 1000");
        assertEquals("5010", HexFormat.of().formatHex(out, 46, 48), "data offset 5, ACK alone");
    }

    @Test
    void packetsThatAreNotOneTcpSegmentOverIpv4AreDropped(Kernel k) throws Exception {
        MbufPool pool = k.service(Interfaces.class).mbufs();
        byte[] udp = big();
        udp[23] = (byte) IpProtocol.UDP;
        byte[] fragment = big();
        fragment[20] = 0x20;
        TsoSegmenter s = new TsoSegmenter();
        List<Mbuf> got = new ArrayList<>();
        assertEquals(1, s.segment(chain(pool, udp, 1000), 14, true, got::add));
        assertEquals(1, s.segment(chain(pool, fragment, 1000), 14, true, got::add));
        assertEquals(1, s.segment(chain(pool, big(), 0), 14, true, got::add), "no MSS");
        assertEquals(0, got.size());
    }
}
