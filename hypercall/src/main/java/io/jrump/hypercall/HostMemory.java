package io.jrump.hypercall;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/** Memory accounting with a hard limit, lock-free so that pool refills on many CPUs do not serialise. */
final class HostMemory implements HyperMemory {
    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    HostMemory(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("memory limit must be positive: " + limit);
        }
        this.limit = limit;
    }

    @Override
    public long limit() {
        return limit;
    }

    /** The limit, else what the JVM's heap may grow to: Java objects are where kernel memory lives. */
    @Override
    public long physmem() {
        return limit != Long.MAX_VALUE ? limit : Runtime.getRuntime().maxMemory();
    }

    @Override
    public long used() {
        return used.get();
    }

    @Override
    public long peak() {
        return peak.get();
    }

    @Override
    public long failures() {
        return failures.get();
    }

    @Override
    public boolean reserve(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative reservation " + bytes);
        }
        long now;
        for (;;) {
            long cur = used.get();
            now = cur + bytes;
            if (now > limit || now < 0) {
                failures.incrementAndGet();
                return false;
            }
            if (used.compareAndSet(cur, now)) {
                break;
            }
        }
        long p;
        while (now > (p = peak.get()) && !peak.compareAndSet(p, now)) {
            // retry: another CPU raised the peak meanwhile
        }
        return true;
    }

    @Override
    public void release(long bytes) {
        long after = used.addAndGet(-bytes);
        if (after < 0) {
            used.addAndGet(bytes);
            throw new KernelPanic("memory released twice: " + bytes + " bytes more than reserved");
        }
    }

    @Override
    public ByteBuffer allocate(int size, boolean direct) {
        if (!reserve(size)) {
            return null;
        }
        try {
            return direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
        } catch (OutOfMemoryError e) {
            release(size);
            failures.incrementAndGet();
            return null;
        }
    }

    @Override
    public void free(ByteBuffer buffer) {
        release(buffer.capacity());
    }
}
