package io.jrump.rumpnet.mbuf;

/**
 * Operations on the shape of a chain, named as in mbuf(9): measuring it, making room for headers,
 * making headers contiguous, trimming, cutting and joining. They allocate from the chain's own
 * {@link MbufPool}; where NetBSD's do, they free the chain and return null when that fails, so a caller
 * just drops the packet and counts ENOBUFS.
 *
 * <p>Chains may contain mbufs of length zero (trimming leaves them, as NetBSD's {@code m_adj} does);
 * every operation accepts them.
 */
public final class MbufChain {
    private MbufChain() {
    }

    /** Bytes in the chain ({@code m_length}). */
    public static int length(Mbuf m) {
        int n = 0;
        for (; m != null; m = m.next) {
            n += m.len;
        }
        return n;
    }

    /** The last mbuf of the chain. */
    public static Mbuf last(Mbuf m) {
        while (m.next != null) {
            m = m.next;
        }
        return m;
    }

    /**
     * Makes {@code len} bytes of room before the data and returns the chain's head ({@code M_PREPEND}).
     * The room comes from the leading space when there is enough, which is the point of reserving
     * {@link MbufPool#MAX_HDR} in a new packet: Ethernet, IP and TCP prepend their headers without
     * copying the payload. Otherwise a new head is allocated, with the packet header moved to it and
     * the room at its end, so that the next layer's prepend finds leading space again. The bytes of the
     * room are not cleared. Frees the chain and returns null if no mbuf is left.
     */
    public static Mbuf prepend(Mbuf m, int len) {
        if (len < 0 || len > Mbuf.MCLBYTES) {
            throw new IllegalArgumentException("cannot prepend " + len + " contiguous bytes");
        }
        if (m.leadingSpace() >= len) {
            m.off -= len;
            m.len += len;
        } else {
            Mbuf n = m.pool.getFor(m.type, len);
            if (n == null) {
                m.pool.freeChain(m);
                return null;
            }
            if (m.isPktHdr()) {
                n.movePktHdr(m);
            }
            n.align(len);
            n.len = len;
            n.next = m;
            m = n;
        }
        if (m.isPktHdr()) {
            m.pkthdr.setLen(m.pkthdr.len() + len);
        }
        return m;
    }

    /**
     * Makes the first {@code len} bytes of the chain contiguous in its first mbuf, so a protocol can
     * read its header from one array ({@code m_pullup}), and returns the head. The head stays if it is
     * writable with room after its data; otherwise a new head takes the bytes and the packet header,
     * with leading space kept in front. If the chain holds fewer than {@code len} bytes, or no mbuf is
     * left, the chain is freed and the result is null: the packet was too short to parse.
     */
    public static Mbuf pullup(Mbuf m, int len) {
        if (len < 0) {
            throw new IllegalArgumentException("negative length " + len);
        }
        if (m.len >= len) {
            return m;
        }
        MbufPool pool = m.pool;
        if (len > Mbuf.MCLBYTES || !holds(m, len)) {
            pool.freeChain(m);
            return null;
        }
        Mbuf n;
        if (m.writable() && m.off + len <= m.bufEnd) {
            n = m;
            m = m.next;
        } else {
            n = pool.getFor(m.type, len);
            if (n == null) {
                pool.freeChain(m);
                return null;
            }
            if (m.isPktHdr()) {
                n.movePktHdr(m);
            }
            n.reserve(Math.min(MbufPool.MAX_HDR, n.capacity() - len));
        }
        int need = len - n.len;
        while (need > 0) {
            int count = Math.min(need, m.len);
            System.arraycopy(m.buf, m.off, n.buf, n.off + n.len, count);
            n.len += count;
            need -= count;
            m.off += count;
            m.len -= count;
            if (m.len == 0) {
                m = pool.free(m);
            }
        }
        n.next = m;
        return n;
    }

