package io.jrump.virtif;

import static io.jrump.virtif.ShmifLayout.FRAME_HEADER;

import java.lang.invoke.VarHandle;

/**
 * A reader's position on a shmif bus, the reading half of NetBSD's {@code shmif_rcv}. Each reader
 * keeps its own absolute offset and reads without the lock, so a slow reader never holds up writers;
 * it pays instead by losing frames when the writers lap it.
 *
 * <p>Each frame is copied out, then {@code reserve} is read again: if any write that had begun by then
 * reaches the frame's ring bytes, the copy may be torn and is discarded. A reader found lapped, before
 * or after copying, must jump to the current write position with {@link #resync}, as NetBSD's
 * {@code shmif_rcv} does when the bus generation shows it was overrun; the frames it missed are
 * counted from the bus's sequence number, which the caller reads together with the generation under
 * the bus lock so that the two agree.
 *
 * <p>Used by one thread at a time; the counters are volatile so others may read them.
 */
final class ShmifReader {
    /** {@link #next}: nothing new on the bus. */
    static final int NONE = -1;
    /**
     * {@link #next}: the reader has been lapped, or found a frame it cannot trust; it stays where it is
     * until {@link #resync} moves it.
     */
    static final int RESYNC = -2;
    /** {@link #next}: a frame longer than the caller's buffer went by; it was skipped. */
    static final int TOO_LONG = -3;

    private final ShmifRing ring;
    private final byte[] hdr = new byte[FRAME_HEADER];
    private long pos;
    private long expectedSeq;
    private int sender;
    private long wallNanos;
    private long sequence;
    // Written only by the one thread that reads (a plain read-modify-write is exact with one writer);
    // volatile so that other threads see current values.
    private volatile long lost;
    private volatile long resyncs;
    private volatile long corrupt;

    /**
     * @param pos absolute offset of the first frame to read
     * @param expectedSeq the sequence number of that frame, or -1 if unknown (losses before the first
     *     frame read are then not counted)
     */
    ShmifReader(ShmifRing ring, long pos, long expectedSeq) {
        this.ring = ring;
        this.pos = pos;
        this.expectedSeq = expectedSeq;
    }

    /**
     * Copies the next frame into {@code dst} and returns its length, or returns {@link #NONE},
     * {@link #RESYNC} or {@link #TOO_LONG}. After a frame, {@link #sender()}, {@link #wallNanos()} and
     * {@link #sequence()} describe it.
     */
    int next(byte[] dst) {
        long gen = ring.generation();
        if (pos == gen) {
            return NONE;
        }
        int ringSize = ring.ringSize();
        if (gen - pos < 0 || ring.reserve() - pos > ringSize) {
            return lapped();
        }
        ring.copyOut(pos, hdr, 0, FRAME_HEADER);
        int len = ShmifRing.frameLength(hdr);
        boolean sane = len >= 0 && len <= ring.maxPayload() && gen - (pos + FRAME_HEADER + len) >= 0;
        if (sane && len <= dst.length) {
            ring.copyOut(pos + FRAME_HEADER, dst, 0, len);
        }
        VarHandle.loadLoadFence();
        if (ring.reserve() - pos > ringSize) {
            return lapped();
        }
        if (!sane) {
            corrupt++;
            return lapped();
        }
        long seq = ShmifRing.frameSequence(hdr);
        if (expectedSeq >= 0 && seq - expectedSeq > 0) {
            lost += seq - expectedSeq;
        }
        expectedSeq = seq + 1;
        pos += FRAME_HEADER + len;
        sender = ShmifRing.frameSender(hdr);
        wallNanos = ShmifRing.frameTime(hdr);
        sequence = seq;
        return len <= dst.length ? len : TOO_LONG;
    }

    private int lapped() {
        resyncs++;
        return RESYNC;
    }

    /**
     * Moves to {@code gen}, where the frame numbered {@code nextSeq} will be written, and counts every
     * frame from the one this reader expected up to it as lost. With {@code nextSeq} unknown (-1),
     * nothing is counted.
     */
    void resync(long gen, long nextSeq) {
        if (expectedSeq >= 0 && nextSeq - expectedSeq > 0) {
            lost += nextSeq - expectedSeq;
        }
        expectedSeq = nextSeq;
        pos = gen;
    }

    long position() {
        return pos;
    }

    int sender() {
        return sender;
    }

    long wallNanos() {
        return wallNanos;
    }

    long sequence() {
        return sequence;
    }

    /** Frames that went by unread because the writers lapped this reader. */
    long lost() {
        return lost;
    }

    long resyncs() {
        return resyncs;
    }

    /** Frames whose header made no sense although no write had touched them: a damaged bus file. */
    long corrupt() {
        return corrupt;
    }
}
