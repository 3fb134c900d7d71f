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
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP {@link SocketChannel} on a rump kernel socket.
 *
 * <p>The kernel descriptor is always non-blocking; blocking mode is a {@code poll} on it (see
 * {@link Waits}). Reads are serialized by one lock and writes by another, as the JDK's channel does,
 * and {@code connect} holds both. A close from another thread marks the channel closing, shuts the
 * socket down to wake a thread asleep in it, and the kernel descriptor is closed by the last of: the
 * closer, a thread leaving a blocking operation, the selector that deregisters the channel's last key.
 * Until then the descriptor number cannot be reused under a thread that still uses it. A connected
 * channel closed while still registered sends its FIN at once ({@code shutdown(SHUT_WR)}) unless
 * {@code SO_LINGER} is 0, as the JDK's does.
 *
 * <p>Data moves with one copy each way: the kernel copies between its mbufs and the caller's buffer,
 * heap or direct; a gathering write of small buffers is first {@linkplain Gather gathered}.
 */
final class RumpSocketChannel extends SocketChannel implements SelChannel {
    private static final int ST_UNCONNECTED = 0;
    private static final int ST_PENDING = 1;
    private static final int ST_CONNECTED = 2;
    private static final int ST_CLOSING = 3;
    private static final int ST_CLOSED = 4;

    private final RumpSelectorProvider provider;
    private final Syscalls sys;
    private final int fd;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Object stateLock = new Object();
    private volatile int state;
    private volatile boolean inputShut;
    private volatile boolean outputShut;
    /** Threads in a blocking operation, guarded by {@link #stateLock}. */
    private Thread reader;
    private Thread writer;
    private volatile InetSocketAddress local;
    private volatile InetSocketAddress remote;
    private final PollFd[] readWait;
    private final PollFd[] writeWait;
    private SocketAdaptor adaptor;

