package io.jrump.kern.syscall.sp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Cuts a byte stream into frames: a u32 length, checked against the frame limit of the direction read
 * ({@link Protocol#MAX_REQUEST} on the server, {@link Protocol#MAX_REPLY} on the client) before any byte
 * of the body is awaited, then the body. It reads as much as the channel has into one kept buffer,
 * so pipelined frames cost one read, and grows that buffer only for a frame that needs it. The frame it
 * returns stays valid until the next call; a stream that ends inside a frame is a
 * {@link ProtocolException}, one that ends between frames is a clean end.
 */
public final class FrameReader {
    private final ReadableByteChannel ch;
    private final int maxFrame;
    private final WireReader reader = new WireReader();
    private ByteBuffer buf;
    private int start;
    private int end;

    /** A reader of frames whose length field is at most {@code maxFrame}. */
    public FrameReader(ReadableByteChannel ch, int maxFrame, int initialCapacity) {
        this.ch = ch;
        this.maxFrame = maxFrame;
        this.buf = ByteBuffer.allocateDirect(initialCapacity);
    }

    /** The server's reader of a client's requests. */
    public static FrameReader requests(ReadableByteChannel ch) {
        return new FrameReader(ch, Protocol.MAX_REQUEST, 16 << 10);
    }

    /** The client's reader of a server's replies. */
    public static FrameReader replies(ReadableByteChannel ch) {
        return new FrameReader(ch, Protocol.MAX_REPLY, 16 << 10);
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
        if (len < Protocol.FRAME_HEADER - 4 || len > maxFrame) {
            throw new ProtocolException("frame length " + Integer.toUnsignedString(len) + " outside "
                    + (Protocol.FRAME_HEADER - 4) + ".." + maxFrame);
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
