package io.jrump.virtif;

import static io.jrump.virtif.ShmifLayout.FOFF_LENGTH;
import static io.jrump.virtif.ShmifLayout.FOFF_SENDER;
import static io.jrump.virtif.ShmifLayout.FOFF_SEQ;
import static io.jrump.virtif.ShmifLayout.FOFF_TIME;
import static io.jrump.virtif.ShmifLayout.FRAME_HEADER;
import static io.jrump.virtif.ShmifLayout.HEADER_SIZE;

import io.jrump.hypercall.Errno;
import io.jrump.hypercall.HyperError;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A shmif bus as laid out in {@link ShmifLayout}: validation of a mapped file, the header words, the
 * wrap-around copy into and out of the ring, and appending a frame. Appending is the writer's half of
 * NetBSD's {@code shmif_start}; the reader's half is {@link ShmifReader}, the lock is {@link ShmifLock}.
 */
final class ShmifRing {
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final ShmifUser mem;
    private final int ringSize;

    private ShmifRing(ShmifUser mem, int ringSize) {
        this.mem = mem;
        this.ringSize = ringSize;
    }

    /** The header of a new, empty bus with a ring of {@code ringSize} bytes. */
    static byte[] initialHeader(int ringSize) {
        byte[] h = new byte[HEADER_SIZE];
        INT_LE.set(h, ShmifLayout.OFF_MAGIC, ShmifLayout.MAGIC);
        INT_LE.set(h, ShmifLayout.OFF_VERSION, ShmifLayout.VERSION);
        INT_LE.set(h, ShmifLayout.OFF_HEADER_SIZE, HEADER_SIZE);
        INT_LE.set(h, ShmifLayout.OFF_RING_SIZE, ringSize);
        return h;
    }

    static long fileSize(int ringSize) {
        return (long) HEADER_SIZE + ringSize;
    }

    /**
     * Checks that a mapped file is a bus this code understands.
     *
     * @throws HyperError EINVAL naming what is wrong
     */
    static ShmifRing attach(ShmifUser mem) {
        String path = mem.path();
        if (mem.size() < HEADER_SIZE) {
            throw new HyperError(Errno.EINVAL, path + ": " + mem.size() + " bytes, too short for a shmif bus");
        }
        int magic = mem.getInt(ShmifLayout.OFF_MAGIC);
        if (magic != ShmifLayout.MAGIC) {
            throw new HyperError(Errno.EINVAL, path + ": not a shmif bus (magic 0x" + Integer.toHexString(magic) + ")");
        }
        int version = mem.getInt(ShmifLayout.OFF_VERSION);
        if (version != ShmifLayout.VERSION) {
            throw new HyperError(Errno.EINVAL, path + ": shmif bus version " + version + ", this code speaks "
                    + ShmifLayout.VERSION);
        }
        int headerSize = mem.getInt(ShmifLayout.OFF_HEADER_SIZE);
        int ring = mem.getInt(ShmifLayout.OFF_RING_SIZE);
        if (headerSize != HEADER_SIZE || ring < ShmifLayout.MIN_RING || ring > ShmifLayout.MAX_RING
                || fileSize(ring) > mem.size()) {
            throw new HyperError(Errno.EINVAL, path + ": corrupt shmif bus header (header size " + headerSize
                    + ", ring size " + ring + ", file size " + mem.size() + ")");
        }
        return new ShmifRing(mem, ring);
    }

    int ringSize() {
        return ringSize;
    }

    /** The largest frame the ring can hold at all. */
    int maxPayload() {
        return ringSize - FRAME_HEADER;
    }

    String path() {
        return mem.path();
    }

    long generation() {
        return mem.getLongAcquire(ShmifLayout.OFF_GENERATION);
    }

    long reserve() {
        return mem.getLongVolatile(ShmifLayout.OFF_RESERVE);
    }

    long nextSequence() {
        return mem.getLongAcquire(ShmifLayout.OFF_NEXT_SEQ);
    }

    ShmifHeader header() {
        return new ShmifHeader(mem.getInt(ShmifLayout.OFF_VERSION), ringSize, generation(),
                mem.getLongAcquire(ShmifLayout.OFF_FIRST), nextSequence(), lockWord(),
                mem.getInt(ShmifLayout.OFF_LOCK_HOLDER), mem.getLong(ShmifLayout.OFF_LOCK_TIME),
                mem.getInt(ShmifLayout.OFF_LOCK_BREAKS));
    }

    long lockWord() {
        return mem.getLongVolatile(ShmifLayout.OFF_LOCK);
    }

