package io.jrump.netinet;

import io.jrump.net.mbuf.Mbuf;
import io.jrump.net.wire.ChecksumAccumulator;

/**
 * The Internet checksum (RFC 1071) over part of an mbuf chain, piece by piece, so a datagram spread
 * over several buffers is summed without being flattened. ICMP and UDP both use it.
 */
final class ChainChecksum {
    private ChainChecksum() {
    }

    /** Adds {@code len} bytes of the chain, starting {@code skip} bytes in, to {@code acc}. */
    static ChecksumAccumulator add(ChecksumAccumulator acc, Mbuf m, int skip, int len) {
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
}
