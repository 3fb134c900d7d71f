package io.jrump.netinet.ip;

import io.jrump.netinet.ChainChecksum;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.wire.ChecksumAccumulator;
import io.jrump.wire.InternetChecksum;
import io.jrump.wire.IpProtocol;
import io.jrump.wire.Ipv4Packet;
import io.jrump.wire.TcpFlags;
import io.jrump.wire.TcpPacket;

/**
 * TCP segmentation in software ({@code tcp4_segment} in NetBSD's {@code netinet/in_offload.c}): a datagram
 * that TCP built for an interface that segments ({@link CsumFlags#M_CSUM_TSOv4}, segment size in
 * {@code csum_data}) but that leaves on one that cannot, or past a capture, is cut here into the segments
 * the device would have sent. Each gets a copy of the IP and TCP headers with its own length, IP
 * identification, sequence number and checksums; FIN and PSH stay on the last segment and CWR on the
 * first, as RFC 3168 section 6.1.2 and Linux's GSO do. The payload is shared with the original
 * ({@code m_copym}), not copied.
 */
final class TcpSegmenter {
    /** Where the segments go, in order. */
    interface Sink {
        void send(Mbuf segment) throws io.jrump.kern.ErrnoException;
    }

    private final Ipv4Packet ip = new Ipv4Packet();
    private final TcpPacket th = new TcpPacket();

    /**
     * Cuts datagram {@code m} (IP header {@code hlen} bytes) and hands each segment to {@code out}; consumes
     * {@code m}. A segment that cannot get mbufs is dropped (TCP retransmits it) and the rest still go; the
     * first error from {@code out} is rethrown once all have been tried.
     *
     * @return segments that could not be built for want of mbufs
     */
    int segment(MbufPool pool, ChecksumAccumulator acc, Mbuf m, int hlen, Sink out) throws io.jrump.kern.ErrnoException {
        int mss = m.pkthdr().csumData();
        int total = m.pkthdr().len();
        byte[] b = m.buf();
        if (m.len() < hlen + TcpPacket.HEADER_LEN || mss <= 0) {
            pool.freeChain(m);
            return 1;
        }
        int thlen = ((b[m.off() + hlen + 12] & 0xff) >>> 4) * 4;
        int hdr = hlen + thlen;
        if (m.len() < hdr) {
            pool.freeChain(m);
            return 1;
        }
        ip.wrap(b, m.off(), hlen);
        int src = ip.source();
        int dst = ip.destination();
        int id = ip.identification();
        th.wrap(b, m.off() + hlen, thlen);
        int seq = th.sequenceNumber();
        int flags = th.flags();
        int lost = 0;
        io.jrump.kern.ErrnoException first = null;
        int payload = total - hdr;
        for (int off = 0, i = 0; off < payload; off += mss, i++) {
            int dlen = Math.min(mss, payload - off);
            boolean last = off + dlen >= payload;
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
            ip.wrap(h.buf(), h.off(), hlen);
            ip.setTotalLength(hdr + dlen);
            ip.setIdentification((id + i) & 0xffff);
            ip.fillChecksum();
            th.wrap(h.buf(), h.off() + hlen, thlen);
            th.setSequenceNumber(seq + off);
            int f = flags;
            if (!last) {
                f &= ~(TcpFlags.FIN | TcpFlags.PSH);
            }
            if (i > 0) {
                f &= ~TcpFlags.CWR;
            }
            th.setFlags(f);
            th.setChecksum(InternetChecksum.pseudoHeaderSum(src, dst, IpProtocol.TCP, thlen + dlen));
            h.pkthdr().setCsumFlags(CsumFlags.M_CSUM_TCPv4);
            ChainChecksum.completeTcp(acc, h, hlen);
            try {
                out.send(h);
            } catch (io.jrump.kern.ErrnoException e) {
                first = first != null ? first : e;
            }
        }
        pool.freeChain(m);
        if (first != null) {
            throw first;
        }
        return lost;
    }
}
