package io.jrump.rumpnet.mbuf;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Storage outside an mbuf ({@code m_ext}): a 2048-byte cluster from the cluster pool, or a region of
 * caller-owned bytes with an {@link ExtFree} callback. Several mbufs may point into the same storage
 * ({@code m_copym} and {@code m_split} share instead of copying), so it carries a reference count and is
 * released when the last mbuf referring to it is freed. Shared storage is read-only: a writer first
 * takes a private copy ({@link MbufCopy#makeWritable}).
 *
 * <p>Descriptors are pooled like mbufs; a cluster descriptor owns its byte array for life, so a
 * cluster is one pool item and costs no allocation when reused.
 */
final class ExtStorage {
    private final MbufPool owner;
    private final byte[] cluster;
    private final AtomicInteger refs = new AtomicInteger();
    private final AtomicInteger foreignRefs = new AtomicInteger();
    private byte[] buf;
    private int off;
    private int size;
    private ExtFree free;
    private Object arg;
    /** A prebuilt frame's payload, {@code buf[preOff, preOff + preLen)}, and its sum; preLen -1 if none. */
    private int preOff;
    private int preLen = -1;
    private int preSum;
    /**
     * A run of frames ({@link MbufPool#getPrebuiltRun}): the first frame's length is {@code firstLen} and
     * its sum {@code preSum}; each further frame is {@code frameLen} bytes (the
     * last the remainder) with its sum at {@code sums[sumsFrom + k]}. A single frame has {@code firstLen ==
     * preLen} and no {@code sums}.
     */
    private int firstLen;
    private int frameLen;
    private int[] sums;
    private int sumsFrom;

    private ExtStorage(MbufPool owner, byte[] cluster) {
        this.owner = owner;
        this.cluster = cluster;
        this.buf = cluster;
        this.size = cluster == null ? 0 : cluster.length;
    }

    static ExtStorage newCluster(MbufPool owner) {
        return new ExtStorage(owner, new byte[Mbuf.MCLBYTES]);
    }

    static ExtStorage newJumbo(MbufPool owner) {
        return new ExtStorage(owner, new byte[Mbuf.MJUMBYTES]);
    }

    boolean isJumbo() {
        return cluster != null && cluster.length == Mbuf.MJUMBYTES;
    }

    static ExtStorage newDescriptor(MbufPool owner) {
        return new ExtStorage(owner, null);
    }

    /**
     * The pool the storage goes back to after its last reference, which may be another kernel's than the
     * pool of the mbuf that drops it: a cluster lent across an in-memory wire ({@link MbufCopy#lendPacket})
     * stays charged to, and returns to, the kernel that filled it.
     */
    MbufPool owner() {
        return owner;
    }

    /** Makes a fresh cluster's (or a descriptor's) first reference. */
    ExtStorage init() {
        refs.set(1);
        return this;
    }

    /** Points a descriptor at caller-owned bytes. */
    ExtStorage init(byte[] b, int o, int len, ExtFree f, Object a) {
        this.buf = b;
        this.off = o;
        this.size = len;
        this.free = f;
        this.arg = a;
        return init();
    }

    /** Notes that {@code buf[payOff, payOff + payLen)} is a prebuilt frame's payload whose sum is {@code sum}. */
    ExtStorage prebuilt(int payOff, int payLen, int sum) {
        return prebuiltRun(payOff, payLen, payLen, sum, payLen, null, 0);
    }

    /** Notes a run of frames: the first {@code first} bytes with sum {@code sum}, then frames of {@code each}. */
    ExtStorage prebuiltRun(int payOff, int payLen, int first, int sum, int each, int[] frameSums, int from) {
        preOff = payOff;
        preLen = payLen;
        preSum = sum;
        firstLen = first;
        frameLen = Math.max(1, each);
        sums = frameSums;
        sumsFrom = from;
        return this;
    }

    /**
     * The length of the frame that starts at {@code abs} (an index into {@link #buf()}) if one does and it
     * ends at or before {@code limit}, else 0.
     */
    int frameLenAt(int abs, int limit) {
        int rel = abs - preOff;
        if (preLen < 0 || rel < 0 || rel >= preLen) {
            return 0;
        }
        int n;
        if (rel < firstLen) {
            if (rel != 0) {
                return 0;
            }
            n = firstLen;
        } else {
            int r = rel - firstLen;
            if (sums == null || r % frameLen != 0) {
                return 0;
            }
            n = Math.min(frameLen, preLen - rel);
        }
        return abs + n <= limit ? n : 0;
    }

    /** The sum of the frame that starts at {@code abs}, for which {@link #frameLenAt} gave a length. */
    int frameSumAt(int abs) {
        int rel = abs - preOff;
        if (rel < firstLen) {
            return preSum;
        }
        return sums[sumsFrom + 1 + (rel - firstLen) / frameLen];
    }

    /** Whether {@code [off, off + len)} is exactly the prebuilt payload, so that its sum holds for it. */
    boolean isPrebuiltPayload(int off, int len) {
        return off == preOff && len == preLen;
    }

    /** Whether the storage is a prebuilt frame's or run's ({@link MbufPool#getPrebuilt}). */
    boolean isPrebuilt() {
        return preLen >= 0;
    }

    int prebuiltSum() {
        return preSum;
    }

    int prebuiltHeadroom() {
        return preLen < 0 ? 0 : preOff - off;
    }

    boolean isCluster() {
        return cluster != null;
    }

    byte[] buf() {
        return buf;
    }

    int off() {
        return off;
    }

    int size() {
        return size;
    }

    ExtFree freeFn() {
        return free;
    }

    Object arg() {
        return arg;
    }

    /** Whether exactly one mbuf refers to this storage, so that it may write. */
    boolean exclusive() {
        return refs.get() == 1;
    }

    int refs() {
        return refs.get();
    }

    void acquire() {
        if (refs.getAndIncrement() <= 0) {
            throw new IllegalStateException("reference to freed external storage");
        }
    }

    /** Notes a reference from another kernel's mbuf; true if it is the first such reference. */
    boolean acquireForeign() {
        return foreignRefs.getAndIncrement() == 0;
    }

    /** Drops a reference from another kernel's mbuf; true if it was the last such reference. */
    boolean releaseForeign() {
        return foreignRefs.decrementAndGet() == 0;
    }

    /** Drops one reference; true if it was the last. */
    boolean release() {
        int r = refs.decrementAndGet();
        if (r < 0) {
            throw new IllegalStateException("external storage released twice");
        }
        return r == 0;
    }

    /** The pool's reset: a descriptor forgets the caller's bytes so the pool does not keep them alive. */
    void recycle() {
        if (cluster == null) {
            buf = null;
            off = 0;
            size = 0;
            free = null;
            arg = null;
            preOff = 0;
            preLen = -1;
            preSum = 0;
            sums = null;
        }
    }
}
