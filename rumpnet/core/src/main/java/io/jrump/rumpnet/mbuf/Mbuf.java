package io.jrump.rumpnet.mbuf;

/**
 * One buffer of a packet (mbuf(9)): a window {@code [off, off + len)} into a byte array, a link to the
 * next buffer of the same packet ({@code m_next}) and to the next packet in a queue
 * ({@code m_nextpkt}), and, on the first buffer of a packet, a {@link PktHdr}.
 *
 * <p>The bytes live either inside the mbuf (a small mbuf, {@link #MLEN} bytes) or in external storage
 * ({@link MbufFlags#M_EXT}): a {@link #MCLBYTES} cluster or caller-owned bytes. Room before the window
 * is leading space, where lower layers prepend their headers without copying the payload
 * ({@link MbufChain#prepend}); room after it is trailing space for appends. Storage shared with another
 * mbuf, or owned by the caller, is read-only and offers neither.
 *
 * <p>Mbufs come from and go back to an {@link MbufPool}; an mbuf is owned by one thread at a time and
 * is not thread-safe. After {@link MbufPool#free} it must not be touched again.
 */
public final class Mbuf {
    /** Data bytes inside a small mbuf (NetBSD's {@code MSIZE} is 256, header included). */
    public static final int MLEN = 256;
    /**
     * Bytes in a cluster ({@code MCLBYTES}). A cluster holds a whole Ethernet frame plus
     * {@link MbufPool#MAX_HDR} of header room, so that a segment cut at the device frame size, as the
     * DART prototype's socket layer does with {@code if_buflen} (seed 002), is one buffer end to end.
     */
    public static final int MCLBYTES = 2048;

    /**
     * Bytes in a jumbo cluster (FreeBSD's {@code MJUM16BYTES}): a 64 KB write or a frame from a 64 KB-MTU
     * link takes four of them instead of thirty-two clusters, so every per-mbuf cost (allocation,
     * reference counts, socket-buffer bookkeeping) is paid an eighth as often on bulk paths. Only data
     * that fills one gets one, so a datagram of a few kilobytes does not charge 16 KB to its socket
     * buffer's storage limit.
     */
    public static final int MJUMBYTES = 16384;
    /** A length meaning "to the end of the chain" ({@code M_COPYALL}). */
    public static final int COPYALL = Integer.MAX_VALUE;

    final MbufPool pool;
    final byte[] dat;
    final PktHdr pkthdr = new PktHdr();
    byte[] buf;
    int bufStart;
    int bufEnd;
    int off;
    int len;
    ExtStorage ext;
    Mbuf next;
    Mbuf nextPkt;
    int flags;
    MbufType type;

    Mbuf(MbufPool pool, boolean small) {
        this.pool = pool;
        this.dat = small ? new byte[MLEN] : null;
        recycle();
    }

    /** The pool's reset: the state of a free mbuf, its own bytes as storage and no type. */
    void recycle() {
        buf = dat;
        bufStart = 0;
        bufEnd = dat == null ? 0 : MLEN;
        off = 0;
        len = 0;
        ext = null;
        next = null;
        nextPkt = null;
        flags = 0;
        type = null;
        pkthdr.clear();
    }

    void attach(ExtStorage e) {
        ext = e;
        buf = e.buf();
        bufStart = e.off();
        bufEnd = e.off() + e.size();
        off = bufStart;
        len = 0;
        // a slice is made by MbufPool.getSlices after the attach; new storage is no one's slice
        flags = (flags | MbufFlags.M_EXT) & ~MbufFlags.M_EXTSLICE;
    }

    /** Drops the external storage and goes back to the mbuf's own bytes, if it has any; returns the storage. */
    ExtStorage detach() {
        ExtStorage e = ext;
        ext = null;
        flags &= ~(MbufFlags.M_EXT | MbufFlags.M_EXTSLICE);
        buf = dat;
        bufStart = 0;
        bufEnd = dat == null ? 0 : MLEN;
        off = 0;
        len = 0;
        return e;
    }

