package io.jrump.hypercall;

import java.nio.ByteBuffer;

/**
 * {@code rumpuser_malloc}/{@code rumpuser_free} with a limit. Java allocates objects itself, so the
 * hypercall layer's job is the account: every byte the kernel takes is reserved here first, and the
 * reservation fails (returns {@code false} or {@code null}) past the limit instead of letting the JVM
 * throw {@link OutOfMemoryError}. The kernel turns that into ENOMEM or ENOBUFS.
 */
public interface HyperMemory {
    /** The limit in bytes, or {@link Long#MAX_VALUE} when there is none. */
    long limit();

    /**
     * The memory the host offers the kernel ({@code hw.physmem}): the {@link #limit()} when there is one,
     * else as much as the host can give. The kernel reads it here, not from the JVM, so that a host
     * chosen for a test decides what the kernel sees.
     */
    long physmem();

    /** Bytes reserved and not yet released. */
    long used();

    /** Highest {@link #used()} seen. */
    long peak();

    /** Number of reservations refused because of the limit. */
    long failures();

    /** Reserves {@code bytes}; false, with nothing reserved, if that would pass the limit. */
    boolean reserve(long bytes);

    void release(long bytes);

    /**
     * Allocates a buffer of {@code size} bytes and reserves them; {@code null} past the limit. Direct
     * buffers are for memory a host device reads or writes without a copy (a tap's {@code writev}).
     */
    ByteBuffer allocate(int size, boolean direct);

    /** Releases a buffer from {@link #allocate}. */
    void free(ByteBuffer buffer);
}
