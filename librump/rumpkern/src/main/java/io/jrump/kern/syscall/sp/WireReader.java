package io.jrump.kern.syscall.sp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Big-endian reads over one frame's bytes, each checked against the frame's end: a read past it is a
 * {@link ProtocolException} naming what was being read, never an index error. A reader is reset onto each
 * new frame and allocates only for what it returns (strings, arrays).
 */
public final class WireReader {
    private ByteBuffer buf;
    private int pos;
    private int limit;

    /** Points this reader at {@code [from, to)} of {@code b}. */
    public WireReader reset(ByteBuffer b, int from, int to) {
        this.buf = b;
        this.pos = from;
        this.limit = to;
        return this;
    }

    /** A reader over a whole array, for tests and tools. */
    public static WireReader of(byte[] data) {
        return new WireReader().reset(ByteBuffer.wrap(data), 0, data.length);
    }

    public int remaining() {
        return limit - pos;
    }

    private void need(int n, String what) throws ProtocolException {
        if (n < 0 || limit - pos < n) {
            throw new ProtocolException("truncated frame: " + what + " needs " + n + " bytes, "
                    + (limit - pos) + " left");
        }
    }

    public int u8(String what) throws ProtocolException {
        need(1, what);
        return buf.get(pos++) & 0xff;
    }

    public int u16(String what) throws ProtocolException {
        need(2, what);
        int v = buf.getShort(pos) & 0xffff;
        pos += 2;
        return v;
    }

    public int i32(String what) throws ProtocolException {
        need(4, what);
        int v = buf.getInt(pos);
        pos += 4;
        return v;
    }

    public long i64(String what) throws ProtocolException {
        need(8, what);
        long v = buf.getLong(pos);
        pos += 8;
        return v;
    }

    /** A u32 count or length, checked against {@code max} and against the bytes left at {@code unit} each. */
    public int count(String what, int max, int unit) throws ProtocolException {
        int n = i32(what);
        if (n < 0 || n > max) {
            throw new ProtocolException(what + " of " + Integer.toUnsignedString(n) + " exceeds the limit of " + max);
        }
        if ((long) n * unit > remaining()) {
            throw new ProtocolException("truncated frame: " + what + " of " + n + " does not fit in the "
                    + remaining() + " bytes left");
        }
        return n;
    }

    public byte[] bytes(int n, String what) throws ProtocolException {
        need(n, what);
        byte[] b = new byte[n];
        buf.get(pos, b, 0, n);
        pos += n;
        return b;
    }

    /** Copies {@code n} bytes into {@code dst} at {@code off} (absolute; dst's position is not moved). */
    public void copyTo(ByteBuffer dst, int off, int n, String what) throws ProtocolException {
        need(n, what);
        dst.put(off, buf, pos, n);
        pos += n;
    }

    /** Skips {@code n} bytes. */
    public void skip(int n, String what) throws ProtocolException {
        need(n, what);
        pos += n;
    }

    /** A u32-length-prefixed UTF-8 string of at most {@code max} bytes. */
    public String string(String what, int max) throws ProtocolException {
        int n = count(what + " length", max, 1);
        String s;
        if (buf.hasArray()) {
            s = new String(buf.array(), buf.arrayOffset() + pos, n, StandardCharsets.UTF_8);
        } else {
            byte[] b = new byte[n];
            buf.get(pos, b, 0, n);
            s = new String(b, StandardCharsets.UTF_8);
        }
        pos += n;
        return s;
    }

    /** A reader over the next {@code n} bytes, which this one skips: a nested value cannot overrun them. */
    public WireReader sub(int n, String what) throws ProtocolException {
        need(n, what);
        WireReader r = new WireReader().reset(buf, pos, pos + n);
        pos += n;
        return r;
    }

    /** Fails unless the frame has been consumed exactly. */
    public void expectEnd(String what) throws ProtocolException {
        if (pos != limit) {
            throw new ProtocolException(what + ": " + (limit - pos) + " unexpected bytes at the end");
        }
    }
}
