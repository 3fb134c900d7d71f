package io.jrump.rumpnio;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * How {@link RumpSelector#wakeup()} reaches a thread asleep in the kernel's {@code poll}: a UDP socket
 * bound to 127.0.0.1 and connected to itself, in the selector's own kernel, that is in every poll set.
 * A wakeup sends it one datagram, which makes it readable and ends the poll; the selector reads it
 * back. The kernel has no {@code pipe} or {@code socketpair} and no wakeup call of its own, and a loopback
 * datagram works the same in-process and through {@code RUMP_SERVER} (and on a kernel whose sockets are
 * {@code sockin}'s, where 127.0.0.1 is the host's loopback). It costs one descriptor per selector.
 */
final class WakeupSocket implements AutoCloseable {
    private static final int LOOPBACK = 0x7f000001;
    private final Syscalls sys;
    private final int fd;
    private final ByteBuffer out = ByteBuffer.allocate(1);
    private final ByteBuffer in = ByteBuffer.allocate(64);

    WakeupSocket(Syscalls sys) throws IOException {
        this.sys = sys;
        int s;
        try {
            s = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM | SocketDefs.SOCK_NONBLOCK, 0);
        } catch (ErrnoException e) {
            throw Errors.socket(e);
        }
        try {
            sys.bind(s, new SockAddr(SocketDefs.AF_INET, LOOPBACK, 0));
            SockAddr self = new SockAddr();
            sys.getsockname(s, self);
            sys.connect(s, self);
        } catch (ErrnoException e) {
            RumpServerSocketChannel.closeQuietly(sys, s);
            throw new IOException("selector wakeup socket on 127.0.0.1: " + Errors.message(e.errno())
                    + " (the kernel needs lo0 with 127.0.0.1)");
        }
        this.fd = s;
    }

    int fd() {
        return fd;
    }

    /** Sends one datagram; a full buffer means one is already waiting, which is as good. */
    void send() {
        out.clear();
        try {
            sys.sendto(fd, out, 0, null);
        } catch (ErrnoException e) {
            // EAGAIN or ENOBUFS: datagrams are queued, so the poll will see the socket readable anyway
        }
    }

    /** Reads back every datagram sent so far. */
    void drain() {
        for (int i = 0; i < 64; i++) {
            in.clear();
            try {
                sys.recvfrom(fd, in, 0, null);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EINTR) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        RumpServerSocketChannel.closeQuietly(sys, fd);
    }
}
