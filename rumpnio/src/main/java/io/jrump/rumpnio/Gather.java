package io.jrump.rumpnio;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Gathering writes without {@code writev}: the kernel's system call interface has no vectored I/O, so
 * several small buffers are copied into one per-thread buffer of {@link RumpSelectorProvider#GATHER_LIMIT}
 * bytes and written with one call, which leaves as few TCP segments as {@code writev} would and costs one
 * kernel entry instead of one per buffer. Larger writes go buffer by buffer, where a copy would cost more
 * than the calls it saves.
 */
final class Gather {
    private Gather() {
    }

    /** The bytes remaining in {@code srcs[offset..offset+length)}, checking each for null. */
    static long remaining(ByteBuffer[] srcs, int offset, int length) {
        long want = 0;
        for (int i = offset; i < offset + length; i++) {
            want += Objects.requireNonNull(srcs[i]).remaining();
        }
        return want;
    }

    /** Whether the write is worth gathering: more than one buffer with bytes, all fitting the gather buffer. */
    static boolean worthIt(ByteBuffer[] srcs, int offset, int length, long want) {
        if (want > RumpSelectorProvider.GATHER_LIMIT) {
            return false;
        }
        int nonEmpty = 0;
        for (int i = offset; i < offset + length; i++) {
            nonEmpty += srcs[i].hasRemaining() ? 1 : 0;
        }
        return nonEmpty > 1;
    }

    /** Copies the sources, unmoved, into {@code g} and flips it for writing. */
    static ByteBuffer fill(ByteBuffer g, ByteBuffer[] srcs, int offset, int length) {
        g.clear();
        for (int i = offset; i < offset + length; i++) {
            ByteBuffer b = srcs[i];
            int p = b.position();
            g.put(b);
            b.position(p);
        }
        return g.flip();
    }

    /** Moves the sources past the first {@code n} bytes, which were written. */
    static void advance(ByteBuffer[] srcs, int offset, int length, long n) {
        long left = n;
        for (int i = offset; i < offset + length && left > 0; i++) {
            ByteBuffer b = srcs[i];
            int step = (int) Math.min(left, b.remaining());
            b.position(b.position() + step);
            left -= step;
        }
    }
}
