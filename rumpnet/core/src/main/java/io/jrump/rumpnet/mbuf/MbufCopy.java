package io.jrump.rumpnet.mbuf;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * Moving bytes into, out of and between chains, named as in mbuf(9). {@link #copym} shares external
 * storage instead of copying it, which is how TCP keeps a packet's data in the send buffer for
 * retransmission while a copy goes down the stack; writers then copy only what they change
 * ({@link #makeWritable}). {@link #fromBytes} and {@link #toBytes} are for tests and slow paths: they
 * copy everything.
 */
public final class MbufCopy {
    private MbufCopy() {
    }

    /**
     * Copies {@code len} bytes from offset {@code off} of the chain into {@code dst} ({@code m_copydata}).
     *
     * @throws IndexOutOfBoundsException if the chain holds fewer than {@code off + len} bytes
     */
    public static void copydata(Mbuf m, int off, int len, byte[] dst, int dstOff) {
        Objects.checkFromIndexSize(dstOff, len, dst.length);
        if (off < 0) {
            throw new IndexOutOfBoundsException("negative offset " + off);
        }
        while (m != null && off >= m.len && len > 0) {
            off -= m.len;
            m = m.next;
        }
        while (len > 0) {
            if (m == null) {
                throw new IndexOutOfBoundsException("mbuf chain too short");
            }
            int count = Math.min(m.len - off, len);
            System.arraycopy(m.buf, m.off + off, dst, dstOff, count);
            len -= count;
            dstOff += count;
            off = 0;
            m = m.next;
        }
    }

    /**
     * Writes {@code len} bytes of {@code src} at offset {@code off} of the chain ({@code m_copyback}),
     * extending the chain, with zeros up to {@code off} if it was shorter, and taking private copies of
     * any shared or caller-owned storage written to ({@code m_copyback_cow}). A packet header's length
     * follows an extension. Returns false if an mbuf was needed and none was left; the chain's bytes are
     * then as before the call.
     */
    public static boolean copyback(Mbuf m0, int off, int len, byte[] src, int srcOff) {
        Objects.checkFromIndexSize(srcOff, len, src.length);
        if (off < 0 || (long) off + len > Integer.MAX_VALUE) {
            throw new IndexOutOfBoundsException("offset " + off + " length " + len);
        }
        int total = MbufChain.length(m0);
        if (off < total && !makeWritable(m0, off, Math.min(len, total - off))) {
            return false;
        }
        if (off + len > total && !appendBytes(m0, null, 0, off + len - total)) {
            return false;
        }
        Mbuf m = m0;
        while (m != null && off >= m.len && len > 0) {
            off -= m.len;
            m = m.next;
        }
        while (len > 0) {
            int count = Math.min(m.len - off, len);
            System.arraycopy(src, srcOff, m.buf, m.off + off, count);
            len -= count;
            srcOff += count;
            off = 0;
            m = m.next;
        }
        return true;
    }

    /**
     * Appends {@code len} bytes of {@code src} to the chain ({@code m_append}): into the trailing space
     * of its last mbuf, then into new mbufs (clusters for large amounts). A packet header's length
     * follows. All or nothing: false, with the chain unchanged, if no mbuf is left.
     */
    public static boolean append(Mbuf m0, byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        return appendBytes(m0, src, off, len);
    }

    private static boolean appendBytes(Mbuf m0, byte[] src, int off, int len) {
        MbufPool pool = m0.pool;
        Mbuf last = MbufChain.last(m0);
        int first = Math.min(len, last.trailingSpace());
        Mbuf head = allocChain(pool, last.type, len - first);
        if (head == null && len > first) {
            return false;
        }
        fill(src, off, last.buf, last.off + last.len, first);
        last.len += first;
        int pos = off + first;
        for (Mbuf n = head; n != null; n = n.next) {
            fill(src, pos, n.buf, n.off, n.len);
            pos += n.len;
        }
        last.next = head;
        if (m0.isPktHdr()) {
            m0.pkthdr.setLen(m0.pkthdr.len() + len);
        }
        return true;
    }

    /**
     * A chain of new mbufs holding {@code len} bytes, each length set and its bytes not yet written: jumbo
     * clusters while 16 KB or more remain, then clusters, then a small mbuf. Null for 0 bytes or if no mbuf
     * is left (nothing is kept then).
     */
    private static Mbuf allocChain(MbufPool pool, MbufType type, int len) {
        Mbuf head = null;
        Mbuf tail = null;
        for (int left = len; left > 0; ) {
            Mbuf n = left >= Mbuf.MJUMBYTES ? pool.getJumbo(type)
                    : left > Mbuf.MLEN ? pool.getCluster(type) : pool.get(type);
            if (n == null) {
                pool.freeChain(head);
                return null;
            }
            n.len = Math.min(left, n.capacity());
            left -= n.len;
            if (head == null) {
                head = n;
            } else {
                tail.next = n;
            }
            tail = n;
        }
        return head;
    }

    /**
     * A packet of {@code len} bytes with {@link MbufPool#MAX_HDR} of leading space, lengths set and bytes not
     * yet written; null if no mbuf is left.
     */
    private static Mbuf allocPacket(MbufPool pool, int len) {
        Mbuf m = len <= Mbuf.MLEN - MbufPool.MAX_HDR ? pool.getPacketHeader()
                : len < Mbuf.MJUMBYTES ? pool.getPacketCluster() : pool.getPacketJumbo(MbufType.DATA);
        if (m == null) {
            return null;
        }
        m.len = Math.min(len, m.trailingSpace());
        m.next = allocChain(pool, MbufType.DATA, len - m.len);
        if (m.next == null && len > m.len) {
            pool.freeChain(m);
            return null;
        }
        m.pkthdr.setLen(len);
        return m;
    }

    private static void fill(byte[] src, int srcOff, byte[] dst, int dstOff, int len) {
        if (src == null) {
            Arrays.fill(dst, dstOff, dstOff + len, (byte) 0);
        } else {
            System.arraycopy(src, srcOff, dst, dstOff, len);
        }
    }

    /**
     * A new chain with {@code len} bytes ({@link Mbuf#COPYALL} for all) from offset {@code off} of this
     * one ({@code m_copym}). External storage is shared, not copied: both chains refer to it, it becomes
     * read-only, and its free callback waits for the last of them. Bytes inside small mbufs are copied.
     * A copy from offset 0 of a packet is a packet with a copy of the header. Null if no mbuf is left.
     *
     * @throws IndexOutOfBoundsException if the chain is shorter than {@code off + len}
     */
    public static Mbuf copym(Mbuf m, int off, int len) {
        if (off < 0 || len < 0) {
            throw new IndexOutOfBoundsException("offset " + off + " length " + len);
        }
        MbufPool pool = m.pool;
        boolean copyhdr = off == 0 && m.isPktHdr();
        int want = len;
        Mbuf src = m;
        while (src != null && off >= src.len && off > 0) {
            off -= src.len;
            src = src.next;
        }
        if (src == null && off > 0) {
            throw new IndexOutOfBoundsException("offset beyond the mbuf chain");
        }
        Mbuf top = null;
        Mbuf tail = null;
        while (len > 0) {
            if (src == null) {
                if (len != Mbuf.COPYALL) {
                    pool.freeChain(top);
                    throw new IndexOutOfBoundsException("mbuf chain too short");
                }
                break;
            }
            int count = Math.min(src.len - off, len);
            if (count > 0) {
                Mbuf n;
                if (src.ext != null) {
                    n = pool.share(src, src.off + off, count);
                } else {
                    n = pool.get(src.type);
                    if (n != null) {
                        n.off = src.off + off;
                        System.arraycopy(src.buf, src.off + off, n.buf, n.off, count);
                        n.len = count;
                    }
                }
                if (n == null) {
                    pool.freeChain(top);
                    return null;
                }
                if (top == null) {
                    top = n;
                } else {
                    tail.next = n;
                }
                tail = n;
                if (len != Mbuf.COPYALL) {
                    len -= count;
                }
            }
            off = 0;
            src = src.next;
        }
        if (top == null) {
            top = pool.get(m.type);
            if (top == null) {
                return null;
            }
        }
        if (copyhdr) {
            top.copyPktHdr(m);
            if (want != Mbuf.COPYALL) {
                top.pkthdr.setLen(want);
            }
        }
        return top;
    }

    /**
     * Makes the bytes {@code [off, off + len)} of the chain writable in place ({@code m_makewritable}):
     * each mbuf there whose storage is shared or caller-owned gets a private copy of its data, in its own
     * bytes or a new cluster, and drops its reference to the old storage. Mbufs and the head stay the
     * same objects. False if a cluster was needed and none was left; the bytes are unchanged either way.
     */
    public static boolean makeWritable(Mbuf m0, int off, int len) {
        if (off < 0 || len < 0) {
            throw new IndexOutOfBoundsException("offset " + off + " length " + len);
        }
        long end = (long) off + len;
        long pos = 0;
        for (Mbuf m = m0; m != null && pos < end; m = m.next) {
            if (pos + m.len > off && m.len > 0 && !m.writable()) {
                if (m.len > Mbuf.MCLBYTES) {
                    Mbuf rest = m.pool.share(m, m.off + Mbuf.MCLBYTES, m.len - Mbuf.MCLBYTES);
                    if (rest == null) {
                        return false;
                    }
                    rest.next = m.next;
                    m.next = rest;
                    m.len = Mbuf.MCLBYTES;
                }
                if (!privatize(m)) {
                    return false;
                }
            }
            pos += m.len;
        }
        return true;
    }

    /** Copies an mbuf's data, at most a cluster of it, out of its external storage into storage of its own. */
    private static boolean privatize(Mbuf m) {
        MbufPool pool = m.pool;
        int n = m.len;
        ExtStorage c = null;
        if (m.dat == null || n > Mbuf.MLEN) {
            c = pool.newCluster();
            if (c == null) {
                return false;
            }
        }
        byte[] oldBuf = m.buf;
        int oldOff = m.off;
        ExtStorage old = m.detach();
        if (c != null) {
            m.attach(c);
        }
        m.reserve(m.isPktHdr() ? Math.min(MbufPool.MAX_HDR, m.capacity() - n) : 0);
        System.arraycopy(oldBuf, oldOff, m.buf, m.off, n);
        m.len = n;
        pool.dropRef(old);
        return true;
    }

    /**
     * A packet holding a copy of {@code len} bytes of {@code b}, with {@link MbufPool#MAX_HDR} of
     * leading space; null if no mbuf is left.
     */
    public static Mbuf fromBytes(MbufPool pool, byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        Mbuf m = allocPacket(pool, len);
        if (m == null) {
            return null;
        }
        for (Mbuf n = m; n != null; n = n.next) {
            System.arraycopy(b, off, n.buf, n.off, n.len);
            off += n.len;
        }
        return m;
    }

    /**
     * As {@link #fromBytes}, from {@code b[off..off+len)} at absolute indexes below the limit (the position is
     * neither used nor moved):
     * a driver's receive area in host memory goes straight into the clusters, with no array in between.
     * Null if no mbuf is left.
     */
    public static Mbuf fromBuffer(MbufPool pool, ByteBuffer b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.limit());
        Mbuf m = allocPacket(pool, len);
        if (m == null) {
            return null;
        }
        for (Mbuf n = m; n != null; n = n.next) {
            b.get(off, n.buf, n.off, n.len);
            off += n.len;
        }
        return m;
    }

    /**
     * A packet of {@code pool}'s holding a copy of the first {@code len} bytes of {@code src}, a chain that
     * may belong to another kernel's pool and is only read; laid out as {@link #fromBytes} lays it out.
     * This is how a frame crosses an in-memory wire between two kernels in one copy, with no flat buffer
     * in between. Null if no mbuf is left.
     *
     * @throws IndexOutOfBoundsException if the chain holds fewer than {@code len} bytes
     */
    public static Mbuf copyPacket(MbufPool pool, Mbuf src, int len) {
        Mbuf m = allocPacket(pool, len);
        if (m == null) {
            return null;
        }
        Mbuf s = src;
        int soff = 0;
        for (Mbuf d = m; d != null; d = d.next) {
            int doff = 0;
            while (doff < d.len) {
                while (s != null && soff == s.len) {
                    s = s.next;
                    soff = 0;
                }
                if (s == null) {
                    pool.freeChain(m);
                    throw new IndexOutOfBoundsException("mbuf chain too short for " + len + " bytes");
                }
                int count = Math.min(d.len - doff, s.len - soff);
                System.arraycopy(s.buf, s.off + soff, d.buf, d.off + doff, count);
                doff += count;
                soff += count;
            }
        }
        return m;
    }

    /**
     * A packet of {@code pool}'s holding the first {@code len} bytes of {@code src}, a chain of another
     * kernel's on the same in-memory wire, that shares the sender's clusters instead of copying them, as
     * Linux's loopback device hands its {@code sk_buff} to the receiving side: a bulk segment then costs
     * the two copies that a host loopback transfer costs (into the sender's socket buffer, out of the
     * receiver's), not three. The bytes in front of the first cluster, where the sender prepended its
     * link, IP and transport headers, and at least the first {@code MLEN - MAX_HDR} bytes, are copied into
     * a writable packet-header mbuf, so that protocol input reads and rewrites headers in place and the
     * lent storage stays read-only ({@link Mbuf#writable}). A lent cluster stays charged to the sender's
     * kernel and goes back to its pool when the receiver frees its last reference. Where a frame has too
     * little in clusters to be worth lending it is copied as {@link #copyPacket} copies it. Null if no
     * mbuf is left.
     *
     * @throws IndexOutOfBoundsException if the chain holds fewer than {@code len} bytes
     */
    public static Mbuf lendPacket(MbufPool pool, Mbuf src, int len) {
        int maxHead = Mbuf.MLEN - MbufPool.MAX_HDR;
        int head = 0;
        for (Mbuf s = src; s != null && head < len && !lendable(s); s = s.next) {
            head += s.len;
        }
        head = Math.max(Math.min(head, len), Math.min(len, maxHead));
        if (head > maxHead || len - head < LEND_MIN) {
            return copyPacket(pool, src, len);
        }
        Mbuf m = pool.getPacketHeader();
        if (m == null) {
            return null;
        }
        copydata(src, 0, head, m.buf, m.off);
        m.len = head;
        m.pkthdr.setLen(len);
        Mbuf s = src;
        int soff = head;
        while (s != null && soff >= s.len) {
            soff -= s.len;
            s = s.next;
        }
        Mbuf tail = m;
        for (int left = len - head; left > 0; ) {
            if (s == null) {
                pool.freeChain(m);
                throw new IndexOutOfBoundsException("mbuf chain too short for " + len + " bytes");
            }
            int count = Math.min(s.len - soff, left);
            if (count == 0) {
                // an empty mbuf in the chain: nothing to take from it
            } else if (lendable(s)) {
                Mbuf n = pool.share(s, s.off + soff, count);
                if (n == null) {
                    pool.freeChain(m);
                    return null;
                }
                tail.next = n;
                tail = n;
            } else {
                Mbuf c = allocChain(pool, MbufType.DATA, count);
                if (c == null) {
                    pool.freeChain(m);
                    return null;
                }
                tail.next = c;
                for (int o = s.off + soff; c != null; c = c.next) {
                    System.arraycopy(s.buf, o, c.buf, c.off, c.len);
                    o += c.len;
                    tail = c;
                }
            }
            left -= count;
            soff = 0;
            s = s.next;
        }
        return m;
    }

    /** Below this many bytes past the headers, a frame is copied rather than lent. */
    private static final int LEND_MIN = 1024;

    /**
     * Storage another kernel may hold a reference to: a pool cluster, or a prebuilt frame's bytes
     * ({@link MbufPool#getPrebuilt}, whose owner promises them unchanged until the free hook and takes that
     * hook from any thread), but not other caller-owned bytes, which the owner may want back on its own
     * terms. Both are read-only to every mbuf that shares them ({@link Mbuf#writable}).
     */
    private static boolean lendable(Mbuf m) {
        return m.ext != null && (m.ext.isCluster() || m.ext.isPrebuilt()) && m.len > 0;
    }

    /** The chain's bytes in a new array. */
    public static byte[] toBytes(Mbuf m) {
        byte[] out = new byte[MbufChain.length(m)];
        copydata(m, 0, out.length, out, 0);
        return out;
    }
}
