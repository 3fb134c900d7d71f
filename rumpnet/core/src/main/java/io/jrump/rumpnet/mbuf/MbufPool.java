package io.jrump.rumpnet.mbuf;

import io.jrump.kern.Kernel;
import io.jrump.kern.mem.Pool;
import java.util.List;
import java.util.Objects;

/**
 * Where a kernel's mbufs come from ({@code mb_cache} and {@code mcl_cache} in NetBSD's
 * {@code uipc_mbuf.c}). Five kernel pools back it, all charged to kernel memory:
 * <ul>
 * <li>{@code mbpl}: small mbufs with {@link Mbuf#MLEN} bytes of their own;</li>
 * <li>{@code mbhdrpl}: mbuf headers without bytes of their own, for mbufs that only point at
 *     external storage (clusters, shared references, caller-owned bytes), so that a cluster mbuf does
 *     not waste a small mbuf's array;</li>
 * <li>{@code mclpl}: clusters of {@link Mbuf#MCLBYTES};</li>
 * <li>{@code mjumpl}: jumbo clusters of {@link Mbuf#MJUMBYTES}, for data that would take several
 *     clusters (large writes, frames of large-MTU links);</li>
 * <li>{@code mbextpl}: descriptors of caller-owned storage with their free callback.</li>
 * </ul>
 * Every object is made once and reused, so steady traffic allocates nothing. When a pool's limit or
 * the kernel memory limit is reached an allocation returns null, counted in {@link #stats()}, and the
 * caller fails with ENOBUFS; nothing throws {@link OutOfMemoryError}.
 *
 * <p>A kernel has one: the network component makes it at attach. It is safe for use by many CPUs.
 */
public final class MbufPool {
    /**
     * Leading space a new packet leaves for headers ({@code max_hdr}): Ethernet (14), IPv4 with options
     * (60) and TCP with options (60) prepend into it without a copy.
     */
    public static final int MAX_HDR = 128;
    /** What one mbuf object costs beyond its data bytes, charged to kernel memory with it. */
    static final int MHDR_BYTES = 128;
    /** What one external-storage descriptor costs beyond its data bytes. */
    static final int EXT_BYTES = 64;

    private final Kernel kernel;
    private final Pool<Mbuf> small;
    private final Pool<Mbuf> headers;
    private final Pool<ExtStorage> clusters;
    private final Pool<ExtStorage> jumbos;
    private final Pool<ExtStorage> extDescriptors;
    private final MbufStats stats;