    boolean casLock(long expect, long ticket) {
        return mem.compareAndSetLong(ShmifLayout.OFF_LOCK, expect, ticket);
    }

    /** Overwrites the lock word with no regard for its holder: only for simulating a dead writer in tests. */
    void forceLockWord(long word) {
        mem.setLongVolatile(ShmifLayout.OFF_LOCK, word);
    }

    void recordHolder(int holder, long wallNanos) {
        mem.putInt(ShmifLayout.OFF_LOCK_HOLDER, holder);
        mem.setLongRelease(ShmifLayout.OFF_LOCK_TIME, wallNanos);
    }

    void countBreak() {
        mem.putInt(ShmifLayout.OFF_LOCK_BREAKS, mem.getInt(ShmifLayout.OFF_LOCK_BREAKS) + 1);
    }

    /** Copies ring bytes from absolute offset {@code abs}, wrapping at the ring end. */
    void copyOut(long abs, byte[] dst, int off, int len) {
        int at = (int) Long.remainderUnsigned(abs, ringSize);
        int first = Math.min(len, ringSize - at);
        mem.get(HEADER_SIZE + at, dst, off, first);
        if (first < len) {
            mem.get(HEADER_SIZE, dst, off + first, len - first);
        }
    }

    /** Copies bytes into the ring at absolute offset {@code abs}, wrapping at the ring end. */
    void copyIn(long abs, byte[] src, int off, int len) {
        int at = (int) Long.remainderUnsigned(abs, ringSize);
        int first = Math.min(len, ringSize - at);
        mem.put(HEADER_SIZE + at, src, off, first);
        if (first < len) {
            mem.put(HEADER_SIZE, src, off + first, len - first);
        }
    }

    /**
     * Appends a frame; the caller holds the bus lock with {@code ticket}. In order: move {@code first}
     * past every frame the write will overwrite, raise {@code reserve} to the write's end, store the
     * frame, then publish the sequence number and the generation. If the lock was broken under us
     * (this writer stalled past the timeout), the frame is not published and false is returned.
     *
     * @param hdr scratch of {@link ShmifLayout#FRAME_HEADER} bytes, so appending allocates nothing
     */
    boolean append(long ticket, int sender, long wallNanos, byte[] frame, int off, int len, byte[] hdr) {
        long gen = mem.getLongAcquire(ShmifLayout.OFF_GENERATION);
        long reserved = mem.getLongAcquire(ShmifLayout.OFF_RESERVE);
        long first = mem.getLongAcquire(ShmifLayout.OFF_FIRST);
        long seq = mem.getLongAcquire(ShmifLayout.OFF_NEXT_SEQ);
        long end = gen + FRAME_HEADER + len;
        long dirty = Math.max(reserved, end);
        while (first < gen && first < dirty - ringSize) {
            copyOut(first + FOFF_LENGTH, hdr, 0, 4);
            int flen = (int) INT_LE.get(hdr, 0);
            if (flen < 0 || flen > maxPayload() || first + FRAME_HEADER + flen > gen) {
                first = gen;
                break;
            }
            first += FRAME_HEADER + flen;
        }
        mem.setLongRelease(ShmifLayout.OFF_FIRST, first);
        mem.setLongVolatile(ShmifLayout.OFF_RESERVE, dirty);
        VarHandle.storeStoreFence();
        INT_LE.set(hdr, FOFF_LENGTH, len);
        INT_LE.set(hdr, FOFF_SENDER, sender);
        LONG_LE.set(hdr, FOFF_TIME, wallNanos);
        LONG_LE.set(hdr, FOFF_SEQ, seq);
        copyIn(gen, hdr, 0, FRAME_HEADER);
        copyIn(gen + FRAME_HEADER, frame, off, len);
        if (lockWord() != ticket) {
            return false;
        }
        mem.setLongRelease(ShmifLayout.OFF_NEXT_SEQ, seq + 1);
        mem.setLongRelease(ShmifLayout.OFF_GENERATION, end);
        return true;
    }

    static int frameLength(byte[] hdr) {
        return (int) INT_LE.get(hdr, FOFF_LENGTH);
    }

    static int frameSender(byte[] hdr) {
        return (int) INT_LE.get(hdr, FOFF_SENDER);
    }

    static long frameTime(byte[] hdr) {
        return (long) LONG_LE.get(hdr, FOFF_TIME);
    }

    static long frameSequence(byte[] hdr) {
        return (long) LONG_LE.get(hdr, FOFF_SEQ);
    }
}
