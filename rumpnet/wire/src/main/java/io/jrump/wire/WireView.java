package io.jrump.wire;

import java.util.Objects;

/**
 * The common part of every header view: which bytes it looks at, and big-endian access to them.
 *
 * <p>A view is a mutable cursor meant to be kept and re-aimed with {@code wrap} for every packet, so that the receive
 * and forwarding paths allocate nothing. It is not thread-safe; each lwp or softint context keeps its own.
 * {@code wrap} checks that the range lies inside the array, so that after a successful {@code check()} of the
 * subclass no getter can leave the array. Indices given to the accessors are relative to the wrapped offset.
 */
public abstract class WireView {
    private static final byte[] NONE = new byte[0];

    private byte[] buf = NONE;
    private int off;
    private int len;

    WireView() {
    }

    /**
     * Aims the view at {@code len} bytes of {@code buf} starting at {@code off}.
     *
     * @throws IndexOutOfBoundsException if the range is not inside the array (a caller bug, not bad input)
     */
    final void wrapRange(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        this.buf = buf;
        this.off = off;
        this.len = len;
    }

    /** The array this view reads and writes; shared, not copied. */
    public final byte[] buffer() {
        return buf;
    }

    /** Index in {@link #buffer()} of the first byte of this header. */
    public final int offset() {
        return off;
    }

    /** Number of bytes the view was given, which may exceed what the header declares (link-layer padding). */
    public final int length() {
        return len;
    }

    final int u8(int i) {
        return buf[off + i] & 0xff;
    }

    final int u16(int i) {
        int p = off + i;
        return (buf[p] & 0xff) << 8 | (buf[p + 1] & 0xff);
    }

    final int i32(int i) {
        int p = off + i;
        return (buf[p] & 0xff) << 24 | (buf[p + 1] & 0xff) << 16 | (buf[p + 2] & 0xff) << 8 | (buf[p + 3] & 0xff);
    }

    final long u48(int i) {
        return (long) u16(i) << 32 | (i32(i + 2) & 0xffff_ffffL);
    }

    final void put8(int i, int v) {
        buf[off + i] = (byte) v;
    }

    final void put16(int i, int v) {
        int p = off + i;
        buf[p] = (byte) (v >>> 8);
        buf[p + 1] = (byte) v;
    }

    final void put32(int i, int v) {
        int p = off + i;
        buf[p] = (byte) (v >>> 24);
        buf[p + 1] = (byte) (v >>> 16);
        buf[p + 2] = (byte) (v >>> 8);
        buf[p + 3] = (byte) v;
    }

    final void put48(int i, long v) {
        put16(i, (int) (v >>> 32));
        put32(i + 2, (int) v);
    }

    /** Throws if fewer than {@code needed} bytes are wrapped; emit methods use it to turn a short buffer into a clear bug report. */
    final void requireLength(int needed, String what) {
        if (len < needed) {
            throw new IllegalArgumentException(what + " needs " + needed + " bytes, view wraps " + len);
        }
    }
}
