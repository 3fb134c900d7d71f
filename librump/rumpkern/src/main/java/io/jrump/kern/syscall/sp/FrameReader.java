package io.jrump.kern.syscall.sp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Cuts a byte stream into frames: a u32 length, checked against {@link Protocol#MAX_FRAME} before any
 * byte of the body is awaited, then the body. It reads as much as the channel has into one kept buffer,
 * so pipelined frames cost one read, and grows that buffer only for a frame that needs it. The frame it
 * returns stays valid until the next call; a stream that ends inside a frame is a
 * {@link ProtocolException}, one that ends between frames is a clean end.
 */
public final class FrameReader {
    private final ReadableByteChannel ch;
    private final WireReader reader = new WireReader();
    private ByteBuffer buf;
    private int start;
    private int end;

    public FrameReader(ReadableByteChannel ch) {
        this(ch, 16 << 10);
    }

    public FrameReader(ReadableByteChannel ch, int initialCapacity) {
        this.ch = ch;
        this.buf = ByteBuffer.allocateDirect(initialCapacity);
    }

    /**
     * The next frame's bytes after its length field (type, request number, body), or null if the stream
     * ended cleanly between frames.
     */
    public WireReader next() throws IOException {
        if (!fill(4, true)) {
            return null;
        }
        int len = buf.getInt(start);
        if (len < Protocol.FRAME_HEADER - 4 || len > Protocol.MAX_FRAME) {
            throw new ProtocolException("frame length " + Integer.toUnsignedString(len) + " outside "
                    + (Protocol.FRAME_HEADER - 4) + ".." + Protocol.MAX_FRAME);
        }
        fill(4 + len, false);
        int from = start + 4;
        start = from + len;
        return reader.reset(buf, from, start);
    }

    /** Makes {@code n} bytes available from {@code start}; false only at a clean end if allowed. */
    private boolean fill(int n, boolean mayEnd) throws IOException {
        if (end - start >= n) {
            return true;
        }
        if (buf.capacity() - start < n) {
            buf.limit(end).position(start);
            if (buf.capacity() >= n) {
                buf.compact();
            } else {
                ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(n, buf.capacity() * 2));
                bigger.put(buf);
                buf = bigger;
            }
            end -= start;
            start = 0;
        }
        while (end - start < n) {
            buf.limit(buf.capacity()).position(end);
            int r = ch.read(buf);
            if (r < 0) {
                if (mayEnd && end == start) {
                    return false;
                }
                throw new ProtocolException("truncated frame: the stream ended after " + (end - start)
                        + " of " + n + " bytes");
            }
            end += r;
        }
        return true;
    }
}
