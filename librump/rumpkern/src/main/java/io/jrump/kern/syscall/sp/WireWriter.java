package io.jrump.kern.syscall.sp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Builds one frame at a time, big-endian, in a direct buffer that is kept and grown (never past the frame
 * limit of the direction written: {@link Protocol#MAX_REQUEST} for a client's frames,
 * {@link Protocol#MAX_REPLY} for a server's) so that a connection's steady traffic allocates nothing: {@link #begin} reserves the header,
 * the put methods append, {@link #finish} patches the length and returns the bytes to write.
 */
public final class WireWriter {
    private final int maxFrame;
    private final int initialCapacity;
    private final BufferMeter meter;
    private ByteBuffer buf;
    private int frameStart;

    /** A writer of a server's frames, which may be as long as {@link Protocol#MAX_REPLY}. */
    public WireWriter() {
        this(512, Protocol.MAX_REPLY);
    }

    /** A writer of frames whose length field is at most {@code maxFrame}. */
    public WireWriter(int initialCapacity, int maxFrame) {
        this(initialCapacity, maxFrame, BufferMeter.NONE);
    }

    /** The same, telling {@code meter} what its buffer takes. */
    public WireWriter(int initialCapacity, int maxFrame, BufferMeter meter) {
        this.maxFrame = maxFrame;
        this.initialCapacity = Math.max(64, initialCapacity);
        this.meter = meter;
        meter.charge(this.initialCapacity);
        buf = ByteBuffer.allocateDirect(this.initialCapacity);
    }

    /**
     * After a frame has been written out: gives back a buffer grown past {@code retain} bytes for a big
     * frame (a table, a large read), so that one big reply does not stay with the connection.
     */
    public void trim(int retain) {
        if (buf.capacity() > retain) {
            meter.release(buf.capacity());
            meter.charge(initialCapacity);
            buf = ByteBuffer.allocateDirect(initialCapacity);
            frameStart = 0;
        }
    }

    /** Gives back what the writer's buffer took from its meter; the writer is not used again. */
    public void release() {
        meter.release(buf.capacity());
    }

    /** Bytes the writer's buffer holds. */
    public int capacity() {
        return buf.capacity();
    }

    /** Starts a frame of {@code type} for request {@code reqno}, discarding anything not yet finished. */
    public WireWriter begin(int type, int reqno) {
        buf.clear();
        frameStart = 0;
        buf.putInt(0);
        buf.put((byte) type);
        buf.putInt(reqno);
        return this;
    }

    /** The frame so far, flipped for writing to a channel, with its length field filled in. */
    public ByteBuffer finish() {
        buf.putInt(frameStart, buf.position() - frameStart - 4);
        buf.flip();
        return buf;
    }

    /** Bytes of the frame so far, header included. */
    public int size() {
        return buf.position() - frameStart;
    }

    /** Rewinds to {@code size} bytes of the frame, dropping what was appended after. */
    public void truncate(int size) {
        buf.position(frameStart + size);
    }

    private void room(int n) throws ProtocolException {
        if (buf.remaining() >= n) {
            return;
        }
        long need = (long) buf.position() + n;
        if (need - frameStart - 4 > maxFrame) {
            throw new ProtocolException("frame of more than " + maxFrame + " bytes",
                    io.jrump.hypercall.Errno.EMSGSIZE);
        }
        int cap = (int) Math.min(Math.max(need, (long) buf.capacity() * 2), maxFrame + 4L);
        meter.charge(cap);
        meter.release(buf.capacity());
        ByteBuffer nb = ByteBuffer.allocateDirect(cap);
        buf.flip();
        nb.put(buf);
        buf = nb;
    }

    /** Appends a u32 placeholder and returns where it is, for {@link #patchLength}. */
    public int reserveLength() throws ProtocolException {
        int at = size();
        i32(0);
        return at;
    }

    /** Fills the placeholder at {@code at} with the number of bytes appended after it. */
    public void patchLength(int at) {
        buf.putInt(frameStart + at, size() - at - 4);
    }

    /** Sets {@code bits} in the byte at {@code at} of the frame (a flag on a tag already written). */
    public void orByte(int at, int bits) {
        int i = frameStart + at;
        buf.put(i, (byte) (buf.get(i) | bits));
    }

    public WireWriter u8(int v) throws ProtocolException {
        room(1);
        buf.put((byte) v);
        return this;
    }

    public WireWriter u16(int v) throws ProtocolException {
        room(2);
        buf.putShort((short) v);
        return this;
    }

    public WireWriter i32(int v) throws ProtocolException {
        room(4);
        buf.putInt(v);
        return this;
    }

    public WireWriter i64(long v) throws ProtocolException {
        room(8);
        buf.putLong(v);
        return this;
    }

    public WireWriter bytes(byte[] b) throws ProtocolException {
        room(b.length);
        buf.put(b);
        return this;
    }

    /** Appends {@code n} bytes of {@code src} from {@code off} (absolute; src's position is not moved). */
    public WireWriter bytes(ByteBuffer src, int off, int n) throws ProtocolException {
        room(n);
        buf.put(buf.position(), src, off, n);
        buf.position(buf.position() + n);
        return this;
    }

    /** A u32 length and the UTF-8 bytes; more than {@code max} bytes is refused. */
    public WireWriter string(String s, int max) throws ProtocolException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > max) {
            throw new ProtocolException("string of " + b.length + " bytes exceeds the limit of " + max);
        }
        i32(b.length);
        return bytes(b);
    }
}
