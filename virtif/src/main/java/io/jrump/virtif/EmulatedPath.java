package io.jrump.virtif;

import io.jrump.hypercall.HyperClock;
import io.jrump.hypercall.HyperTimer;
import java.util.SplittableRandom;

/**
 * One direction of a {@link LinkEmulator}: decides each frame's fate from the seeded random source,
 * passes it on at once when nothing delays it, and otherwise holds a copy until its due time and hands
 * it on from a hypercall timer. Under a {@code ManualClock} held frames thus come out exactly when a
 * test advances time past their due time, on the advancing thread.
 *
 * <p>The random draws for a frame are made in a fixed order (loss, duplicate, corrupt, reorder), and a
 * draw is made only for an impairment whose probability is not zero, so the same seed and the same
 * frames give the same run.
 *
 * <p>The lock guards the decisions, the pool and the queue only; frames are handed on with no lock
 * held, so a receiver may send back through the emulator, and two emulators on one hub cannot
 * deadlock.
 */
final class EmulatedPath {
    /** Where a path hands frames on: the frame and its offload flags (a partial TCP checksum, when carried). */
    @FunctionalInterface
    interface Out {
        void pass(byte[] frame, int off, int len, int csumFlags);
    }

    private final HyperClock clock;
    private final Impairments imp;
    private final SplittableRandom random;
    private final Out out;
    private final HeldFramePool pool;
    private final HeldFrameQueue queue = new HeldFrameQueue();
    private final HyperTimer timer;
    private long lineFreeAt;
    private long arrivals;
    private boolean closed;
    private long lost;
    private long overflowed;
    private long duplicated;
    private long reordered;
    private long corrupted;
    private long delayed;

    EmulatedPath(String name, HyperClock clock, Impairments imp, SplittableRandom random, int maxFrames,
            long maxBytes, Out out) {
        this.clock = clock;
        this.imp = imp;
        this.random = random;
        this.out = out;
        this.pool = new HeldFramePool(maxFrames, maxBytes);
        this.timer = clock.newTimer(name, this::deliverDue);
        this.lineFreeAt = clock.monotonicNanos();
    }

    /**
     * Takes a frame from upstream; the caller's array is not kept. A frame that nothing delays is
     * handed on at once on the calling thread: the caller's bytes themselves, or a pooled copy if a bit
     * is to be flipped, since neither a sender's array nor a lent receive buffer may be written. {@code csumFlags}
     * go with the frame (a corrupting path never gets a partial checksum: {@link LinkEmulator} finishes it).
     */
    void offer(byte[] frame, int off, int len, int csumFlags) {
        int times = 0;
        HeldFrame scratch = null;
        synchronized (this) {
            if (closed) {
                overflowed++;
                return;
            }
            if (imp.loss() > 0 && random.nextDouble() < imp.loss()) {
                lost++;
                return;
            }
            int copies = 1;
            if (imp.duplicate() > 0 && random.nextDouble() < imp.duplicate()) {
                copies = 2;
                duplicated++;
            }
            int flipBit = -1;
            if (imp.corrupt() > 0 && len > EtherLink.HEADER_LEN && random.nextDouble() < imp.corrupt()) {
                flipBit = EtherLink.HEADER_LEN * 8 + random.nextInt((len - EtherLink.HEADER_LEN) * 8);
                corrupted++;
            }
            long extra = 0;
            if (imp.reorder() > 0 && random.nextDouble() < imp.reorder()) {
                extra = imp.reorderDelayNanos();
                reordered++;
            }
            boolean hold = extra != 0 || imp.delayNanos() != 0 || imp.rateBitsPerSecond() != 0;
            if (!hold) {
                if (flipBit >= 0) {
                    scratch = copyIn(frame, off, len, flipBit);
                    if (scratch == null) {
                        overflowed += copies;
                        return;
                    }
                }
                times = copies;
            } else {
                long now = clock.monotonicNanos();
                for (int c = 0; c < copies; c++) {
                    HeldFrame h = copyIn(frame, off, len, flipBit);
                    if (h == null) {
                        overflowed++;
                        continue;
                    }
                    h.csumFlags = csumFlags;
                    long departs = now;
                    if (imp.rateBitsPerSecond() > 0) {
                        long start = lineFreeAt - now > 0 ? lineFreeAt : now;
                        departs = start + imp.serialisationNanos(len);
                        lineFreeAt = departs;
                    }
                    h.due = departs + imp.delayNanos() + extra;
                    h.order = arrivals++;
                    queue.add(h);
                    delayed++;
                    if (queue.peek() == h) {
                        timer.arm(h.due);
                    }
                }
            }
        }
        if (scratch == null) {
            for (int c = 0; c < times; c++) {
                out.pass(frame, off, len, csumFlags);
            }
            return;
        }
        try {
            for (int c = 0; c < times; c++) {
                out.pass(scratch.buf, 0, len, csumFlags);
            }
        } finally {
            synchronized (this) {
                pool.release(scratch);
            }
        }
    }

    private HeldFrame copyIn(byte[] frame, int off, int len, int flipBit) {
        HeldFrame h = pool.acquire(len);
        if (h != null) {
            System.arraycopy(frame, off, h.buf, 0, len);
            if (flipBit >= 0) {
                h.buf[flipBit >>> 3] ^= (byte) (1 << (flipBit & 7));
            }
        }
        return h;
    }

    /** The timer's action: hands on every frame that is due, then re-arms for the next one. */
    private void deliverDue() {
        for (;;) {
            HeldFrame h;
            synchronized (this) {
                h = queue.peek();
                if (h == null || closed) {
                    return;
                }
                if (h.due - clock.monotonicNanos() > 0) {
                    timer.arm(h.due);
                    return;
                }
                queue.poll();
            }
            try {
                out.pass(h.buf, 0, h.len, h.csumFlags);
            } finally {
                synchronized (this) {
                    pool.release(h);
                }
            }
        }
    }

    synchronized EmulatorStats stats() {
        return new EmulatorStats(lost, overflowed, duplicated, reordered, corrupted, delayed);
    }

    synchronized int heldFrames() {
        return queue.size();
    }

    /** Frames dropped here, for the link's drop counter. */
    synchronized long dropped() {
        return lost + overflowed;
    }

    /** Stops the timer and discards the held frames; later offers are dropped. */
    void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            while (queue.poll() != null) {
                overflowed++;
            }
        }
        timer.close();
    }
}
