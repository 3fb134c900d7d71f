package io.jrump.sockin;

import static io.jrump.sockin.SockinErrno.errno;

import com.google.common.net.InetAddresses;
import com.google.common.primitives.Ints;
import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * The host side of sockin, NetBSD's {@code rumpcomp_user.c} for libsockin: the only code of this
 * component that touches host sockets (ARCHITECTURE.md section 1). It is a thin layer over Java NIO
 * in non-blocking mode: open, bind, listen, connect, accept, read, write, send, receive, shut down,
 * close, options, and one {@link Selector} on which the kernel's single receiver thread waits for all
 * of them ({@link #poll}), as sockin's {@code sockin_receiver} waits in {@code rumpcomp_sockin_poll}.
 *
 * <p>Every host failure leaves here as an {@link ErrnoException} with the NetBSD errno that the
 * host's errno stood for ({@link SockinErrno}), so that the kernel side reports what {@code rumpnet_netinet}
 * would. Addresses cross in the kernel's form: IPv4 as an int in host order and a port.
 *
 * <p>Every call but {@link #awaitReadable} and {@link #wakeReader} is made with the owning socket's
 * lock held by the caller, on whichever thread (the receiver, or an lwp reading or writing), so that
 * one host socket never sees two kernel operations at once. A reading lwp may wait for its own host
 * socket ({@link #awaitReadable}) on a small selector of that socket's, without the lock and without
 * a virtual CPU, as a rump kernel's lwp blocked in a host call holds neither.
 */
final class SockinUser implements AutoCloseable {
    /** Interest and readiness bits; the same values as {@link SelectionKey}'s. */
    static final int OP_READ = SelectionKey.OP_READ;
    static final int OP_WRITE = SelectionKey.OP_WRITE;
    static final int OP_CONNECT = SelectionKey.OP_CONNECT;
    static final int OP_ACCEPT = SelectionKey.OP_ACCEPT;

    /** Options {@link #setOption} knows, named for their socket-level counterparts. */
    static final int OPT_NODELAY = 1;
    static final int OPT_KEEPALIVE = 2;
    static final int OPT_BROADCAST = 3;
    static final int OPT_TOS = 4;
    static final int OPT_REUSEADDR = 5;

    /** What {@link #poll} reports for each ready host socket. */
    @FunctionalInterface
    interface Ready {
        void ready(Handle h, int readyOps);
    }

    /**
     * One host socket. The kernel side keeps it in its control block and hands it back; it sees
     * nothing of the channel inside. {@link #owner} is the kernel's, for {@link #poll} to report.
     */
    static final class Handle {
        private NetworkChannel ch;
        private SelectionKey key;
        private int ops;
        /** The last datagram destination and its address as an int, so that a repeat builds nothing. */
        private InetSocketAddress lastDst;
        private int lastDstAddr;
        private final boolean stream;
        volatile Object owner;
        /** The socket's own selector for a reader waiting in {@link #awaitReadable}; made on first use. */
        private volatile Selector rsel;
        /** How {@link io.jrump.kern.sched.Lwp#kill} or a closer wakes that reader. */
        final Runnable readerWakeup = this::wakeReader;

        private Handle(NetworkChannel ch, boolean stream) {
            this.ch = ch;
            this.stream = stream;
        }

        boolean isStream() {
            return stream;
        }

        private void wakeReader() {
            Selector s = rsel;
            if (s != null) {
                s.wakeup();
            }
        }

        @Override
        public String toString() {
            return "host " + ch;
        }
    }

    private final Selector selector;
    private final Consumer<SelectionKey> dispatch = this::dispatch;
    private static final Consumer<SelectionKey> IGNORE = k -> { };
    private volatile Thread pollThread;
    private Ready ready;

    SockinUser() throws ErrnoException {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw errno(e, "host selector");
        }
    }

    // ---- creating ----

    Handle openStream() throws ErrnoException {
        try {
            SocketChannel c = SocketChannel.open();
            c.configureBlocking(false);
            return new Handle(c, true);
        } catch (IOException e) {
            throw errno(e, "host socket");
        }
    }

    Handle openDatagram() throws ErrnoException {
        try {
            DatagramChannel c = DatagramChannel.open(StandardProtocolFamily.INET);
            c.configureBlocking(false);
            return new Handle(c, false);
        } catch (IOException e) {
            throw errno(e, "host datagram socket");
        }
    }

    void bind(Handle h, int addr, int port, boolean reuseAddr) throws ErrnoException {
        try {
            h.ch.setOption(StandardSocketOptions.SO_REUSEADDR, reuseAddr);
            h.ch.bind(new InetSocketAddress(inet(addr), port));
        } catch (IOException | RuntimeException e) {
            throw errno(e, "bind " + SockAddr.format(addr) + ":" + port);
        }
    }

    /**
     * Makes a stream socket a listener: Java keeps listening sockets in a class of their own, so the
     * unconnected host socket is closed and a listening one takes its address (its port, if it was
     * bound; an ephemeral one otherwise). SO_REUSEADDR is on, as BSD servers set it, so that a
     * connection in TIME_WAIT does not block the port; a second listener on it is still EADDRINUSE.
     */
    void listen(Handle h, int backlog) throws ErrnoException {
        if (h.ch instanceof ServerSocketChannel) {
            return;
        }
        try {
            SocketAddress local = h.ch.getLocalAddress();
            InetSocketAddress at = local instanceof InetSocketAddress a ? a : new InetSocketAddress(inet(0), 0);
            h.ch.close();
            ServerSocketChannel s = ServerSocketChannel.open();
            s.configureBlocking(false);
            s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            h.ch = s;
            s.bind(at, Math.max(backlog, 1));
        } catch (IOException | RuntimeException e) {
            throw errno(e, "listen");
        }
    }

    /** Starts a connection: true if it completed at once, false if {@link #finishConnect} will tell. */
    boolean connect(Handle h, int addr, int port) throws ErrnoException {
        InetSocketAddress to = new InetSocketAddress(inet(addr), port);
        try {
            if (h.ch instanceof DatagramChannel d) {
                d.connect(to);
                return true;
            }
            return ((SocketChannel) h.ch).connect(to);
        } catch (IOException | RuntimeException e) {
            throw errno(e, "connect " + SockAddr.format(addr) + ":" + port);
        }
    }

    /** Completes a connection {@link #connect} began: true when up, false if still in progress. */
    boolean finishConnect(Handle h) throws ErrnoException {
        try {
            return ((SocketChannel) h.ch).finishConnect();
        } catch (IOException | RuntimeException e) {
            throw errno(e, "connect");
        }
    }

    /** A connection queued on a listener, or null if none is. */
    Handle accept(Handle listener) throws ErrnoException {
        try {
            SocketChannel c = ((ServerSocketChannel) listener.ch).accept();
            if (c == null) {
                return null;
            }
            c.configureBlocking(false);
            return new Handle(c, true);
        } catch (IOException | RuntimeException e) {
            throw errno(e, "accept");
        }
    }

    void disconnect(Handle h) throws ErrnoException {
        try {
            ((DatagramChannel) h.ch).disconnect();
            h.lastDst = null;
        } catch (IOException | RuntimeException e) {
            throw errno(e, "disconnect");
        }
    }

    // ---- data ----

    /** Reads what the host has into {@code dst}: the count, 0 if nothing is there, -1 at end of stream. */
    int read(Handle h, ByteBuffer dst) throws ErrnoException {
        try {
            return ((SocketChannel) h.ch).read(dst);
        } catch (IOException | RuntimeException e) {
            throw errno(e, "read");
        }
    }

    /** Writes what the host takes of {@code src} without waiting: the count, possibly 0. */
    int write(Handle h, ByteBuffer src) throws ErrnoException {
        try {
            return ((SocketChannel) h.ch).write(src);
        } catch (IOException | RuntimeException e) {
            throw errno(e, "write");
        }
    }

    /**
     * Takes one datagram into {@code dst} (truncated to its room, as a host {@code recvfrom} does) and
     * its sender into {@code from}: the datagram's length as received, or -1 if none is queued.
     */
    int receive(Handle h, ByteBuffer dst, SockAddr from) throws ErrnoException {
        int start = dst.position();
        try {
            SocketAddress a = ((DatagramChannel) h.ch).receive(dst);
            if (a == null) {
                return -1;
            }
            kernelAddr(a, from);
            return dst.position() - start;
        } catch (IOException | RuntimeException e) {
            throw errno(e, "receive");
        }
    }

    /**
     * Sends {@code src} as one datagram to {@code addr:port}, or to the connected peer when
     * {@code port} is 0: false if the host has no room for it now.
     */
    boolean send(Handle h, ByteBuffer src, int addr, int port) throws ErrnoException {
        DatagramChannel d = (DatagramChannel) h.ch;
        try {
            if (port == 0) {
                return d.write(src) > 0 || !src.hasRemaining();
            }
            InetSocketAddress to = h.lastDst;
            if (to == null || to.getPort() != port || h.lastDstAddr != addr) {
                to = new InetSocketAddress(inet(addr), port);
                h.lastDst = to;
                h.lastDstAddr = addr;
            }
            return d.send(src, to) > 0 || !src.hasRemaining();
        } catch (IOException | RuntimeException e) {
            throw errno(e, "send to " + SockAddr.format(addr) + ":" + port);
        }
    }

    /** Half-closes a connection: the peer reads end of stream. */
    void shutdownOutput(Handle h) throws ErrnoException {
        try {
            ((SocketChannel) h.ch).shutdownOutput();
        } catch (IOException | RuntimeException e) {
            throw errno(e, "shutdown");
        }
    }

    // ---- ending ----

    /**
     * Closes the host socket. A registered channel's descriptor is closed by the selector when it next
     * runs (Java defers it), so the receiver thread is woken to do it now: the peer of a connection
     * sees its FIN or RST, and a listener's port is free, without waiting for other traffic.
     */
    void close(Handle h) {
        h.owner = null;
        Selector rs = h.rsel;
        if (rs != null) {
            rs.wakeup();
        }
        try {
            h.ch.close();
        } catch (IOException e) {
            // closing is best effort; the descriptor is gone either way
        }
        if (rs != null) {
            // returns once a reader's select has (the wakeup above); the channel's key goes with it
            try {
                rs.close();
            } catch (IOException e) {
                // going away regardless
            }
        }
        if (h.key != null) {
            selector.wakeup();
        }
    }

    /** Closes a connection with a reset (SO_LINGER 0), as {@code soabort} wants. */
    void abort(Handle h) {
        try {
            if (h.ch.isOpen() && h.ch instanceof SocketChannel) {
                h.ch.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException | RuntimeException e) {
            // not connected: a plain close is all there is
        }
        close(h);
    }

    // ---- addresses and options ----

    /** The host socket's local address into {@code out}; false if it has none (unbound, closed). */
    boolean local(Handle h, SockAddr out) {
        try {
            return kernelAddr(h.ch.getLocalAddress(), out);
        } catch (IOException e) {
            return false;
        }
    }

    /** The connected peer into {@code out}; false if there is none. */
    boolean remote(Handle h, SockAddr out) {
        try {
            SocketAddress a = h.ch instanceof SocketChannel s ? s.getRemoteAddress()
                    : h.ch instanceof DatagramChannel d ? d.getRemoteAddress() : null;
            return kernelAddr(a, out);
        } catch (IOException e) {
            return false;
        }
    }

    @SuppressWarnings("unchecked")
    void setOption(Handle h, int opt, int value) throws ErrnoException {
        SocketOption<?> o = option(opt);
        try {
            if (o.type() == Boolean.class) {
                h.ch.setOption((SocketOption<Boolean>) o, value != 0);
            } else {
                h.ch.setOption((SocketOption<Integer>) o, value);
            }
        } catch (IOException | RuntimeException e) {
            throw errno(e, "setsockopt");
        }
    }

    int getOption(Handle h, int opt) throws ErrnoException {
        SocketOption<?> o = option(opt);
        try {
            Object v = h.ch.getOption(o);
            return v instanceof Boolean b ? (b ? 1 : 0) : (Integer) v;
        } catch (IOException | RuntimeException e) {
            throw errno(e, "getsockopt");
        }
    }

    /** The host option behind one of the {@code OPT_} numbers. */
    private static SocketOption<?> option(int opt) throws ErrnoException {
        return switch (opt) {
            case OPT_NODELAY -> StandardSocketOptions.TCP_NODELAY;
            case OPT_KEEPALIVE -> StandardSocketOptions.SO_KEEPALIVE;
            case OPT_BROADCAST -> StandardSocketOptions.SO_BROADCAST;
            case OPT_REUSEADDR -> StandardSocketOptions.SO_REUSEADDR;
            case OPT_TOS -> StandardSocketOptions.IP_TOS;
            default -> throw new ErrnoException(Errno.ENOPROTOOPT, "host option " + opt);
        };
    }

    // ---- waiting ----

    /**
     * Sets what the receiver thread waits for on {@code h} (registering it with the selector the first
     * time). Java picks a change up at the selector's next round, so a change made on another thread
     * wakes the receiver.
     */
    void interest(Handle h, int ops) throws ErrnoException {
        interest(h, ops, true);
    }

    /**
     * {@link #interest}, where {@code wake} false leaves a receiver that is waiting to pick the change
     * up when it next wakes for any reason. Java applies interest changes only at a selector's next
     * round; a reader that takes over a socket's input ({@link #awaitReadable}) removes
     * {@link #OP_READ} this way, so that it costs at most one receiver wakeup, not one at once.
     */
    void interest(Handle h, int ops, boolean wake) throws ErrnoException {
        if (h.key != null && h.ops == ops && h.key.channel() == h.ch) {
            return;
        }
        try {
            if (h.key == null || h.key.channel() != h.ch) {
                h.key = ((SelectableChannel) h.ch).register(selector, ops, h);
            } else {
                h.key.interestOps(ops);
            }
        } catch (ClosedChannelException | RuntimeException e) {
            throw errno(e, "register");
        }
        h.ops = ops;
        if (wake && Thread.currentThread() != pollThread) {
            selector.wakeup();
        }
    }

    /**
     * Readies {@code h} for {@link #awaitReadable}: registers it, for reading, with a selector of its
     * own, made on the first call and kept until {@link #close}. A channel can be registered with
     * several selectors, so the receiver's registration stays as it is. Two host descriptors (an
     * epoll instance and its wakeup event) per socket whose reader ever waited.
     */
    void prepareWait(Handle h) throws ErrnoException {
        if (h.rsel != null) {
            return;
        }
        Selector s = null;
        try {
            s = Selector.open();
            ((SelectableChannel) h.ch).register(s, OP_READ);
            h.rsel = s;
        } catch (IOException | RuntimeException e) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException x) {
                    // nothing more to undo
                }
            }
            throw errno(e, "reader selector");
        }
    }

    /**
     * Waits, without the socket lock, until {@code h} has data (or end of stream, or an error) to
     * read, {@link #wakeReader} is called (before or during the wait), or {@code timeoutMs} passes
     * (0: no limit). Returns without saying which: the caller looks at the socket again. A handle
     * closed meanwhile returns at once.
     */
    void awaitReadable(Handle h, long timeoutMs) {
        Selector s = h.rsel;
        if (s == null) {
            return;
        }
        try {
            s.select(IGNORE, timeoutMs);
        } catch (IOException | RuntimeException e) {
            // closed by another lwp (ClosedSelectorException): the caller finds the socket closed
        }
    }

    /** Makes a reader's {@link #awaitReadable} on {@code h} return, or its next one if none waits. */
    void wakeReader(Handle h) {
        h.wakeReader();
    }

    /**
     * Waits until a host socket is ready or {@link #wakeup} is called, at most {@code timeoutMs}
     * (0: no limit), and reports each ready socket to {@code r} on the calling thread, which becomes
     * the receiver thread.
     */
    void poll(Ready r, long timeoutMs) throws ErrnoException {
        pollThread = Thread.currentThread();
        ready = r;
        try {
            selector.select(dispatch, timeoutMs);
        } catch (IOException | RuntimeException e) {
            throw errno(e, "poll");
        }
    }

    private void dispatch(SelectionKey k) {
        if (!k.isValid()) {
            return;
        }
        int ops;
        try {
            ops = k.readyOps();
        } catch (RuntimeException e) {
            return;
        }
        ready.ready((Handle) k.attachment(), ops);
    }

    /** Makes a {@link #poll} in progress return. */
    void wakeup() {
        selector.wakeup();
    }

    /** Closes the selector and every host socket still registered with it. */
    @Override
    public void close() {
        for (SelectionKey k : selector.keys()) {
            try {
                k.channel().close();
            } catch (IOException e) {
                // going away regardless
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            // going away regardless
        }
    }

    // ---- conversions ----

    private static InetAddress inet(int addr) {
        return InetAddresses.fromInteger(addr);
    }

    private static boolean kernelAddr(SocketAddress a, SockAddr out) {
        if (!(a instanceof InetSocketAddress i) || !(i.getAddress() instanceof Inet4Address v4)) {
            return false;
        }
        out.set(SocketDefs.AF_INET, Ints.fromByteArray(v4.getAddress()), i.getPort());
        return true;
    }
}