    /** A new unconnected socket. */
    RumpSocketChannel(RumpSelectorProvider provider) throws IOException {
        super(provider);
        this.provider = provider;
        this.sys = provider.syscalls();
        try {
            this.fd = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM | SocketDefs.SOCK_NONBLOCK, 0);
        } catch (ErrnoException e) {
            throw Errors.socket(e);
        }
        this.readWait = new PollFd[] {new PollFd(fd, Poll.POLLIN)};
        this.writeWait = new PollFd[] {new PollFd(fd, Poll.POLLOUT)};
    }

    /** An accepted connection; its descriptor is already non-blocking. */
    RumpSocketChannel(RumpSelectorProvider provider, int fd, InetSocketAddress remote) {
        super(provider);
        this.provider = provider;
        this.sys = provider.syscalls();
        this.fd = fd;
        this.remote = remote;
        this.state = ST_CONNECTED;
        this.readWait = new PollFd[] {new PollFd(fd, Poll.POLLIN)};
        this.writeWait = new PollFd[] {new PollFd(fd, Poll.POLLOUT)};
    }

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public RumpSelectorProvider rumpProvider() {
        return provider;
    }

    Syscalls sys() {
        return sys;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    // ---- addresses and options ----

    @Override
    public SocketChannel bind(SocketAddress localAddr) throws IOException {
        readLock.lock();
        try {
            writeLock.lock();
            try {
                synchronized (stateLock) {
                    ensureOpen();
                    if (state == ST_PENDING) {
                        throw new ConnectionPendingException();
                    }
                    if (state == ST_CONNECTED) {
                        throw new AlreadyConnectedException();
                    }
                    if (local != null) {
                        throw new AlreadyBoundException();
                    }
                    SockAddr sa = localAddr == null ? Addresses.any() : Addresses.toKernel(localAddr);
                    try {
                        sys.bind(fd, sa);
                    } catch (ErrnoException e) {
                        throw Errors.bind(e);
                    }
                    local = queryLocal();
                }
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
        return this;
    }

    private InetSocketAddress queryLocal() throws IOException {
        SockAddr out = new SockAddr();
        try {
            sys.getsockname(fd, out);
        } catch (ErrnoException e) {
            throw Errors.socket(e);
        }
        return Addresses.toJava(out);
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        InetSocketAddress l = local;
        if (l == null && state == ST_CONNECTED) {
            l = queryLocal();
            local = l;
        }
        return l;
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        ensureOpen();
        return state == ST_CONNECTED ? remote : null;
    }

    InetSocketAddress remote() {
        return remote;
    }

    InetSocketAddress localIfKnown() {
        return local;
    }

    @Override
    public <T> SocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        SocketOpts.check(name, SocketOpts.STREAM);
        ensureOpen();
        SocketOpts.set(sys, fd, name, value, SocketOpts.STREAM);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        SocketOpts.check(name, SocketOpts.STREAM);
        ensureOpen();
        return SocketOpts.get(sys, fd, name, SocketOpts.STREAM);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return SocketOpts.STREAM;
    }

    @Override
    public Socket socket() {
        synchronized (stateLock) {
            if (adaptor == null) {
                adaptor = SocketAdaptor.create(this);
            }
            return adaptor;
        }
    }

    // ---- connection ----

    @Override
    public boolean isConnected() {
        return state == ST_CONNECTED;
    }

    @Override
    public boolean isConnectionPending() {
        return state == ST_PENDING;
    }

    boolean isInputShut() {
        return inputShut;
    }

    boolean isOutputShut() {
        return outputShut;
    }

    @Override
    public boolean connect(SocketAddress remoteAddr) throws IOException {
        return connect(remoteAddr, -1);
    }

    /**
     * {@code connect}; in blocking mode a {@code timeoutMs} of 0 or more bounds the wait, after which the
     * channel is closed and {@link SocketTimeoutException} thrown, as the JDK's socket adaptor does.
     */
    boolean connect(SocketAddress remoteAddr, int timeoutMs) throws IOException {
        SockAddr sa = Addresses.toKernel(remoteAddr);
        if (sa.addr == 0) {
            sa.addr = 0x7f000001;
        }
        InetSocketAddress target = Addresses.toJava(sa);
        readLock.lock();
        try {
            writeLock.lock();
            try {
                boolean blocking = isBlocking();
                boolean done = false;
                try {
                    if (blocking) {
                        begin();
                    }
                    synchronized (stateLock) {
                        ensureOpen();
                        if (state == ST_CONNECTED) {
                            throw new AlreadyConnectedException();
                        }
                        if (state == ST_PENDING) {
                            throw new ConnectionPendingException();
                        }
                        if (blocking) {
                            reader = Thread.currentThread();
                        }
                    }
                    try {
                        sys.connect(fd, sa);
                        done = true;
                    } catch (ErrnoException e) {
                        if (e.errno() != Errno.EINPROGRESS) {
                            throw Errors.connect(e);
                        }
                    }
                    remote = target;
                    if (!done) {
                        synchronized (stateLock) {
                            if (state == ST_UNCONNECTED) {
                                state = ST_PENDING;
                            }
                        }
                        if (!blocking) {
                            return false;
                        }
                        done = awaitConnect(timeoutMs);
                        if (!done && isOpen()) {
                            throw new SocketTimeoutException("Connect timed out");
                        }
                    }
                    if (done) {
                        connected();
                    }
                } finally {
                    if (blocking) {
                        endBlocking(true, done);
                    }
                }
                return done;
            } catch (IOException e) {
                close();
                throw e;
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
    }

    private boolean awaitConnect(int timeoutMs) throws IOException {
        return Waits.awaitConnect(sys, writeWait, this, timeoutMs);
    }

    private void connected() throws IOException {
        synchronized (stateLock) {
            if (state == ST_PENDING || state == ST_UNCONNECTED) {
                state = ST_CONNECTED;
            }
        }
        if (local == null) {
            local = queryLocal();
        }
    }

    @Override
    public boolean finishConnect() throws IOException {
        readLock.lock();
        try {
            writeLock.lock();
            try {
                synchronized (stateLock) {
                    ensureOpen();
                    if (state == ST_CONNECTED) {
                        return true;
                    }
                    if (state != ST_PENDING) {
                        throw new NoConnectionPendingException();
                    }
                }
                boolean blocking = isBlocking();
                boolean done = false;
                try {
                    if (blocking) {
                        begin();
                        synchronized (stateLock) {
                            ensureOpen();
                            reader = Thread.currentThread();
                        }
                    }
                    done = awaitConnect(blocking ? -1 : 0);
                    if (done) {
                        connected();
                    }
                } finally {
                    if (blocking) {
                        endBlocking(true, done);
                    }
                }
                return done;
            } catch (IOException e) {
                close();
                throw e;
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public SocketChannel shutdownInput() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (state != ST_CONNECTED) {
                throw new NotYetConnectedException();
            }
            if (!inputShut) {
                shutdown(SocketDefs.SHUT_RD);
                inputShut = true;
            }
        }
        return this;
    }

    @Override
    public SocketChannel shutdownOutput() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (state != ST_CONNECTED) {
                throw new NotYetConnectedException();
            }
            if (!outputShut) {
                shutdown(SocketDefs.SHUT_WR);
                outputShut = true;
            }
        }
        return this;
    }

    private void shutdown(int how) throws IOException {
        try {
            sys.shutdown(fd, how);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENOTCONN) {
                throw Errors.socket(e);
            }
        }
    }

    // ---- reading ----

    /**
     * Enters a read: a closed or unconnected channel fails before anything else (ClosedChannelException,
     * NotYetConnectedException, as the JDK's checks them first); a blocking read then registers itself.
     */
    private void beginRead(boolean blocking) throws IOException {
        ensureOpenAndConnected();
        if (blocking) {
            begin();
            synchronized (stateLock) {
                if (isOpen()) {
                    reader = Thread.currentThread();
                    return;
                }
            }
            end(false);
            throw new AsynchronousCloseException();
        }
    }

    private void ensureOpenAndConnected() throws IOException {
        int st = state;
        if (st >= ST_CLOSING || !isOpen()) {
            throw new ClosedChannelException();
        }
        if (st != ST_CONNECTED) {
            throw new NotYetConnectedException();
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return read(dst, -1);
    }

    /** {@code read}; in blocking mode a {@code timeoutMs} of 0 or more bounds the wait ({@link SocketTimeoutException}). */
    int read(ByteBuffer dst, int timeoutMs) throws IOException {
        Objects.requireNonNull(dst);
        readLock.lock();
        try {
            boolean blocking = isBlocking();
            int n = 0;
            beginRead(blocking);
            try {
                if (inputShut) {
                    return -1;
                }
                n = readOnce(dst, blocking, timeoutMs);
                return n;
            } finally {
                if (blocking) {
                    endBlocking(true, n > 0);
                }
            }
        } finally {
            readLock.unlock();
        }
    }

    /** One read into {@code dst}: bytes read, 0 if none are there (non-blocking), -1 at end of stream. */
    private int readOnce(ByteBuffer dst, boolean blocking, int timeoutMs) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        for (;;) {
            try {
                int n = sys.read(fd, dst);
                return n == 0 ? -1 : n;
            } catch (ErrnoException e) {
                int errno = e.errno();
                if (errno == Errno.EAGAIN) {
                    if (!blocking || !isOpen()) {
                        return 0;
                    }
                    if (Waits.await(sys, readWait, timeoutMs) == 0 && timeoutMs >= 0) {
                        throw new SocketTimeoutException("Read timed out");
                    }
                    if (!isOpen()) {
                        return 0;
                    }
                } else if (errno != Errno.EINTR) {
                    throw Errors.read(e);
                }
            }
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        readLock.lock();
        try {
            boolean blocking = isBlocking();
            long total = 0;
            boolean eof = false;
            beginRead(blocking);
            try {
                if (inputShut) {
                    return -1;
                }
                for (int i = offset; i < offset + length; i++) {
                    ByteBuffer b = Objects.requireNonNull(dsts[i]);
                    if (!b.hasRemaining()) {
                        continue;
                    }
                    int want = b.remaining();
                    int n = readOnce(b, blocking && total == 0, -1);
                    if (n < 0) {
                        eof = total == 0;
                        break;
                    }
                    total += n;
                    if (n < want) {
                        break;
                    }
                }
                return eof ? -1 : total;
            } finally {
                if (blocking) {
                    endBlocking(true, total > 0);
                }
            }
        } finally {
            readLock.unlock();
        }
    }

    // ---- writing ----

    /**
     * Enters a write, checked as {@link #beginRead}. A write after {@code shutdownOutput} fails, as the
     * JDK's does, with {@link AsynchronousCloseException} (thrown by {@link #endWrite}).
     */
    private void beginWrite(boolean blocking) throws IOException {
        ensureOpenAndConnected();
        if (blocking) {
            begin();
            synchronized (stateLock) {
                if (isOpen()) {
                    writer = Thread.currentThread();
                    return;
                }
            }
            end(false);
            throw new AsynchronousCloseException();
        }
    }

    private void endWrite(boolean blocking, long n) throws IOException {
        if (blocking) {
            endBlocking(false, n > 0);
        }
        if (n <= 0 && outputShut) {
            throw new AsynchronousCloseException();
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src);
        writeLock.lock();
        try {
            boolean blocking = isBlocking();
            int n = 0;
            beginWrite(blocking);
            try {
                if (!outputShut) {
                    n = writeFully(src, blocking);
                }
                return n;
            } finally {
                endWrite(blocking, n);
            }
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Writes {@code src}: what the send buffer takes if non-blocking, all of it if blocking (waiting
     * for room as needed). An error after some bytes went returns their count; the next write reports it.
     */
    private int writeFully(ByteBuffer src, boolean blocking) throws IOException {
        int total = 0;
        while (src.hasRemaining()) {
            try {
                total += sys.write(fd, src);
                if (!blocking) {
                    return total;
                }
            } catch (ErrnoException e) {
                int errno = e.errno();
                if (errno == Errno.EAGAIN) {
                    if (!blocking || !isOpen()) {
                        return total;
                    }
                    Waits.await(sys, writeWait, -1);
                    if (!isOpen()) {
                        return total;
                    }
                } else if (errno != Errno.EINTR) {
                    if (total > 0) {
                        return total;
                    }
                    throw Errors.write(e);
                }
            }
        }
        return total;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        writeLock.lock();
        try {
            boolean blocking = isBlocking();
            long total = 0;
            beginWrite(blocking);
            try {
                if (outputShut) {
                    return 0;
                }
                long want = Gather.remaining(srcs, offset, length);
                if (Gather.worthIt(srcs, offset, length, want)) {
                    total = writeFully(Gather.fill(provider.gatherBuffer(), srcs, offset, length), blocking);
                    Gather.advance(srcs, offset, length, total);
                } else {
                    for (int i = offset; i < offset + length; i++) {
                        ByteBuffer b = srcs[i];
                        if (!b.hasRemaining()) {
                            continue;
                        }
                        int r = b.remaining();
                        int n = writeFully(b, blocking);
                        total += n;
                        if (n < r) {
                            break;
                        }
                    }
                }
                return total;
            } finally {
                endWrite(blocking, total);
            }
        } finally {
            writeLock.unlock();
        }
    }

    // ---- blocking mode, closing ----

    /** Leaves a blocking operation: {@code read} says which; may finish a close that waited for it. */
    private void endBlocking(boolean read, boolean completed) throws IOException {
        synchronized (stateLock) {
            if (read) {
                reader = null;
            } else {
                writer = null;
            }
            if (state == ST_CLOSING) {
                tryFinishClose();
            }
        }
        end(completed);
    }

    @Override
    protected void implConfigureBlocking(boolean block) {
        readLock.lock();
        try {
            writeLock.lock();
            writeLock.unlock();
        } finally {
            readLock.unlock();
        }
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        boolean wasConnected;
        boolean wake;
        boolean writing;
        synchronized (stateLock) {
            wasConnected = state == ST_CONNECTED;
            wake = reader != null || writer != null;
            writing = writer != null;
            state = ST_CLOSING;
            if (tryFinishClose()) {
                return;
            }
        }
        if (wake) {
            // SO_LINGER 0 means a reset, not a FIN: then only a blocked writer needs the write side shut
            shutdownQuietly(wasConnected && !writing && lingerZero() ? SocketDefs.SHUT_RD : SocketDefs.SHUT_RDWR);
        }
        if (!isBlocking()) {
            readLock.lock();
            readLock.unlock();
            writeLock.lock();
            writeLock.unlock();
        }
        synchronized (stateLock) {
            if (tryFinishClose()) {
                return;
            }
        }
        if (wasConnected && !wake && !lingerZero()) {
            shutdownQuietly(SocketDefs.SHUT_WR);
        }
    }

    private boolean lingerZero() {
        try {
            return sys.getsockopt(fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_LINGER) == 0;
        } catch (ErrnoException e) {
            return false;
        }
    }

    private void shutdownQuietly(int how) {
        try {
            sys.shutdown(fd, how);
        } catch (ErrnoException e) {
            // not connected, or already shut: the point was only to wake a sleeper
        }
    }

    /** Closes the descriptor if nothing holds it any more; with {@link #stateLock} held. */
    private boolean tryFinishClose() {
        if (state != ST_CLOSING || reader != null || writer != null || isRegistered()) {
            return state == ST_CLOSED;
        }
        state = ST_CLOSED;
        try {
            sys.close(fd);
        } catch (ErrnoException e) {
            // the descriptor is gone either way
        }
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

    // ---- selection ----

    @Override
    public int pollEvents(int ops) {
        return Readiness.streamEvents(ops);
    }

    @Override
    public int readyOps(int revents, int interest) {
        int st = state;
        return Readiness.streamReady(revents, interest, st == ST_CONNECTED, st == ST_PENDING);
    }

    @Override
    public String toString() {
        String what = !isOpen() ? "closed" : state == ST_PENDING ? "connection-pending"
                : state == ST_CONNECTED ? "connected local=" + local + " remote=" + remote : "unconnected";
        return getClass().getSuperclass().getName() + "[" + what + " rump fd " + fd + "]";
    }
}