    private static boolean holds(Mbuf m, int len) {
        for (; m != null; m = m.next) {
            len -= m.len;
            if (len <= 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Trims {@code req} bytes from the head of the packet if positive, {@code -req} from its tail if
     * negative ({@code m_adj}); a link layer drops its header and trailer this way. Trimming more than
     * the chain holds empties it. Emptied mbufs stay in the chain with length zero; the packet header
     * length follows.
     */
    public static void adj(Mbuf mp, int req) {
        if (req >= 0) {
            int left = req;
            for (Mbuf m = mp; m != null && left > 0; m = m.next) {
                int cut = Math.min(left, m.len);
                m.off += cut;
                m.len -= cut;
                left -= cut;
            }
            if (mp.isPktHdr()) {
                mp.pkthdr.setLen(Math.max(0, mp.pkthdr.len() - (req - left)));
            }
            return;
        }
        long keep = Math.max(0L, length(mp) + (long) req);
        if (mp.isPktHdr()) {
            mp.pkthdr.setLen((int) keep);
        }
        for (Mbuf m = mp; m != null; m = m.next) {
            int k = (int) Math.min(keep, m.len);
            m.len = k;
            keep -= k;
        }
    }

    /**
     * Cuts the chain after {@code len0} bytes ({@code m_split}) and returns the second part; the first
     * keeps its head. External storage at the cut is shared rather than copied. If the chain is a
     * packet, the second part becomes one too, with the same receiving interface, and both packet
     * lengths are set. Returns null, with the chain unchanged, if it is shorter than {@code len0} or no
     * mbuf is left; otherwise the result is never null (an empty mbuf when cutting at the end).
     */
    public static Mbuf split(Mbuf m0, int len0) {
        if (len0 < 0) {
            throw new IllegalArgumentException("negative length " + len0);
        }
        MbufPool pool = m0.pool;
        boolean pkt = m0.isPktHdr();
        int len = len0;
        Mbuf m = m0;
        while (m != null && len > m.len) {
            len -= m.len;
            m = m.next;
        }
        if (m == null) {
            return null;
        }
        int remain = m.len - len;
        Mbuf n;
        if (remain == 0) {
            Mbuf rest = m.next;
            if (pkt || rest == null) {
                n = pkt ? pool.getPacketHeader(m0.type) : pool.get(m0.type);
                if (n == null) {
                    return null;
                }
                n.next = rest;
            } else {
                n = rest;
            }
        } else if (m.ext != null) {
            n = pool.share(m, m.off + len, remain);
            if (n == null) {
                return null;
            }
            n.next = m.next;
        } else {
            n = pool.get(m.type);
            if (n == null) {
                return null;
            }
            n.align(remain);
            System.arraycopy(m.buf, m.off + len, n.buf, n.off, remain);
            n.len = remain;
            n.next = m.next;
        }
        m.next = null;
        m.len = len;
        if (pkt) {
            n.flags |= MbufFlags.M_PKTHDR;
            n.pkthdr.clear();
            n.pkthdr.setRcvif(m0.pkthdr.rcvif());
            n.pkthdr.setLen(Math.max(0, m0.pkthdr.len() - len0));
            m0.pkthdr.setLen(len0);
        }
        return n;
    }

    /**
     * Appends chain {@code n} to chain {@code m} ({@code m_cat}). Small data is copied into the trailing
     * space of {@code m}'s last mbuf and its mbufs freed; the rest is linked. If {@code m} is a packet its
     * length grows by {@code n}'s; a packet header of {@code n} is dropped, as in {@code m_catpkt}, which
     * is how IP reassembly joins fragments.
     */
    public static void cat(Mbuf m, Mbuf n) {
        if (m.isPktHdr()) {
            m.pkthdr.setLen(m.pkthdr.len() + (n.isPktHdr() ? n.pkthdr.len() : length(n)));
        }
        if (n.isPktHdr()) {
            n.flags &= ~MbufFlags.M_COPYFLAGS;
            n.pkthdr.clear();
        }
        Mbuf last = last(m);
        while (n != null) {
            if (n.len > last.trailingSpace()) {
                last.next = n;
                return;
            }
            System.arraycopy(n.buf, n.off, last.buf, last.off + last.len, n.len);
            last.len += n.len;
            n = n.pool.free(n);
        }
    }
}
