package io.jrump.hypercall.sp;

import java.nio.channels.ByteChannel;

/**
 * A connected sysproxy client socket on the host (librumpuser's {@code sp} code), whatever its
 * transport: blocking reads and writes, plus a {@link #shutdown} that wakes a thread blocked in
 * {@code read} without releasing the descriptor, so that the connection's other threads can still fail
 * their writes safely before the last one closes it.
 */
public interface HostSocket extends ByteChannel {
    void shutdown();
}