    /** The pool this mbuf belongs to; chain operations allocate from it. */
    public MbufPool pool() {
        return pool;
    }

    /** The array holding this mbuf's bytes; data starts at {@link #off()} ({@code mtod}). */
    public byte[] buf() {
        return buf;
    }

    /** Index in {@link #buf()} of the first data byte. */
    public int off() {
        return off;
    }

    /** Data bytes in this mbuf ({@code m_len}). */
    public int len() {
        return len;
    }

    /**
     * Sets {@code m_len}, after writing into the trailing space or to drop bytes at the end. The packet
     * header's length is the caller's to keep.
     */
    public void setLen(int n) {
        if (n < 0 || off + n > bufEnd) {
            throw new IndexOutOfBoundsException("m_len " + n + " outside the buffer (" + (bufEnd - off) + " bytes)");
        }
        if (n > len && !writable()) {
            throw new IllegalStateException("growing an mbuf with read-only storage");
        }
        len = n;
    }

    /** The byte at data index {@code i}. */
    public byte get(int i) {
        if (i < 0 || i >= len) {
            throw new IndexOutOfBoundsException(i);
        }
        return buf[off + i];
    }

    public Mbuf next() {
        return next;
    }

    public void setNext(Mbuf n) {
        next = n;
    }

    /** The next packet in a queue ({@code m_nextpkt}); only packet heads use it. */
    public Mbuf nextPkt() {
        return nextPkt;
    }

    public void setNextPkt(Mbuf n) {
        nextPkt = n;
    }

    public MbufType type() {
        return type;
    }

    public int flags() {
        return flags;
    }

    public boolean hasFlags(int f) {
        return (flags & f) == f;
    }

    /** Sets protocol flags ({@code m_flags |= f}); {@link MbufFlags#M_EXT} and {@code M_PKTHDR} are not settable. */
    public void setFlags(int f) {
        checkUserFlags(f);
        flags |= f;
    }

    public void clearFlags(int f) {
        checkUserFlags(f);
        flags &= ~f;
    }

    private static void checkUserFlags(int f) {
        if ((f & MbufFlags.M_INTERNAL) != 0) {
            throw new IllegalArgumentException("M_EXT and M_PKTHDR are managed by the mbuf code");
        }
    }

    public boolean isPktHdr() {
        return (flags & MbufFlags.M_PKTHDR) != 0;
    }

    public boolean isExt() {
        return ext != null;
    }

    /**
     * Whether the data is caller-owned bytes with an {@link ExtFree} hook ({@link MbufPool#getExternal}):
     * such an mbuf is never copied and freed in passing (a socket buffer's compaction), since that would
     * tell the owner its bytes left while they are still queued (AFPA's free hooks, issue 17).
     */
    public boolean hasExtFree() {
        return ext != null && ext.freeFn() != null;
    }

    /** The {@link ExtFree} hook of caller-owned bytes, null otherwise: an adapter's buffers name their adapter. */
    public ExtFree extFree() {
        return ext == null ? null : ext.freeFn();
    }

    /**
     * Whether this mbuf holds exactly a prebuilt frame's payload ({@link MbufFlags#M_PREBUILT}, neither
     * trimmed nor a copy of part of it), so that {@link #prebuiltSum()} is the sum of its bytes.
     */
    public boolean prebuiltIntact() {
        return (flags & MbufFlags.M_PREBUILT) != 0 && ext != null && ext.isPrebuiltPayload(off, len);
    }

    /**
     * The payload sum its owner gave {@link MbufPool#getPrebuilt}: the ones-complement sum of the payload's
     * big-endian 16-bit words, an odd last byte padded with zero (RFC 1071), possibly unfolded (any
     * non-negative int; fold it with {@code InternetChecksum.fold}). Meaningful only while
     * {@link #prebuiltIntact()}.
     */
    public int prebuiltSum() {
        return ext == null ? 0 : ext.prebuiltSum();
    }

