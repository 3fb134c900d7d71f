package io.jrump.rumpnet.mbuf;

import java.nio.BufferUnderflowException;

/**
 * Reads a chain as one big-endian byte stream, across mbuf boundaries, without copying it or making
 * it contiguous first. A parser keeps one cursor and {@link #reset resets} it per packet, so reading
 * allocates nothing; this spares the {@link MbufChain#pullup} a header split over two mbufs would
 * otherwise need. Reads past the end throw {@link BufferUnderflowException} and consume nothing.
 */
public final class MbufCursor {
    private Mbuf m;
    private int pos;
    private int offset;

    /** Positions the cursor at the start of {@code chain}. */
    public MbufCursor reset(Mbuf chain) {
        return reset(chain, 0);
    }

    /** Positions the cursor at byte {@code off} of {@code chain}. */
    public MbufCursor reset(Mbuf chain, int off) {
        m = chain;
        pos = 0;
        offset = 0;
        skip(off);
        return this;
    }

    /** Bytes read or skipped since the start of the chain. */
    public int offset() {
        return offset;
    }

    /** Bytes left to read. */
    public int remaining() {
        int n = 0;
        for (Mbuf x = m; x != null; x = x.next) {
            n += x.len;
        }
        return n - pos;
    }

    /** Whether at least {@code n} bytes are left. */
    public boolean has(int n) {
        int left = n + pos;
        for (Mbuf x = m; x != null; x = x.next) {
            left -= x.len;
            if (left <= 0) {
                return true;
            }
        }
        return left <= 0;
    }

    private void settle() {
        while (m != null && pos >= m.len) {
            pos -= m.len;
            m = m.next;
        }
    }

    private void need(int n) {
        if (!has(n)) {
            throw new BufferUnderflowException();
        }
    }

    public void skip(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative skip " + n);
        }
        need(n);
        pos += n;
        offset += n;
        settle();
    }

    public int u8() {
        settle();
        if (m == null) {
            throw new BufferUnderflowException();
        }
        int v = m.buf[m.off + pos] & 0xff;
        pos++;
        offset++;
        return v;
    }

    public int u16() {
        settle();
        if (m != null && m.len - pos >= 2) {
            int i = m.off + pos;
            pos += 2;
            offset += 2;
            return (m.buf[i] & 0xff) << 8 | (m.buf[i + 1] & 0xff);
        }
        need(2);
        return u8() << 8 | u8();
    }

    /** Four bytes as a signed int, as sequence numbers and addresses are compared. */
    public int i32() {
        settle();
        if (m != null && m.len - pos >= 4) {
            int i = m.off + pos;
            byte[] b = m.buf;
            pos += 4;
            offset += 4;
            return (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
        }
        need(4);
        return u16() << 16 | u16();
    }

    public long u32() {
        return i32() & 0xffffffffL;
    }

    /** Copies the next {@code len} bytes into {@code dst}. */
    public void read(byte[] dst, int dstOff, int len) {
        need(len);
        MbufCopy.copydata(m, pos, len, dst, dstOff);
        pos += len;
        offset += len;
        settle();
    }
}
