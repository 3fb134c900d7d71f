package io.jrump.netinet;

import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.wire.ChecksumAccumulator;

/**
 * The Internet checksum (RFC 1071) over part of an mbuf chain, piece by piece, so a datagram spread
 * over several buffers is summed without being flattened. IP, ICMP, UDP and TCP all use it.
 */
public final class ChainChecksum {
    private ChainChecksum() {
    }

    /** Adds {@code len} bytes of the chain, starting {@code skip} bytes in, to {@code acc}. */
    public static ChecksumAccumulator add(ChecksumAccumulator acc, Mbuf m, int skip, int len) {
        for (Mbuf x = m; x != null && len > 0; x = x.next()) {
            int l = x.len();
            if (skip >= l) {
                skip -= l;
                continue;
            }
            int n = Math.min(l - skip, len);
            acc.add(x.buf(), x.off() + skip, n);
            len -= n;
            skip = 0;
        }
        return acc;
    }

    /**
     * Finishes a TCP checksum left partial ({@link io.jrump.rumpnet.mbuf.CsumFlags#M_CSUM_TCPv4}: the field holds the
     * pseudo-header sum) in the datagram {@code m} whose IP header is {@code hlen} bytes, for an interface that
     * cannot, a capture, or fragmentation ({@code in_undefer_cksum} in NetBSD).
     */
    public static void completeTcp(ChecksumAccumulator acc, Mbuf m, int hlen) {
        int len = m.pkthdr().len() - hlen;
        int sum = add(acc.reset(), m, hlen, len).checksum();
        put(m, hlen + io.jrump.wire.ChecksumOffload.TCP_CHECKSUM_OFFSET, sum >>> 8);
        put(m, hlen + io.jrump.wire.ChecksumOffload.TCP_CHECKSUM_OFFSET + 1, sum);
        m.pkthdr().setCsumFlags(m.pkthdr().csumFlags() & ~io.jrump.rumpnet.mbuf.CsumFlags.M_CSUM_TCPv4);
    }

    private static void put(Mbuf m, int off, int v) {
        for (Mbuf x = m; x != null; x = x.next()) {
            if (off < x.len()) {
                x.buf()[x.off() + off] = (byte) v;
                return;
            }
            off -= x.len();
        }
    }
}