    /** A pool bounded only by the kernel memory limit. */
    public MbufPool(Kernel kernel) {
        this(kernel, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /**
     * A pool with at most {@code nmbufs} mbufs of each kind and {@code nmbclusters} clusters
     * ({@code kern.mbuf.nmbclusters}).
     */
    public MbufPool(Kernel kernel, int nmbufs, int nmbclusters) {
        this.kernel = Objects.requireNonNull(kernel);
        this.small = kernel.createPool("mbpl", Mbuf.MLEN + MHDR_BYTES, () -> new Mbuf(this, true),
                Mbuf::recycle, nmbufs);
        this.headers = kernel.createPool("mbhdrpl", MHDR_BYTES, () -> new Mbuf(this, false),
                Mbuf::recycle, nmbufs);
        this.clusters = kernel.createPool("mclpl", Mbuf.MCLBYTES + EXT_BYTES, () -> ExtStorage.newCluster(this),
                ExtStorage::recycle, nmbclusters);
        this.jumbos = kernel.createPool("mjumpl", Mbuf.MJUMBYTES + EXT_BYTES, () -> ExtStorage.newJumbo(this),
                ExtStorage::recycle, nmbclusters);
        this.extDescriptors = kernel.createPool("mbextpl", EXT_BYTES, () -> ExtStorage.newDescriptor(this),
                ExtStorage::recycle, nmbufs);
        this.stats = new MbufStats(List.of(small, headers, clusters, jumbos, extDescriptors));
    }

    public Kernel kernel() {
        return kernel;
    }

    public MbufStats stats() {
        return stats;
    }

    /** A small data mbuf ({@code m_get}), empty, all {@link Mbuf#MLEN} bytes trailing space; null if none is left. */
    public Mbuf get() {
        return get(MbufType.DATA);
    }

    public Mbuf get(MbufType type) {
        return take(small, type);
    }

    /**
     * A small mbuf heading a packet ({@code m_gethdr}), empty, with {@link #MAX_HDR} bytes of leading
     * space for the headers lower layers will prepend; null if none is left.
     */
    public Mbuf getPacketHeader() {
        return getPacketHeader(MbufType.DATA);
    }

    public Mbuf getPacketHeader(MbufType type) {
        Mbuf m = get(type);
        if (m != null) {
            m.flags = MbufFlags.M_PKTHDR;
            m.off = MAX_HDR;
        }
        return m;
    }

    /** An empty mbuf with a cluster ({@code m_getcl} without a header), all of it trailing space; null if none is left. */
    public Mbuf getCluster() {
        return getCluster(MbufType.DATA);
    }

    public Mbuf getCluster(MbufType type) {
        Mbuf m = take(headers, type);
        if (m != null && !attachCluster(m)) {
            free(m);
            return null;
        }
        return m;
    }

    /**
     * An empty mbuf with a {@link Mbuf#MJUMBYTES} jumbo cluster, or with an ordinary cluster if no jumbo
     * is left; null if neither is.
     */
    public Mbuf getJumbo(MbufType type) {
        Mbuf m = take(headers, type);
        if (m == null) {
            return null;
        }
        ExtStorage j = jumbos.get();
        if (j != null) {
            stats.clusterAllocated();
            m.attach(j.init());
            return m;
        }
        if (!attachCluster(m)) {
            free(m);
            return null;
        }
        return m;
    }

    /** {@link #getJumbo} heading a packet, with {@link #MAX_HDR} bytes of leading space. */
    public Mbuf getPacketJumbo(MbufType type) {
        Mbuf m = getJumbo(type);
        if (m != null) {
            m.flags |= MbufFlags.M_PKTHDR;
            m.off += MAX_HDR;
        }
        return m;
    }

    /**
     * An empty cluster mbuf heading a packet ({@code m_getcl(M_PKTHDR)}) with {@link #MAX_HDR} bytes of
     * leading space; the rest holds a full Ethernet frame's payload. Null if none is left.
     */
    public Mbuf getPacketCluster() {
        return getPacketCluster(MbufType.DATA);
    }

    public Mbuf getPacketCluster(MbufType type) {
        Mbuf m = getCluster(type);
        if (m != null) {
            m.flags |= MbufFlags.M_PKTHDR;
            m.off += MAX_HDR;
        }
        return m;
    }

    /**
     * An mbuf whose data is the caller's bytes {@code [off, off + len)} ({@code MEXTADD}), read-only,
     * without a copy. {@code free} runs exactly once, when the last mbuf referring to the bytes (this one
     * or a {@link MbufCopy#copym copy}) is freed. Null if no mbuf is left; the bytes then stay the
     * caller's and {@code free} never runs.
     */
    public Mbuf getExternal(byte[] buf, int off, int len, ExtFree free, Object arg) {
        Objects.checkFromIndexSize(off, len, buf.length);
        ExtStorage e = extDescriptors.get();
        if (e == null) {
            stats.extDenied();
            return null;
        }
        Mbuf m = take(headers, MbufType.DATA);
        if (m == null) {
            extDescriptors.put(e);
            return null;
        }
        stats.extAllocated();
        m.attach(e.init(buf, off, len, free, arg));
        m.len = len;
        return m;
    }

    /**
     * A prebuilt frame ({@link MbufFlags#M_PREBUILT}): an mbuf over the caller's
     * {@code buf[payloadOff, payloadOff + payloadLen)}, as {@link #getExternal}, whose owner computed the
     * payload's sum once ({@code payloadSum}, see {@link Mbuf#prebuiltSum()}) and reserved
     * {@code headroom} bytes before it for headers. TCP sends such a payload as one segment when a
     * segment starts at it and completes the checksum from the sum (AFPA's cache objects, issue 17). The
     * storage is read-only: TCP prepends its headers in an mbuf of its own and leaves the headroom
     * untouched, since a retransmission may be built while an earlier copy still sits in a driver's
     * queue. {@code free} runs once no mbuf refers to the bytes, with the region headroom included
     * ({@code payloadOff - headroom}, {@code headroom + payloadLen}). Null if no mbuf is left.
     */
    public Mbuf getPrebuilt(byte[] buf, int payloadOff, int payloadLen, int headroom, int payloadSum, ExtFree free,
                            Object arg) {
        if (headroom < 0 || headroom > payloadOff) {
            throw new IndexOutOfBoundsException("headroom " + headroom + " before offset " + payloadOff);
        }
        Mbuf m = getExternal(buf, payloadOff - headroom, headroom + payloadLen, free, arg);
        if (m == null) {
            return null;
        }
        m.ext.prebuilt(payloadOff, payloadLen, payloadSum);
        m.off = payloadOff;
        m.len = payloadLen;
        m.flags |= MbufFlags.M_PREBUILT;
        return m;
    }

    /**
     * A run of prebuilt frames that lie back to back in the caller's {@code buf[payloadOff, payloadOff +
     * payloadLen)}, as one mbuf ({@link MbufFlags#M_PREBUILT}): the first frame is {@code firstLen} bytes with
     * sum {@code firstSum}, each further one {@code frameLen} bytes (the last the remainder) with its sum at
     * {@code sums[sumsFrom + k]} for the run's {@code k}-th frame (the array is the owner's, read, never
     * copied). TCP cutting its own segments still cuts at each frame's end and takes that frame's sum
     * ({@link Mbuf#prebuiltFrameLen}); when the interface segments (TSO) the run goes whole, one mbuf for many
     * frames. Otherwise as {@link #getPrebuilt}; null if no mbuf is left.
     */
    public Mbuf getPrebuiltRun(byte[] buf, int payloadOff, int payloadLen, int headroom, int firstLen, int firstSum,
                               int frameLen, int[] sums, int sumsFrom, ExtFree free, Object arg) {
        if (headroom < 0 || headroom > payloadOff) {
            throw new IndexOutOfBoundsException("headroom " + headroom + " before offset " + payloadOff);
        }
        if (firstLen > payloadLen || firstLen < payloadLen && (frameLen <= 0 || sums == null)) {
            throw new IllegalArgumentException("run of " + payloadLen + " bytes, first frame " + firstLen
                    + ", frames of " + frameLen);
        }
        Mbuf m = getExternal(buf, payloadOff - headroom, headroom + payloadLen, free, arg);
        if (m == null) {
            return null;
        }
        m.ext.prebuiltRun(payloadOff, payloadLen, firstLen, firstSum, frameLen, sums, sumsFrom);
        m.off = payloadOff;
        m.len = payloadLen;
        m.flags |= MbufFlags.M_PREBUILT;
        return m;
    }

    /**
     * A chain of {@code count} empty packet header mbufs that share as few clusters as they fit in, each with
     * its own slice of one: {@code firstRoom} (the first) or {@code room} (the rest) bytes of leading space and
     * {@code size} bytes for data, which it alone may write ({@link MbufFlags#M_EXTSLICE}). DART's fragment
     * layout (seed 002): a datagram the socket layer lays out at IP fragment boundaries takes one jumbo cluster
     * for every few fragments instead of a cluster each, and IP output still writes each fragment's headers in
     * the room before its data. Jumbo clusters first, ordinary ones if no jumbo is left. Null if a slice does not
     * fit a cluster or the pools are exhausted.
     */
    public Mbuf getSlices(int count, int firstRoom, int room, int size) {
        if (count <= 0 || Math.max(firstRoom, room) + size > Mbuf.MJUMBYTES) {
            return null;
        }
        Mbuf top = null;
        Mbuf tail = null;
        ExtStorage e = null;
        int at = 0;
        int end = 0;
        for (int i = 0; i < count; i++) {
            int slice = (i == 0 ? firstRoom : room) + size;
            if (e == null || end - at < slice) {
                e = newSliceStorage(slice);
                if (e == null) {
                    freeChain(top);
                    return null;
                }
                at = e.off();
                end = e.off() + e.size();
            } else {
                e.acquire();
            }
            Mbuf m = take(headers, MbufType.DATA);
            if (m == null) {
                releaseExt(e);
                freeChain(top);
                return null;
            }
            m.attach(e);
            m.flags |= MbufFlags.M_PKTHDR | MbufFlags.M_EXTSLICE;
            m.bufStart = at;
            m.bufEnd = at + slice;
            m.off = at + slice - size;
            at += slice;
            if (top == null) {
                top = m;
            } else {
                tail.next = m;
            }
            tail = m;
        }
        return top;
    }

    /** A jumbo cluster, or an ordinary one if no jumbo is left and the slice fits one; null if neither. */
    private ExtStorage newSliceStorage(int slice) {
        ExtStorage j = jumbos.get();
        if (j != null) {
            stats.clusterAllocated();
            return j.init();
        }
        return slice <= Mbuf.MCLBYTES ? newCluster() : null;
    }

    /**
     * An empty mbuf able to take {@code size} contiguous bytes: a small one if they fit, else a cluster
     * one; {@code size} must not exceed {@link Mbuf#MCLBYTES}. Null if none is left.
     */
    Mbuf getFor(MbufType type, int size) {
        if (size > Mbuf.MCLBYTES) {
            throw new IllegalArgumentException(size + " contiguous bytes exceed a cluster");
        }
        return size <= Mbuf.MLEN ? get(type) : getCluster(type);
    }

    /**
     * A header-only mbuf whose data is {@code buf[off, off + len)} of {@code src}'s external storage,
     * which gains a reference instead of being copied; null if none is left.
     */
    Mbuf share(Mbuf src, int off, int len) {
        Mbuf m = take(headers, src.type);
        if (m != null) {
            ExtStorage e = src.ext;
            m.attach(e);
            e.acquire();
            // The source's slice is no longer its alone once a copy reads it. Written only when set: the source
            // is often another kernel's mbuf lent on an in-memory wire, whose flags its own thread uses.
            if ((src.flags & MbufFlags.M_EXTSLICE) != 0) {
                src.flags &= ~MbufFlags.M_EXTSLICE;
            }
            if (e.owner() != this && e.isCluster() && e.acquireForeign()) {
                e.owner().poolOf(e).lent(1);
            }
            m.off = off;
            m.len = len;
        }
        return m;
    }

    /** The pool a cluster of this pool's came from. */
    private Pool<ExtStorage> poolOf(ExtStorage e) {
        return e.isJumbo() ? jumbos : clusters;
    }

    /** Gives an mbuf, which must have no external storage, a fresh cluster ({@code MCLGET}); false if none is left. */
    boolean attachCluster(Mbuf m) {
        ExtStorage c = newCluster();
        if (c == null) {
            return false;
        }
        m.attach(c);
        return true;
    }

    /** A cluster with its first reference, not yet attached to an mbuf; null if none is left. */
    ExtStorage newCluster() {
        ExtStorage c = clusters.get();
        if (c == null) {
            stats.clusterDenied();
            return null;
        }
        stats.clusterAllocated();
        return c.init();
    }

    private Mbuf take(Pool<Mbuf> p, MbufType type) {
        Objects.requireNonNull(type);
        Mbuf m = p.get();
        if (m == null) {
            stats.mbufDenied();
            return null;
        }
        m.type = type;
        stats.mbufAllocated(type);
        return m;
    }

    /**
     * Frees one mbuf ({@code m_free}) and returns the next of its chain. External storage is released
     * when this was its last reference, which runs the caller's {@link ExtFree}.
     */
    public Mbuf free(Mbuf m) {
        if (m.pool != this) {
            throw new IllegalArgumentException("mbuf belongs to another kernel's pool");
        }
        MbufType t = m.type;
        if (t == null) {
            throw new IllegalStateException("mbuf freed twice");
        }
        Mbuf n = m.next;
        ExtStorage e = m.ext;
        stats.mbufFreed(t);
        (m.dat != null ? small : headers).put(m);
        if (e != null) {
            dropRef(e);
        }
        return n;
    }

    /** Frees a whole chain ({@code m_freem}); the packets linked by {@code nextPkt} are not touched. */
    public void freeChain(Mbuf m) {
        while (m != null) {
            m = free(m);
        }
    }

    /**
     * Drops the reference an mbuf of this pool's had to {@code e}, which may be storage another kernel lent
     * (then returned to that kernel's pool after its last reference).
     */
    void dropRef(ExtStorage e) {
        MbufPool owner = e.owner();
        if (owner != this && e.isCluster() && e.releaseForeign()) {
            owner.poolOf(e).lent(-1);
        }
        owner.releaseExt(e);
    }

    /**
     * Drops one reference to external storage of this pool's and gives the storage back after the last;
     * the caller may be a thread of another kernel that was lent the storage.
     */
    void releaseExt(ExtStorage e) {
        if (!e.release()) {
            return;
        }
        if (e.isCluster()) {
            stats.clusterFreed();
            poolOf(e).put(e);
            return;
        }
        ExtFree f = e.freeFn();
        byte[] b = e.buf();
        int o = e.off();
        int l = e.size();
        Object a = e.arg();
        stats.extFreed();
        extDescriptors.put(e);
        if (f != null) {
            try {
                f.free(b, o, l, a);
            } catch (RuntimeException ex) {
                stats.extFreeFailed();
                kernel.log("mbuf: external storage free callback failed: " + ex);
            }
        }
    }

    /** Mbuf objects, small and header-only, made and charged to kernel memory, in use or idle. */
    public long mbufsAllocated() {
        return small.allocated() + headers.allocated();
    }

    /** Clusters made and charged to kernel memory, in use or idle. */
    public long clustersAllocated() {
        return clusters.allocated();
    }
}
