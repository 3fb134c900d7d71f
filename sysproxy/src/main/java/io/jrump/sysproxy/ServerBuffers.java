package io.jrump.sysproxy;

import io.jrump.kern.syscall.sp.BufferMeter;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of buffers a server holds for its connections (frames being read, the buffers of the calls
 * it runs, the replies it writes), counted per connection and in total, and the limits on them: a
 * call whose argument buffers would take its connection past {@link #perConnection} or the server past
 * {@link #total} is refused (ENOBUFS) before it runs. Bytes that have already arrived (a frame being
 * read) are counted but never refused; the frame limit and the stall timeout bound them.
 */
final class ServerBuffers {
    private final AtomicLong held = new AtomicLong();
    private final long total;
    private final long perConnection;

    ServerBuffers(long total, long perConnection) {
        this.total = total;
        this.perConnection = perConnection;
    }

    /** Bytes held now for every connection together. */
    long held() {
        return held.get();
    }

    private boolean tryTake(long bytes) {
        for (;;) {
            long cur = held.get();
            if (cur + bytes > total) {
                return false;
            }
            if (held.compareAndSet(cur, cur + bytes)) {
                return true;
            }
        }
    }

    /** A new connection's meter. */
    Connection connection() {
        return new Connection();
    }

    /** One connection's share. */
    final class Connection implements BufferMeter {
        private final AtomicLong mine = new AtomicLong();

        @Override
        public boolean reserve(long bytes) {
            if (mine.get() + bytes > perConnection || !tryTake(bytes)) {
                return false;
            }
            mine.addAndGet(bytes);
            return true;
        }

        @Override
        public void charge(long bytes) {
            mine.addAndGet(bytes);
            held.addAndGet(bytes);
        }

        @Override
        public void release(long bytes) {
            mine.addAndGet(-bytes);
            held.addAndGet(-bytes);
        }

        /** The connection is gone: whatever it still held goes back. */
        void releaseAll() {
            held.addAndGet(-mine.getAndSet(0));
        }
    }
}
