package io.jrump.rumpnio;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.PollFd;
import io.jrump.kern.syscall.Syscalls;
import java.io.IOException;
import java.net.SocketException;

/**
 * How a channel in blocking mode waits: its kernel descriptor stays non-blocking, and a thread that
 * finds nothing to do sleeps in the kernel's {@code poll} on that one descriptor. A closer wakes it by
 * shutting the socket down, which makes it readable and (both ways shut) hung up; that works the same
 * in-process and through {@code RUMP_SERVER}, where a thread in a kernel sleep can be reached by no
 * other means. Keeping descriptors non-blocking also makes {@code configureBlocking} free: the JDK's
 * HttpServer switches each connection's mode twice per request.
 */
final class Waits {
    private Waits() {
    }

    /**
     * Sleeps until {@code one[0]} (its fd and events set) is ready, or {@code timeoutMs} passes
     * (negative: no limit). Returns the ready events, 0 on timeout.
     */
    static int await(Syscalls sys, PollFd[] one, int timeoutMs) throws IOException {
        for (;;) {
            try {
                int n = sys.poll(one, timeoutMs);
                return n == 0 ? 0 : one[0].revents;
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EINTR) {
                    throw new SocketException("poll: " + Errors.message(e.errno()));
                }
            }
        }
    }
}
