package io.jrump.net;

import io.jrump.kern.ErrnoException;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.wire.ChecksumAccumulator;
import io.jrump.wire.ChecksumOffload;
import io.jrump.wire.InternetChecksum;
import io.jrump.wire.IpProtocol;
import io.jrump.wire.Ipv4Packet;
import io.jrump.wire.TcpFlags;
import io.jrump.wire.TcpPacket;

/**
 * The one TCP segmenter of the transmit path: what a segmenting adapter does to a packet the stack built at
 * {@code if_buflen} (DART, seed 002: "the adapter model segments them into MTU-sized frames and fills in
 * checksums"), NetBSD's {@code tcp4_segment} and Linux's GSO. The hub and the link emulator cut for a
 * receiver or a wire that takes only wire-sized frames, the tap driver for a host that cannot take GSO, and IP
 * output for an interface that cannot segment or past a capture (forwarding included).
 *
 * <p>The packet is an IPv4 TCP datagram flagged {@link CsumFlags#M_CSUM_TSOv4} with the segment size in
 * {@code csum_data}, after {@code linkHeader} bytes of link header (0 in IP output, an Ethernet header in a
 * driver). Each segment gets a copy of the link, IP and TCP headers with its own IP total length,
 * identification (incremented per segment, as devices do), header checksum and sequence number; FIN and PSH
 * stay on the last segment and CWR on the first (RFC 3168 section 6.1.2); its payload shares the original's
 * storage ({@code m_copym}). Its TCP checksum (RFC 9293 section 3.1) is finished, or left partial
 * ({@link CsumFlags#M_CSUM_TCPv4}, the pseudo-header sum in the field) for a receiver that takes that.
 *
 * <p>One per thread (it keeps header views); allocates nothing but the segments' mbufs, from the packet's pool.
 */
public final class TsoSegmenter {
    /** Where the segments go, in order; the sink owns each segment it is given. */
    @FunctionalInterface
    public interface Sink {
        void send(Mbuf segment) throws ErrnoException;
    }

    private final Ipv4Packet ip = new Ipv4Packet();
    private final TcpPacket th = new TcpPacket();
    private final ChecksumAccumulator acc = new ChecksumAccumulator();

    /**
     * Whether {@code m} is a packet this class cuts: flagged {@code M_CSUM_TSOv4} with a segment size.
     */
    public static boolean isLarge(Mbuf m) {
        return (m.pkthdr().csumFlags() & CsumFlags.M_CSUM_TSOv4) != 0 && m.pkthdr().csumData() > 0;
    }

    /**
     * Cuts {@code m} and hands each segment to {@code out}; consumes {@code m}. A segment that cannot get mbufs
     * is dropped (TCP retransmits it) and the rest still go; a packet that is not an unfragmented IPv4 TCP
     * datagram whose headers lie in its first mbuf is dropped whole. The first error from {@code out} is
     * rethrown once every segment has been tried.
     *
     * @param fillChecksum finish each segment's TCP checksum; false leaves it partial, flagged
     * @return segments that could not be built (a dropped packet counts one)
     */
    public int segment(Mbuf m, int linkHeader, boolean fillChecksum, Sink out) throws ErrnoException {
        try {
            return cut(m, linkHeader, fillChecksum, out);
        } finally {
            m.pool().freeChain(m);
        }
    }

    /**
     * {@link #segment} for a caller that keeps {@code m} (a driver whose caller frees the chain after its
     * transmit returns): the segments share its storage, and {@code m} is left as it was.
     */
    public int cut(Mbuf m, int linkHeader, boolean fillChecksum, Sink out) throws ErrnoException {
        MbufPool pool = m.pool();
        int mss = m.pkthdr().csumData();
        int total = m.pkthdr().len();
        byte[] b = m.buf();
        int o = m.off() + linkHeader;
        if (mss <= 0 || m.len() < linkHeader + Ipv4Packet.HEADER_LEN || (b[o] >>> 4 & 0xf) != 4
                || b[o + 9] != IpProtocol.TCP) {
            return 1;
        }
        int hlen = (b[o] & 0x0f) * 4;
        ip.wrap(b, o, hlen);
        if (hlen < Ipv4Packet.HEADER_LEN || m.len() < linkHeader + hlen + TcpPacket.HEADER_LEN
                || ip.fragmentOffset() != 0 || ip.moreFragments()) {
            return 1;
        }
        int thlen = ((b[o + hlen + 12] & 0xff) >>> 4) * 4;
        int hdr = linkHeader + hlen + thlen;
        if (thlen < TcpPacket.HEADER_LEN || m.len() < hdr || total < hdr) {
            return 1;
        }
        int src = ip.source();
        int dst = ip.destination();
        int id = ip.identification();
        th.wrap(b, o + hlen, thlen);
        int seq = th.sequenceNumber();
        int flags = th.flags();
        int lost = 0;
        ErrnoException first = null;
        int payload = total - hdr;
        for (int off = 0, i = 0; off < payload; off += mss, i++) {
            int dlen = Math.min(mss, payload - off);
            Mbuf h = pool.getPacketHeader();
            Mbuf data = h == null ? null : MbufCopy.copym(m, hdr + off, dlen);
            if (h == null || data == null) {
                if (h != null) {
                    pool.free(h);
                }
                lost++;
                continue;
            }
            MbufCopy.copydata(m, 0, hdr, h.buf(), h.off());
            h.setLen(hdr);
            h.setNext(data);
            h.pkthdr().setLen(hdr + dlen);
            int ho = h.off() + linkHeader;
            ip.wrap(h.buf(), ho, hlen);
            ip.setTotalLength(hlen + thlen + dlen);
            ip.setIdentification((id + i) & 0xffff);
            ip.fillChecksum();
            th.wrap(h.buf(), ho + hlen, thlen);
            th.setSequenceNumber(seq + off);
            int f = flags;
            if (off + dlen < payload) {
                f &= ~(TcpFlags.FIN | TcpFlags.PSH);
            }
            if (i > 0) {
                f &= ~TcpFlags.CWR;
            }
            th.setFlags(f);
            th.setChecksum(InternetChecksum.pseudoHeaderSum(src, dst, IpProtocol.TCP, thlen + dlen));
            if (fillChecksum) {
                th.setChecksum(tcpSum(h, linkHeader + hlen, thlen + dlen));
                h.pkthdr().setCsumFlags(0);
            } else {
                h.pkthdr().setCsumFlags(CsumFlags.M_CSUM_TCPv4);
            }
            try {
                out.send(h);
            } catch (ErrnoException e) {
                first = first != null ? first : e;
            }
        }
        if (first != null) {
            throw first;
        }
        return lost;
    }

    /**
     * The checksum of the {@code len}-byte TCP segment at {@code off} in chain {@code m}, whose checksum field
     * holds the pseudo-header sum (RFC 1071 section 2(A): the pieces add in any order).
     */
    private int tcpSum(Mbuf m, int off, int len) {
        acc.reset();
        for (Mbuf x = m; x != null && len > 0; x = x.next()) {
            int l = x.len();
            if (off >= l) {
                off -= l;
                continue;
            }
            int n = Math.min(l - off, len);
            acc.add(x.buf(), x.off() + off, n);
            len -= n;
            off = 0;
        }
        return acc.checksum();
    }

    /** Offset of the TCP checksum field in a TCP header, for callers that finish sums in place. */
    public static final int TCP_CHECKSUM_OFFSET = ChecksumOffload.TCP_CHECKSUM_OFFSET;
}
