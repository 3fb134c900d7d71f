package io.jrump.rumpnio;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.Poll;
import io.jrump.kern.file.PollFd;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A listening TCP channel on a rump kernel socket. As the JDK's, it has {@code SO_REUSEADDR} on from
 * the start (so that a restarted server binds while old connections sit in TIME_WAIT) and a default
 * backlog of 50. Accepted descriptors come out of the kernel blocking, as BSD's do, and are made
 * non-blocking before they become channels. Closing and blocking work as in {@link RumpSocketChannel}.
 */
final class RumpServerSocketChannel extends ServerSocketChannel implements SelChannel {
    private static final int ST_OPEN = 0;
    private static final int ST_CLOSING = 1;
    private static final int ST_CLOSED = 2;
    private static final int DEFAULT_BACKLOG = 50;

    private final RumpSelectorProvider provider;
    private final Syscalls sys;
    private final int fd;
    private final ReentrantLock acceptLock = new ReentrantLock();
    private final Object stateLock = new Object();
    private volatile int state;
    private Thread acceptor;
    private volatile InetSocketAddress local;
    private final PollFd[] acceptWait;
    private final SockAddr from = new SockAddr();
    private ServerSocketAdaptor adaptor;

    RumpServerSocketChannel(RumpSelectorProvider provider) throws IOException {
        super(provider);
        this.provider = provider;
        this.sys = provider.syscalls();
        try {
            this.fd = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM | SocketDefs.SOCK_NONBLOCK, 0);
        } catch (ErrnoException e) {
            throw Errors.socket(e);
        }
        try {
            sys.setsockopt(fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_REUSEADDR, 1);
        } catch (ErrnoException e) {
            closeQuietly(sys, fd);
            throw Errors.socket(e);
        }
        this.acceptWait = new PollFd[] {new PollFd(fd, Poll.POLLIN)};
    }

    static void closeQuietly(Syscalls sys, int fd) {
        try {
            sys.close(fd);
        } catch (ErrnoException e) {
            // nothing more can be done with it
        }
    }

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public RumpSelectorProvider rumpProvider() {
        return provider;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public ServerSocketChannel bind(SocketAddress localAddr, int backlog) throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (local != null) {
                throw new AlreadyBoundException();
            }
            SockAddr sa = localAddr == null ? Addresses.any() : Addresses.toKernel(localAddr);
            try {
                sys.bind(fd, sa);
                sys.listen(fd, backlog < 1 ? DEFAULT_BACKLOG : backlog);
            } catch (ErrnoException e) {
                throw Errors.bind(e);
            }
            SockAddr out = new SockAddr();
            try {
                sys.getsockname(fd, out);
            } catch (ErrnoException e) {
                throw Errors.socket(e);
            }
            local = Addresses.toJava(out);
        }
        return this;
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return local;
    }

    InetSocketAddress localIfBound() {
        return local;
    }

    @Override
    public <T> ServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        SocketOpts.check(name, SocketOpts.LISTENER);
        ensureOpen();
        SocketOpts.set(sys, fd, name, value, SocketOpts.LISTENER);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        SocketOpts.check(name, SocketOpts.LISTENER);
        ensureOpen();
        return SocketOpts.get(sys, fd, name, SocketOpts.LISTENER);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return SocketOpts.LISTENER;
    }

    @Override
    public ServerSocket socket() {
        synchronized (stateLock) {
            if (adaptor == null) {
                adaptor = ServerSocketAdaptor.create(this);
            }
            return adaptor;
        }
    }

    @Override
    public SocketChannel accept() throws IOException {
        return accept(-1);
    }

    /**
     * Accepts a connection; in blocking mode waits up to {@code timeoutMs} (negative: forever) and returns
     * null when it passes, which the adaptor turns into its timeout.
     */
    SocketChannel accept(int timeoutMs) throws IOException {
        acceptLock.lock();
        try {
            boolean blocking = isBlocking();
            int nfd = -1;
            try {
                if (blocking) {
                    begin();
                }
                synchronized (stateLock) {
                    ensureOpen();
                    if (local == null) {
                        throw new NotYetBoundException();
                    }
                    if (blocking) {
                        acceptor = Thread.currentThread();
                    }
                }
                for (;;) {
                    try {
                        nfd = sys.accept(fd, from);
                        break;
                    } catch (ErrnoException e) {
                        int errno = e.errno();
                        if (errno == Errno.EAGAIN || errno == Errno.ECONNABORTED) {
                            if (!blocking || !isOpen()) {
                                break;
                            }
                            if (Waits.await(sys, acceptWait, timeoutMs) == 0 && timeoutMs >= 0) {
                                break;
                            }
                            if (!isOpen()) {
                                break;
                            }
                        } else if (errno != Errno.EINTR) {
                            throw Errors.socket(e);
                        }
                    }
                }
            } finally {
                if (blocking) {
                    synchronized (stateLock) {
                        acceptor = null;
                        if (state == ST_CLOSING) {
                            tryFinishClose();
                        }
                    }
                    if (nfd >= 0 && !isOpen()) {
                        closeQuietly(sys, nfd);
                        nfd = -1;
                    }
                    end(nfd >= 0);
                }
            }
            if (nfd < 0) {
                return null;
            }
            try {
                sys.fcntl(nfd, Syscalls.F_SETFL, io.jrump.kern.file.KFile.O_NONBLOCK);
            } catch (ErrnoException e) {
                closeQuietly(sys, nfd);
                throw Errors.socket(e);
            }
            return new RumpSocketChannel(provider, nfd, Addresses.toJava(from));
        } finally {
            acceptLock.unlock();
        }
    }

    @Override
    protected void implConfigureBlocking(boolean block) {
        acceptLock.lock();
        acceptLock.unlock();
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        boolean wake;
        synchronized (stateLock) {
            wake = acceptor != null;
            state = ST_CLOSING;
            if (tryFinishClose()) {
                return;
            }
        }
        if (wake) {
            try {
                sys.shutdown(fd, SocketDefs.SHUT_RD);
            } catch (ErrnoException e) {
                // only meant to wake the acceptor
            }
        }
        if (!isBlocking()) {
            acceptLock.lock();
            acceptLock.unlock();
        }
        synchronized (stateLock) {
            tryFinishClose();
        }
    }

    private boolean tryFinishClose() {
        if (state != ST_CLOSING || acceptor != null || isRegistered()) {
            return state == ST_CLOSED;
        }
        state = ST_CLOSED;
        closeQuietly(sys, fd);
        return true;
    }

    @Override
    public void kill() {
        synchronized (stateLock) {
            if (state == ST_CLOSING) {
                tryFinishClose();
            }
        }
    }

    @Override
    public int pollEvents(int ops) {
        return (ops & SelectionKey.OP_ACCEPT) != 0 ? Poll.POLLIN : 0;
    }

    @Override
    public int readyOps(int revents, int interest) {
        if ((revents & Poll.POLLNVAL) != 0) {
            return 0;
        }
        if ((revents & (Poll.POLLERR | Poll.POLLHUP)) != 0) {
            return interest;
        }
        return (revents & Poll.POLLIN) != 0 ? interest & SelectionKey.OP_ACCEPT : 0;
    }

    @Override
    public String toString() {
        return getClass().getSuperclass().getName() + "[" + (isOpen() ? local == null ? "unbound" : local.toString()
                : "closed") + " rump fd " + fd + "]";
    }
}
