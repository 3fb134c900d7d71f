package io.jrump.rumpnio;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.Poll;
import io.jrump.kern.file.PollFd;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A UDP {@link DatagramChannel} on a rump kernel socket. A datagram longer than the buffer is cut and
 * the rest dropped, as the JDK's does; a connected channel receives only from its peer and reports an
 * ICMP port unreachable as {@link java.net.PortUnreachableException}. Multicast is not offered: the rump
 * stack has no multicast, so {@code join} throws {@link UnsupportedOperationException}. Blocking mode
 * and closing work as in {@link RumpSocketChannel}.
 */
final class RumpDatagramChannel extends DatagramChannel implements SelChannel {
    private static final int ST_OPEN = 0;
    private static final int ST_CLOSING = 1;
    private static final int ST_CLOSED = 2;

    private final RumpSelectorProvider provider;
    private final Syscalls sys;
    private final int fd;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Object stateLock = new Object();
    private volatile int state;
    private Thread reader;
    private Thread writer;
    private volatile InetSocketAddress local;
    private volatile InetSocketAddress remote;
    private final SockAddr from = new SockAddr();
    private final PollFd[] readWait;
    private final PollFd[] writeWait;
    private DatagramSocketAdaptor adaptor;

    RumpDatagramChannel(RumpSelectorProvider provider) throws IOException {
        super(provider);
        this.provider = provider;
        this.sys = provider.syscalls();
        try {
            this.fd = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM | SocketDefs.SOCK_NONBLOCK, 0);
        } catch (ErrnoException e) {
            throw Errors.socket(e);
        }
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

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public DatagramChannel bind(SocketAddress localAddr) throws IOException {
        readLock.lock();
        try {
            writeLock.lock();
            try {
                synchronized (stateLock) {
                    ensureOpen();
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
        return local;
    }

    InetSocketAddress localIfBound() {
        return local;
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        ensureOpen();
        return remote;
    }

    InetSocketAddress remote() {
        return remote;
    }

    @Override
    public <T> DatagramChannel setOption(SocketOption<T> name, T value) throws IOException {
        SocketOpts.check(name, SocketOpts.DATAGRAM);
        ensureOpen();
        SocketOpts.set(sys, fd, name, value, SocketOpts.DATAGRAM);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        SocketOpts.check(name, SocketOpts.DATAGRAM);
        ensureOpen();
        return SocketOpts.get(sys, fd, name, SocketOpts.DATAGRAM);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return SocketOpts.DATAGRAM;
    }

    @Override
    public DatagramSocket socket() {
        synchronized (stateLock) {
            if (adaptor == null) {
                adaptor = DatagramSocketAdaptor.create(this);
            }
            return adaptor;
        }
    }

    @Override
    public boolean isConnected() {
        return remote != null;
    }

    @Override
    public DatagramChannel connect(SocketAddress remoteAddr) throws IOException {
        SockAddr sa = Addresses.toKernel(remoteAddr);
        readLock.lock();
        try {
            writeLock.lock();
            try {
                synchronized (stateLock) {
                    ensureOpen();
                    if (remote != null) {
                        throw new AlreadyConnectedException();
                    }
                    try {
                        sys.connect(fd, sa);
                    } catch (ErrnoException e) {
                        throw Errors.connect(e);
                    }
                    remote = Addresses.toJava(sa);
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

    @Override
    public DatagramChannel disconnect() throws IOException {
        readLock.lock();
        try {
            writeLock.lock();
            try {
                synchronized (stateLock) {
                    if (!isOpen() || remote == null) {
                        return this;
                    }
                    try {
                        sys.connect(fd, new SockAddr(SocketDefs.AF_UNSPEC, 0, 0));
                    } catch (ErrnoException e) {
                        throw Errors.socket(e);
                    }
                    remote = null;
                }
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
        return this;
    }

    private void beginOp(boolean blocking, boolean read, boolean needConnected) throws IOException {
        if (blocking) {
            begin();
        }
        synchronized (stateLock) {
            ensureOpen();
            if (needConnected && remote == null) {
                throw new NotYetConnectedException();
            }
            if (blocking) {
                if (read) {
                    reader = Thread.currentThread();
                } else {
                    writer = Thread.currentThread();
                }
            }
        }
    }

    private void endOp(boolean blocking, boolean read, boolean completed) throws IOException {
        if (!blocking) {
            return;
        }
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
    public SocketAddress receive(ByteBuffer dst) throws IOException {
        return receive(dst, -1);
    }

    /** {@code receive}; in blocking mode a {@code timeoutMs} of 0 or more bounds the wait. */
    SocketAddress receive(ByteBuffer dst, int timeoutMs) throws IOException {
        Objects.requireNonNull(dst);
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        readLock.lock();
        try {
            boolean blocking = isBlocking();
            boolean got = false;
            try {
                beginOp(blocking, true, false);
                got = recv(dst, from, blocking, timeoutMs);
                return got ? Addresses.toJava(from) : null;
            } finally {
                endOp(blocking, true, got);
            }
        } finally {
            readLock.unlock();
        }
    }

    /** One datagram into {@code dst}: false if none came (non-blocking, or closed meanwhile). */
    private boolean recv(ByteBuffer dst, SockAddr src, boolean blocking, int timeoutMs) throws IOException {
        for (;;) {
            try {
                sys.recvfrom(fd, dst, 0, src);
                return true;
            } catch (ErrnoException e) {
                int errno = e.errno();
                if (errno == Errno.EAGAIN) {
                    if (!blocking || !isOpen()) {
                        return false;
                    }
                    if (Waits.await(sys, readWait, timeoutMs) == 0 && timeoutMs >= 0) {
                        throw new SocketTimeoutException("Receive timed out");
                    }
                    if (!isOpen()) {
                        return false;
                    }
                } else if (errno != Errno.EINTR) {
                    throw Errors.datagram(e, remote != null);
                }
            }
        }
    }

    @Override
    public int send(ByteBuffer src, SocketAddress target) throws IOException {
        Objects.requireNonNull(src);
        SockAddr sa = Addresses.toKernel(target);
        writeLock.lock();
        try {
            boolean blocking = isBlocking();
            int n = 0;
            try {
                beginOp(blocking, false, false);
                InetSocketAddress r = remote;
                if (r != null) {
                    if (!r.equals(Addresses.toJava(sa))) {
                        throw new AlreadyConnectedException();
                    }
                    sa = null;
                }
                n = sendOnce(src, sa, blocking);
                if (local == null) {
                    local = queryLocal();
                }
                return n;
            } finally {
                endOp(blocking, false, n > 0);
            }
        } finally {
            writeLock.unlock();
        }
    }

    private int sendOnce(ByteBuffer src, SockAddr to, boolean blocking) throws IOException {
        for (;;) {
            try {
                return sys.sendto(fd, src, 0, to);
            } catch (ErrnoException e) {
                int errno = e.errno();
                if (errno == Errno.EAGAIN || errno == Errno.ENOBUFS) {
                    if (!blocking || !isOpen()) {
                        return 0;
                    }
                    Waits.await(sys, writeWait, -1);
                    if (!isOpen()) {
                        return 0;
                    }
                } else if (errno != Errno.EINTR) {
                    throw Errors.datagram(e, remote != null);
                }
            }
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst);
        readLock.lock();
        try {
            boolean blocking = isBlocking();
            int n = 0;
            try {
                beginOp(blocking, true, true);
                int before = dst.position();
                n = recv(dst, null, blocking, -1) ? dst.position() - before : 0;
                return n;
            } finally {
                endOp(blocking, true, n > 0);
            }
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        int room = 0;
        for (int i = offset; i < offset + length; i++) {
            room += dsts[i].remaining();
        }
        ByteBuffer tmp = ByteBuffer.allocate(room);
        int n = read(tmp);
        tmp.flip();
        for (int i = offset; i < offset + length && tmp.hasRemaining(); i++) {
            ByteBuffer d = dsts[i];
            int step = Math.min(d.remaining(), tmp.remaining());
            ByteBuffer slice = tmp.slice();
            slice.limit(step);
            d.put(slice);
            tmp.position(tmp.position() + step);
        }
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src);
        writeLock.lock();
        try {
            boolean blocking = isBlocking();
            int n = 0;
            try {
                beginOp(blocking, false, true);
                n = sendOnce(src, null, blocking);
                return n;
            } finally {
                endOp(blocking, false, n > 0);
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** One datagram of all the sources' bytes, gathered (see {@link Gather}) up to the gather buffer's size. */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        long want = Gather.remaining(srcs, offset, length);
        ByteBuffer g = want <= RumpSelectorProvider.GATHER_LIMIT ? provider.gatherBuffer()
                : ByteBuffer.allocate((int) Math.min(want, Integer.MAX_VALUE));
        int n = write(Gather.fill(g, srcs, offset, length));
        Gather.advance(srcs, offset, length, n);
        return n;
    }

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf) {
        throw new UnsupportedOperationException("multicast: the rump stack has none");
    }

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf, InetAddress source) {
        throw new UnsupportedOperationException("multicast: the rump stack has none");
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
        boolean wake;
        synchronized (stateLock) {
            wake = reader != null || writer != null;
            state = ST_CLOSING;
            if (tryFinishClose()) {
                return;
            }
        }
        if (wake) {
            try {
                sys.shutdown(fd, SocketDefs.SHUT_RDWR);
            } catch (ErrnoException e) {
                // only meant to wake the sleeper
            }
        }
        if (!isBlocking()) {
            readLock.lock();
            readLock.unlock();
            writeLock.lock();
            writeLock.unlock();
        }
        synchronized (stateLock) {
            tryFinishClose();
        }
    }

    private boolean tryFinishClose() {
        if (state != ST_CLOSING || reader != null || writer != null || isRegistered()) {
            return state == ST_CLOSED;
        }
        state = ST_CLOSED;
        RumpServerSocketChannel.closeQuietly(sys, fd);
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
        int ev = 0;
        if ((ops & SelectionKey.OP_READ) != 0) {
            ev |= Poll.POLLIN;
        }
        if ((ops & SelectionKey.OP_WRITE) != 0) {
            ev |= Poll.POLLOUT;
        }
        return ev;
    }

    @Override
    public int readyOps(int revents, int interest) {
        if ((revents & Poll.POLLNVAL) != 0) {
            return 0;
        }
        if ((revents & (Poll.POLLERR | Poll.POLLHUP)) != 0) {
            return interest;
        }
        int ops = 0;
        if ((revents & Poll.POLLIN) != 0) {
            ops |= SelectionKey.OP_READ;
        }
        if ((revents & Poll.POLLOUT) != 0) {
            ops |= SelectionKey.OP_WRITE;
        }
        return ops & interest;
    }

    @Override
    public String toString() {
        return getClass().getSuperclass().getName() + "[" + (isOpen() ? (local == null ? "unbound" : local.toString())
                + (remote == null ? "" : " connected " + remote) : "closed") + " rump fd " + fd + "]";
    }
}
