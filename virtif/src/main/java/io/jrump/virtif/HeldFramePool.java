package io.jrump.virtif;

import java.util.Arrays;

/**
 * The bounded store behind a {@link LinkEmulator}'s held frames: at most {@code maxFrames} frames and
 * {@code maxBytes} bytes are held at once; beyond that {@link #acquire} refuses and the caller drops
 * the frame, as netem's {@code limit} tail-drops. A slow emulated link under a fast sender therefore
 * loses frames, as a real one does, rather than growing the heap until OutOfMemoryError.
 *
 * <p>Buffers are kept with their slots and reused, a larger one for a smaller frame too, so that mixed
 * traffic (full segments and bare ACKs) settles into allocating nothing. A new buffer, sized in 64-byte
 * steps, is allocated only when no free one fits; free buffers are released first if the pool would
 * otherwise hold more than {@code 2 * maxBytes + 64 * maxFrames} bytes of buffers, and if even that is
 * not enough (busy frames sit in much larger buffers than they need) the frame is refused like any
 * other overflow. The memory behind the queue is thus bounded by its limits whatever the frame sizes.
 * Not thread-safe: the owning path locks.
 */
final class HeldFramePool {
    private static final int GRAIN = 64;

    private final int maxFrames;
    private final long maxBytes;
    private final long budget;
    private HeldFrame[] free = new HeldFrame[16];
    private int nfree;
    private int busy;
    private long busyBytes;
    private long allocated;

    HeldFramePool(int maxFrames, long maxBytes) {
        this.maxFrames = maxFrames;
        this.maxBytes = maxBytes;
        this.budget = 2 * maxBytes + (long) GRAIN * maxFrames;
    }

    /** A slot with room for {@code len} bytes, or null if the limits would be exceeded. */
    HeldFrame acquire(int len) {
        if (busy >= maxFrames || busyBytes + len > maxBytes) {
            return null;
        }
        HeldFrame h = popFitting(len);
        if (h.buf == null || h.buf.length < len) {
            int cap = (int) Math.min(Integer.MAX_VALUE - 8, ((long) len + GRAIN - 1) / GRAIN * GRAIN);
            if (h.buf != null) {
                allocated -= h.buf.length;
                h.buf = null;
            }
            for (int i = nfree - 1; i >= 0 && allocated + cap > budget; i--) {
                HeldFrame f = free[i];
                if (f.buf != null) {
                    allocated -= f.buf.length;
                    f.buf = null;
                }
            }
            if (allocated + cap > budget) {
                pushFree(h);
                return null;
            }
            h.buf = new byte[cap];
            allocated += cap;
        }
        h.len = len;
        busy++;
        busyBytes += len;
        return h;
    }

    void release(HeldFrame h) {
        busy--;
        busyBytes -= h.len;
        pushFree(h);
    }

    private void pushFree(HeldFrame h) {
        if (nfree == free.length) {
            free = Arrays.copyOf(free, nfree * 2);
        }
        free[nfree++] = h;
    }

    int busyFrames() {
        return busy;
    }

    long busyBytes() {
        return busyBytes;
    }

    /** Bytes of buffers the pool holds, in use or free. */
    long allocatedBytes() {
        return allocated;
    }

    /**
     * A free slot whose buffer already fits, looking a few deep from the most recently freed one, else
     * the most recently freed one, else a new slot.
     */
    private HeldFrame popFitting(int len) {
        if (nfree == 0) {
            return new HeldFrame();
        }
        for (int i = nfree - 1, seen = 0; i >= 0 && seen < 8; i--, seen++) {
            HeldFrame f = free[i];
            if (f.buf != null && f.buf.length >= len) {
                free[i] = free[nfree - 1];
                free[--nfree] = null;
                return f;
            }
        }
        HeldFrame f = free[--nfree];
        free[nfree] = null;
        return f;
    }
}