    /**
     * The length of the prebuilt frame that starts {@code at} bytes into this mbuf's data and ends within
     * it, else 0: a frame of a run ({@link MbufPool#getPrebuiltRun}) or the single frame of
     * {@link MbufPool#getPrebuilt}, wherever the mbuf's data now starts (a socket buffer trims acknowledged
     * bytes off its head). TCP cuts a segment there and sums it with {@link #prebuiltFrameSum}.
     */
    public int prebuiltFrameLen(int at) {
        if ((flags & MbufFlags.M_PREBUILT) == 0 || ext == null || at < 0) {
            return 0;
        }
        return ext.frameLenAt(off + at, off + len);
    }

    /** The payload sum (as {@link #prebuiltSum()}) of the frame for which {@link #prebuiltFrameLen} gave a length. */
    public int prebuiltFrameSum(int at) {
        return ext.frameSumAt(off + at);
    }

    /** The bytes the frame's owner reserved before the payload for link, IP and TCP headers; 0 if none. */
    public int prebuiltHeadroom() {
        return ext == null ? 0 : ext.prebuiltHeadroom();
    }

    /** The packet header; only for the first mbuf of a packet. */
    public PktHdr pkthdr() {
        if (!isPktHdr()) {
            throw new IllegalStateException("mbuf has no packet header");
        }
        return pkthdr;
    }

    /**
     * Whether this mbuf may write into its storage ({@code !M_READONLY}): its own bytes, or a cluster
     * no other mbuf refers to. Caller-owned storage is never written, since its owner may be sending the
     * same bytes on many connections.
     */
    public boolean writable() {
        return ext == null || ext.isCluster() && ((flags & MbufFlags.M_EXTSLICE) != 0 || ext.exclusive());
    }

    /** Bytes free before the data ({@code M_LEADINGSPACE}); 0 for read-only storage. */
    public int leadingSpace() {
        return writable() ? off - bufStart : 0;
    }

    /** Bytes free after the data ({@code M_TRAILINGSPACE}); 0 for read-only storage. */
    public int trailingSpace() {
        return writable() ? bufEnd - off - len : 0;
    }

    /** Bytes the storage holds, data and free space together. */
    public int capacity() {
        return bufEnd - bufStart;
    }

    /** Leaves {@code n} bytes of leading space in an empty mbuf ({@code m_reserve}). */
    public void reserve(int n) {
        checkEmpty();
        if (n < 0 || n > capacity()) {
            throw new IllegalArgumentException("cannot reserve " + n + " of " + capacity() + " bytes");
        }
        off = bufStart + n;
    }

    /** Places the data of an empty mbuf so that {@code n} bytes end at the end of the storage ({@code m_align}). */
    public void align(int n) {
        reserve(capacity() - n);
    }

    private void checkEmpty() {
        if (len != 0) {
            throw new IllegalStateException("mbuf is not empty");
        }
        if (!writable()) {
            throw new IllegalStateException("mbuf storage is read-only");
        }
    }

    /** Moves the packet header, and the flags that belong to the packet, from {@code from} to this mbuf ({@code M_MOVE_PKTHDR}). */
    void movePktHdr(Mbuf from) {
        copyPktHdr(from);
        from.flags &= ~MbufFlags.M_COPYFLAGS;
        from.pkthdr.clear();
    }

    /** Copies the packet header and packet flags of {@code from} ({@code M_COPY_PKTHDR}). */
    void copyPktHdr(Mbuf from) {
        flags = (flags & ~MbufFlags.M_COPYFLAGS) | (from.flags & MbufFlags.M_COPYFLAGS);
        pkthdr.copyFrom(from.pkthdr);
    }

    @Override
    public String toString() {
        if (type == null) {
            return "mbuf(free)";
        }
        return "mbuf(" + type + (isPktHdr() ? " pkt " + pkthdr.len() : "") + (ext == null ? "" : ext.isCluster()
                ? " cluster" : " ext") + " off " + (off - bufStart) + " len " + len + ")";
    }
}
