package io.jrump.kern.syscall.sp;

/**
 * What a connection's buffers cost its server: every buffer a {@link FrameReader}, {@link WireWriter}
 * or {@link Inbound} takes or gives back is told here, so that a server can bound what one connection
 * and all of them together hold. A frame's bytes, which have arrived already, are {@link #charge}d and
 * never refused; a call's argument buffers, which a few bytes of request can ask for, are
 * {@link #reserve}d and may be refused, and the call then fails with ENOBUFS without running.
 */
public interface BufferMeter {
    /** A meter that counts nothing, for clients and tests. */
    BufferMeter NONE = new BufferMeter() {
        @Override
        public boolean reserve(long bytes) {
            return true;
        }

        @Override
        public void charge(long bytes) {
        }

        @Override
        public void release(long bytes) {
        }
    };

    /** Takes {@code bytes} if the limits allow; false (and nothing taken) if not. */
    boolean reserve(long bytes);

    /** Takes {@code bytes} whatever the limits. */
    void charge(long bytes);

    /** Gives back {@code bytes} taken before. */
    void release(long bytes);
}
