package io.jrump.rumpnio;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.Poll;
import io.jrump.kern.file.PollFd;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
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

    /**
     * Waits (or with {@code timeoutMs} 0 looks) for the outcome of {@code ch}'s connection in progress: true
     * once it is up, false if still pending when the time is up or the channel was closed meanwhile; the
     * failure ({@code SO_ERROR}, as the JDK's exception) otherwise. {@code one} polls the descriptor for
     * POLLOUT.
     */
    static boolean awaitConnect(Syscalls sys, PollFd[] one, java.nio.channels.Channel ch, int timeoutMs)
            throws IOException {
        int fd = one[0].fd;
        for (;;) {
            if (!ch.isOpen()) {
                return false;
            }
            int rev = await(sys, one, timeoutMs);
            if (rev == 0 || !ch.isOpen()) {
                return false;
            }
            int err;
            try {
                err = sys.getsockopt(fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_ERROR);
            } catch (ErrnoException e) {
                throw Errors.connect(e);
            }
            if (err != 0) {
                throw Errors.connect(err);
            }
            try {
                sys.getpeername(fd, new SockAddr());
                return true;
            } catch (ErrnoException e) {
                if ((rev & (Poll.POLLHUP | Poll.POLLERR)) != 0) {
                    throw Errors.connect(Errno.ECONNREFUSED);
                }
                if (timeoutMs == 0) {
                    return false;
                }
            }
        }
    }
}
