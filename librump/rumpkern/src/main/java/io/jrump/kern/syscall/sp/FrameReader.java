package io.jrump.kern.syscall.sp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Cuts a byte stream into frames: a u32 length, checked against the frame limit of the direction read
 * ({@link Protocol#MAX_REQUEST} on the server, {@link Protocol#MAX_REPLY} on the client) before any byte
 * of the body is awaited, then the body. It reads as much as the channel has into one kept buffer, so
 * pipelined frames cost one read. The buffer grows only with what has arrived, doubling when full,
 * never to a size a frame's length field merely announces: a peer that announces a large frame and
 * stalls costs what it sent, not what it announced. Once a frame longer than the retained size has been
 * consumed the buffer goes back to its starting size. The frame it returns stays valid until the next
 * call; a stream that ends inside a frame is a {@link ProtocolException}, one that ends between frames
 * is a clean end.
 *
 * <p>A {@link Watch} hears when the reader starts waiting for the rest of a frame and when that frame is
 * complete, so that a server can time out a peer that stalls in the middle of one.
 */
public final class FrameReader {
    /** Hears when reading waits inside a frame; both called on the reading thread. */
    public interface Watch {
        /** The reader has part of a frame and waits for more of it (called once per frame). */
        void midFrame();

        /** The frame the reader waited inside is complete. */
        void frameDone();
    }

    private static final Watch NO_WATCH = new Watch() {
        @Override
        public void midFrame() {
        }

        @Override
        public void frameDone() {
        }
    };

    private final ReadableByteChannel ch;
    private final int maxFrame;
    private final int initialCapacity;
    private final int retainCapacity;
    private final BufferMeter meter;
    private final WireReader reader = new WireReader();
    private Watch watch = NO_WATCH;
    private ByteBuffer buf;
    private int start;
    private int end;
    private boolean waitingInFrame;

    /**
     * A reader of frames whose length field is at most {@code maxFrame}, with a buffer of
     * {@code initialCapacity} bytes that is kept while it is at most {@code retainCapacity}.
     */
    public FrameReader(ReadableByteChannel ch, int maxFrame, int initialCapacity, int retainCapacity,
                       BufferMeter meter) {
        this.ch = ch;
        this.maxFrame = maxFrame;
        this.initialCapacity = Math.max(16, initialCapacity);
        this.retainCapacity = Math.max(this.initialCapacity, retainCapacity);
        this.meter = meter;
        this.buf = allocate(this.initialCapacity);
    }

    public FrameReader(ReadableByteChannel ch, int maxFrame, int initialCapacity) {
        this(ch, maxFrame, initialCapacity, maxFrame + 4, BufferMeter.NONE);
    }

    /**
     * The server's reader of a client's requests: small to start with (a stalled or idle client holds
     * little), keeping up to 64 KiB between frames so that a steady stream of writes is not reallocated.
     */
    public static FrameReader requests(ReadableByteChannel ch, BufferMeter meter) {
        return new FrameReader(ch, Protocol.MAX_REQUEST, 256, (64 << 10) + 256, meter);
    }

    public static FrameReader requests(ReadableByteChannel ch) {
        return requests(ch, BufferMeter.NONE);
    }

    /** The client's reader of a server's replies, keeping room for a full read's reply. */
    public static FrameReader replies(ReadableByteChannel ch) {
        return new FrameReader(ch, Protocol.MAX_REPLY, 4096, Protocol.MAX_REQUEST + 4, BufferMeter.NONE);
    }

    /** Sets who hears about waits inside a frame. */
    public void watch(Watch w) {
        this.watch = w;
    }

    /** Bytes the reader's buffer holds. */
    public int capacity() {
        return buf.capacity();
    }

    private ByteBuffer allocate(int n) {
        meter.charge(n);
        return ByteBuffer.allocateDirect(n);
    }

    /** Moves the buffered bytes into a buffer of {@code n} bytes, from its start. */
    private void replace(int n) {
        ByteBuffer nb = allocate(n);
        buf.limit(end).position(start);
        nb.put(buf);
        meter.release(buf.capacity());
        buf = nb;
        end -= start;
        start = 0;
    }

    /**
     * The next frame's bytes after its length field (type, request number, body), or null if the stream
     * ended cleanly between frames.
     */
    public WireReader next() throws IOException {
        if (buf.capacity() > retainCapacity && end - start <= initialCapacity) {
            replace(initialCapacity);
        }
        if (!fill(4, true)) {
            return null;
        }
        int len = buf.getInt(start);
        if (len < Protocol.FRAME_HEADER - 4 || len > maxFrame) {
            throw new ProtocolException("frame length " + Integer.toUnsignedString(len) + " outside "
                    + (Protocol.FRAME_HEADER - 4) + ".." + maxFrame);
        }
        fill(4 + len, false);
        if (waitingInFrame) {
            waitingInFrame = false;
            watch.frameDone();
        }
        int from = start + 4;
        start = from + len;
        return reader.reset(buf, from, start);
    }

    /** Makes {@code n} bytes available from {@code start}; false only at a clean end if allowed. */
    private boolean fill(int n, boolean mayEnd) throws IOException {
        while (end - start < n) {
            if (end == buf.capacity()) {
                if (n <= buf.capacity()) {
                    buf.limit(end).position(start);
                    buf.compact();
                    end -= start;
                    start = 0;
                } else {
                    replace((int) Math.min(n, (long) buf.capacity() * 2));
                }
            }
            if (end > start && !waitingInFrame) {
                waitingInFrame = true;
                watch.midFrame();
            }
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
