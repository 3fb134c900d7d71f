package io.jrump.sysproxy;

import java.nio.channels.ByteChannel;

/**
 * A connected client socket as the server uses it: blocking reads and writes, plus a shutdown that
 * wakes a thread blocked in {@code read} without releasing the descriptor, so that the connection's
 * other threads can still fail their writes safely before the last one closes it.
 */
interface Transport extends ByteChannel {
    void shutdown();
}
