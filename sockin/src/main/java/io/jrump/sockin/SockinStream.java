package io.jrump.sockin;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sync.KMutex;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.sched.Scheduler;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufChain;
import io.jrump.rumpnet.socket.Protosw;
import io.jrump.rumpnet.socket.Socket;
import java.nio.ByteBuffer;

/**
 * sockin's SOCK_STREAM: a TCP socket of the host behind each rump stream socket ({@code sockin.c}'s
 * usrreq for {@code SOCK_STREAM}). The rump socket layer keeps doing everything that does not depend
 * on the protocol (blocking, poll, options, upcalls); this class starts and ends host connections and
 * moves bytes.
 *
 * <h2>Sending</h2>
 * {@link #send} writes the chain to the host at once, on the caller's thread. What the host's send
 * buffer cannot take stays in the rump send buffer, in order, and the receiver thread finishes it
 * when the host socket becomes writable; meanwhile later writes queue behind it and, once the rump
 * buffer is full, block as they would on a slow TCP connection. A shutdown or close waits for the
 * queue to drain before the host sees it, so no byte written is lost.
 *
 * <h2>Receiving</h2>
 * The receiver thread reads what the host has, up to the rump receive buffer's free space, into mbufs
 * appended with {@code sorwakeup}. A full buffer stops reading that host socket until the user has
 * taken data ({@link #rcvd}), which leaves the rest in the host's buffer and closes the TCP window on
 * the peer: flow control end to end.
 *
 * <h2>Readers that wait on the host</h2>
 * A reader that finds the buffer empty waits on its own host socket instead ({@link #rcvwait}), and
 * reads what arrives into the buffer itself: data for a blocked reader then goes from the host to the
 * reader with one thread wakeup, as with a plain blocking host socket, instead of two (the receiver's,
 * then the reader's). The connection then stays in that mode ({@link SockinPcb#direct}), with the
 * receiver no longer watching it for input, until something needs input delivered unasked: a poll
 * for input, an upcall, a non-blocking read, or a second reader ({@link #rcvsync}, and
 * {@link SockinPcb#sleepers}). All host reads and appends are made with the socket lock held, so data
 * read by the receiver and by readers keeps its order; every wakeup of the buffer's readers also
 * wakes the one waiting on the host ({@link #rcvwakeup}).
 */
final class SockinStream implements Protosw {
    /** A host read at least this large marks a bulk connection, whose next reads use {@link SockinRxBuffers}. */
    static final int BULK_READ = 16 * 1024;

    private final Sockin sockin;
    private final SockinUser user;
    private final Scheduler sched;

    SockinStream(Sockin sockin) {
        this.sockin = sockin;
        this.user = sockin.user;
        this.sched = sockin.kernel.scheduler();
    }

    @Override
    public int type() {
        return SocketDefs.SOCK_STREAM;
    }

    @Override
    public int protocol() {
        return SocketDefs.IPPROTO_TCP;
    }

    @Override
    public int flags() {
        return PR_CONNREQUIRED | PR_WANTRCVD | PR_LISTEN;
    }

    static SockinPcb pcb(Socket so) throws ErrnoException {
        if (so.pcb() instanceof SockinPcb p) {
            return p;
        }
        throw new ErrnoException(Errno.EINVAL, "socket has no protocol control block");
    }

    private static SockinUser.Handle host(SockinPcb p) throws ErrnoException {
        if (p.host == null) {
            throw new ErrnoException(Errno.EINVAL, "the host socket is closed");
        }
        return p.host;
    }

    @Override
    public void attach(Socket so, int proto) throws ErrnoException {
        Socket head = so.head();
        SockinUser.Handle h;
        if (head != null && head.pcb() instanceof SockinPcb hp && hp.pendingChild != null) {
            h = hp.pendingChild;
            hp.pendingChild = null;
        } else {
            h = user.openStream();
        }
        if (so.snd.hiwat() == 0) {
            try {
                so.reserve(Sockin.STREAM_SPACE, Sockin.STREAM_SPACE);
            } catch (ErrnoException e) {
                user.close(h);
                throw e;
            }
        }
        SockinPcb p = new SockinPcb(so, h);
        so.setPcb(p);
        sockin.track(p);
        if (head != null) {
            applyOptions(p);
            user.interest(h, SockinUser.OP_READ);
        }
    }

    /** The descriptor is gone: closes the host socket, or first lets the receiver send what is queued. */
    @Override
    public void detach(Socket so) {
        if (!(so.pcb() instanceof SockinPcb p)) {
            return;
        }
        p.detached = true;
        if (p.host != null && so.snd.cc() > 0) {
            updateInterest(p);
            return;
        }
        release(p);
    }

    private void release(SockinPcb p) {
        if (p.host != null) {
            user.close(p.host);
            p.host = null;
        }
        sockin.untrack(p);
        p.so.setPcb(null);
    }

    @Override
    public void bind(Socket so, SockAddr nam, Lwp l) throws ErrnoException {
        nam.checkInet();
        SockinPcb p = pcb(so);
        if (p.listening || so.hasState(Socket.SS_ISCONNECTED) || p.connecting) {
            throw new ErrnoException(Errno.EINVAL, "socket is already bound");
        }
        checkPort(so, nam.port);
        user.bind(host(p), nam.addr, nam.port, (so.options() & SocketDefs.SO_REUSEADDR) != 0);
    }

    /** Ports below 1024 are root's, as {@code in_pcbbind} has it, whatever the host would allow. */
    static void checkPort(Socket so, int port) throws ErrnoException {
        if (port != 0 && port < 1024 && !so.cred().isRoot()) {
            throw new ErrnoException(Errno.EACCES, "port " + port + " is reserved for root");
        }
    }

    @Override
    public void listen(Socket so, int backlog, Lwp l) throws ErrnoException {
        SockinPcb p = pcb(so);
        SockinUser.Handle h = host(p);
        user.listen(h, backlog);
        p.listening = true;
        applyOptions(p);
        user.interest(h, SockinUser.OP_ACCEPT);
    }

    @Override
    public void connect(Socket so, SockAddr nam, Lwp l) throws ErrnoException {
        nam.checkInet();
        if (nam.port == 0) {
            throw new ErrnoException(Errno.EADDRNOTAVAIL, "connect to port 0");
        }
        SockinPcb p = pcb(so);
        SockinUser.Handle h = host(p);
        if (p.listening) {
            throw new ErrnoException(Errno.EINVAL, "connect on a listening socket");
        }
        if (so.hasState(Socket.SS_ISDISCONNECTED)) {
            throw new ErrnoException(Errno.EINVAL, "the connection is over");
        }
        applyOptions(p);
        int dst = nam.addr == 0 ? 0x7f000001 : nam.addr;
        boolean done;
        try {
            done = user.connect(h, dst, nam.port);
        } catch (ErrnoException e) {
            // Java closes a channel whose connection failed; so does the rump socket's connection end
            user.close(h);
            p.host = null;
            throw e;
        }
        if (done) {
            so.isConnected();
            updateInterest(p);
            return;
        }
        p.connecting = true;
        so.isConnecting();
        updateInterest(p);
    }

    @Override
    public void disconnect(Socket so) {
        so.isDisconnecting();
    }

    @Override
    public void shutdown(Socket so) throws ErrnoException {
        SockinPcb p = pcb(so);
        if (p.host == null || !so.hasState(Socket.SS_ISCONNECTED)) {
            return;
        }
        if (so.snd.cc() > 0) {
            p.shutPending = true;
            return;
        }
        shutdownHost(p);
    }

    private void shutdownHost(SockinPcb p) {
        p.shutPending = false;
        try {
            user.shutdownOutput(p.host);
        } catch (ErrnoException e) {
            // the connection is already gone; the next read or write says how
        }
    }

    @Override
    public void send(Socket so, Mbuf m, SockAddr to, int flags, Lwp l) throws ErrnoException {
        SockinPcb p;
        try {
            p = pcb(so);
            if (p.host == null || !so.hasState(Socket.SS_ISCONNECTED)) {
                throw new ErrnoException(Errno.ENOTCONN);
            }
        } catch (ErrnoException e) {
            sockin.mbufs.freeChain(m);
            throw e;
        }
        if (so.snd.cc() > 0) {
            so.snd.appendStream(m);
            return;
        }
        int len = MbufChain.length(m);
        int n;
        try {
            n = sockin.writeChain(p.host, m);
        } catch (ErrnoException e) {
            sockin.mbufs.freeChain(m);
            if (e.errno() == Errno.ECONNRESET || e.errno() == Errno.EPIPE) {
                so.isDisconnected();
            }
            throw e;
        }
        if (n == len) {
            sockin.mbufs.freeChain(m);
            return;
        }
        MbufChain.adj(m, n);
        so.snd.appendStream(m);
        updateInterest(p);
    }

    /**
     * The user took data. If the receiver had stopped reading the host for lack of room, the reading
     * lwp refills the buffer from the host itself, on its own thread: a bulk reader then never waits
     * for the receiver thread, and the receiver is asked to watch the host socket again only once the
     * host has nothing more. A bulk reader ({@link SockinPcb#bulk}) that has emptied the buffer also
     * reads what the host has at once, instead of sleeping on its next read until the receiver
     * thread has woken and read it; or, where the reader may take the input over
     * ({@link #mayTakeInput}), leaves it on the host for its next read to take straight into its own
     * memory ({@link #rcvdirect}).
     */
    @Override
    public void rcvd(Socket so, int flags) {
        if (!(so.pcb() instanceof SockinPcb p) || p.host == null) {
            return;
        }
        boolean roomAgain = p.rcvFull && so.rcv.space() >= so.rcv.hiwat() / 4;
        if (!roomAgain && !(p.bulk && !p.rcvFull && !p.eof && p.spill == null && so.rcv.cc() == 0)) {
            return;
        }
        p.rcvFull = false;
        if (mayTakeInput(p, so)) {
            if (!p.direct) {
                p.direct = true;
                updateInterest(p, false);
            }
            return;
        }
        if (roomAgain) {
            if (fill(p, p.host, sockin.staging(), false) && p.host != null) {
                updateInterest(p);
            }
        } else {
            fill(p, p.host, sockin.staging(), false);
            if (p.rcvFull && p.host != null) {
                updateInterest(p);
            }
        }
    }

    // ---- readers waiting on the host ----

    /**
     * Reads what the host socket has straight into the reader's buffer when this lwp may take the
     * connection's input over ({@link #mayReadDirect}) and the receive buffer is empty: one copy from the
     * host into the reader's memory, as a plain host socket makes, where going through the buffer makes
     * two more (into an mbuf, out of it), which is what held bulk receive below plain NIO (README,
     * "Performance"). An empty read marks the coming {@link #rcvwait} as this reader's, which then leaves
     * what arrives on the host for the next call here instead of moving it into the buffer.
     */
    @Override
    public int rcvdirect(Socket so, ByteBuffer dst, Lwp l) {
        if (!(so.pcb() instanceof SockinPcb p) || so.rcv.cc() != 0 || !mayReadDirect(p, so, l)) {
            return 0;
        }
        if (!p.direct) {
            p.direct = true;
            updateInterest(p, false);
        }
        int n;
        try {
            n = user.read(p.host, dst);
        } catch (ErrnoException e) {
            fail(p, e.errno());
            return 0;
        }
        if (n < 0) {
            p.eof = true;
            so.cantRcvMore();
            return 0;
        }
        if (n == 0) {
            p.readerNext = true;
        } else {
            sockin.countDirectRead(n);
        }
        return n;
    }

    /**
     * Waits for input on the host socket itself when this lwp may take the connection's input over
     * ({@link #mayReadDirect}), else on the buffer as the socket layer would. The lwp gives up the
     * socket lock and its CPU for the host wait ({@link Scheduler#unschedForHost}), then reads what
     * the host has into the buffer, which also wakes pollers and other readers. A kill, a close or
     * shutdown from another lwp, an error, or the receiver delivering data wakes it
     * ({@link #rcvwakeup}, the lwp's waker).
     */
    @Override
    public int rcvwait(Socket so, long deadlineNanos, Lwp l) {
        if (!(so.pcb() instanceof SockinPcb p)) {
            return so.rcv.await(deadlineNanos);
        }
        boolean readerNext = p.readerNext;
        p.readerNext = false;
        if (!mayReadDirect(p, so, l)) {
            return sleep(p, deadlineNanos);
        }
        SockinUser.Handle h = p.host;
        try {
            user.prepareWait(h);
        } catch (ErrnoException e) {
            return sleep(p, deadlineNanos);
        }
        if (!p.direct) {
            p.direct = true;
            updateInterest(p, false);
        }
        long timeoutMs = 0;
        if (deadlineNanos != Long.MAX_VALUE) {
            long left = deadlineNanos - sockin.kernel.hypercall().clock().monotonicNanos();
            if (left <= 0) {
                return Errno.EWOULDBLOCK;
            }
            timeoutMs = Math.max(1, (left + 999_999) / 1_000_000);
        }
        p.directWaiting = true;
        sockin.countReaderHostWait();
        KMutex lock = so.lock();
        lock.exit();
        int depth = sched.unschedForHost(l, h.readerWakeup);
        try {
            if (!l.killed()) {
                user.awaitReadable(h, timeoutMs);
            }
        } finally {
            sched.schedAfterHost(l, depth);
            lock.enter();
        }
        p.directWaiting = false;
        if (l.killed()) {
            return Errno.EINTR;
        }
        int cc = so.rcv.cc();
        int state = so.state();
        // what arrived stays on the host for this reader's next rcvdirect; an expired deadline is then
        // reported by the next wait, after that read found nothing
        boolean leaveOnHost = readerNext && mayReadDirect(p, so, l);
        if (so.pcb() == p && p.host == h && mayFill(p, so) && !leaveOnHost) {
            fill(p, h, sockin.staging(), false);
        }
        if (!leaveOnHost && deadlineNanos != Long.MAX_VALUE && so.rcv.cc() == cc && so.state() == state
                && so.error() == 0 && sockin.kernel.hypercall().clock().monotonicNanos() >= deadlineNanos) {
            return Errno.EWOULDBLOCK;
        }
        return 0;
    }

    /**
     * Whether a reader may wait on the host for this connection and read from it itself: an established
     * connection with input to come and room for it, no upcall, no poller counting on {@code sorwakeup},
     * and no other reader waiting, on the host or on the buffer (the receiver must keep delivering for
     * those).
     */
    private static boolean mayReadDirect(SockinPcb p, Socket so, Lwp l) {
        return l != null && mayTakeInput(p, so);
    }

    /** {@link #mayReadDirect} for whichever lwp reads next. */
    private static boolean mayTakeInput(SockinPcb p, Socket so) {
        return !p.directWaiting && p.sleepers == 0 && !p.watched && so.upcall() == null
                && !p.listening && !p.connecting && !p.detached && so.hasState(Socket.SS_ISCONNECTED)
                && mayFill(p, so);
    }

    private static boolean mayFill(SockinPcb p, Socket so) {
        return p.host != null && !p.eof && !p.rcvFull && p.spill == null
                && !so.hasState(Socket.SS_CANTRCVMORE);
    }

    /** Sleeps on the buffer, with the receiver delivering this connection's input meanwhile. */
    private int sleep(SockinPcb p, long deadlineNanos) {
        if (p.direct) {
            p.direct = false;
            updateInterest(p);
        }
        p.sleepers++;
        try {
            return p.so.rcv.await(deadlineNanos);
        } finally {
            p.sleepers--;
        }
    }

    /** The buffer's readers were woken: so is the one waiting on the host, if any. */
    @Override
    public void rcvwakeup(Socket so) {
        if (so.pcb() instanceof SockinPcb p && p.directWaiting) {
            SockinUser.Handle h = p.host;
            if (h != null) {
                user.wakeReader(h);
            }
        }
    }

    /**
     * Someone looks at the buffer without waiting on the host. While readers own the input, what the
     * host has is read in now; with {@code watch} (a poller about to sleep, an upcall) the receiver
     * takes the input back, so that what arrives later is delivered with {@code sorwakeup}.
     */
    @Override
    public boolean rcvsync(Socket so, boolean watch) {
        if (!(so.pcb() instanceof SockinPcb p)) {
            return false;
        }
        boolean changed = false;
        if (p.direct && mayFill(p, so)) {
            int cc = so.rcv.cc();
            int state = so.state();
            fill(p, p.host, sockin.staging(), false);
            changed = so.rcv.cc() != cc || so.state() != state || so.error() != 0;
        }
        if (watch) {
            p.watched = true;
            if (p.direct) {
                p.direct = false;
                updateInterest(p);
            }
        }
        return changed;
    }

    @Override
    public void abort(Socket so) {
        if (so.pcb() instanceof SockinPcb p) {
            if (p.host != null) {
                user.abort(p.host);
                p.host = null;
            }
            so.isDisconnected();
        }
    }

    @Override
    public void sockaddr(Socket so, SockAddr out) {
        if (!(so.pcb() instanceof SockinPcb p) || p.host == null || !user.local(p.host, out)) {
            out.set(SocketDefs.AF_INET, 0, 0);
        }
    }

    @Override
    public void peeraddr(Socket so, SockAddr out) throws ErrnoException {
        SockinPcb p = pcb(so);
        if (!so.hasState(Socket.SS_ISCONNECTED) || p.host == null || !user.remote(p.host, out)) {
            throw new ErrnoException(Errno.ENOTCONN, "not connected");
        }
    }

    @Override
    public int getopt(Socket so, int level, int name) throws ErrnoException {
        return SockinOptions.get(user, pcb(so).host, level, name, true);
    }

    @Override
    public void setopt(Socket so, int level, int name, int value) throws ErrnoException {
        SockinOptions.set(user, pcb(so).host, level, name, value, true);
    }

    /** Host chunks as large as one host write, so a bulk write costs one host call per 64 KB. */
    @Override
    public int segmentSize(Socket so) {
        return Sockin.CHUNK;
    }

    /** Gives the host socket the options set on the rump socket before it had its final host socket. */
    private void applyOptions(SockinPcb p) {
        int o = p.so.options();
        try {
            if ((o & SocketDefs.SO_KEEPALIVE) != 0) {
                user.setOption(p.host, SockinUser.OPT_KEEPALIVE, 1);
            }
        } catch (ErrnoException e) {
            // the option is advisory here; the connection works without it
        }
    }

    /** What the receiver should wait for on this socket's host socket, from its state; lock held. */
    void updateInterest(SockinPcb p) {
        updateInterest(p, true);
    }

    /** {@link #updateInterest(SockinPcb)}; {@code wake} false lets the receiver pick it up later. */
    private void updateInterest(SockinPcb p, boolean wake) {
        SockinUser.Handle h = p.host;
        if (h == null) {
            return;
        }
        int ops;
        if (p.listening) {
            ops = SockinUser.OP_ACCEPT;
        } else if (p.connecting) {
            ops = SockinUser.OP_CONNECT;
        } else {
            ops = 0;
            if (!p.eof && !p.rcvFull && p.spill == null && !p.detached && !p.direct) {
                ops |= SockinUser.OP_READ;
            }
            if (p.so.snd.cc() > 0) {
                ops |= SockinUser.OP_WRITE;
            }
        }
        try {
            user.interest(h, ops, wake);
        } catch (ErrnoException e) {
            sockin.kernel.log("sockin: " + p.so + ": " + e.getMessage());
        }
    }

    // ---- input, on the receiver thread ----

    /** The host socket {@code h} of {@code p} is ready for {@code ops}. */
    void input(SockinPcb p, SockinUser.Handle h, int ops) {
        Socket so = p.so;
        sockin.receiver().enter(so);
        try {
            if (so.pcb() != p || p.host != h) {
                return;
            }
            if (p.listening) {
                accept(p, h);
                return;
            }
            if (p.connecting) {
                finishConnect(p, h);
                return;
            }
            if ((ops & SockinUser.OP_WRITE) != 0) {
                drain(p, h);
            }
            if ((ops & SockinUser.OP_READ) != 0 && p.host == h) {
                receive(p, h);
            }
            if (p.host == h) {
                updateInterest(p);
            }
        } finally {
            so.lock().exit();
        }
    }

    private void finishConnect(SockinPcb p, SockinUser.Handle h) {
        Socket so = p.so;
        try {
            if (!user.finishConnect(h)) {
                return;
            }
            p.connecting = false;
            so.isConnected();
        } catch (ErrnoException e) {
            p.connecting = false;
            fail(p, e.errno());
            return;
        }
        updateInterest(p);
    }

    /** The connection failed or was reset: the error is reported once, and reads then see its end. */
    private void fail(SockinPcb p, int errno) {
        Socket so = p.so;
        if (p.host != null) {
            user.close(p.host);
            p.host = null;
        }
        so.setError(errno);
        so.isDisconnected();
        if (p.detached) {
            finishDetached(p);
        }
    }

    /**
     * Takes the connections the host has accepted onto the rump listener's queue, completed, as a SYN
     * cache does ({@code sonewconn} with {@code connected}). A full queue resets the connection.
     */
    private void accept(SockinPcb p, SockinUser.Handle h) {
        Socket head = p.so;
        for (int i = 0; i < 64; i++) {
            SockinUser.Handle c;
            try {
                c = user.accept(h);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ECONNABORTED) {
                    sockin.kernel.log("sockin: accept: " + e.getMessage());
                }
                continue;
            }
            if (c == null) {
                return;
            }
            p.pendingChild = c;
            Socket so = Socket.sonewconn(head, true);
            if (p.pendingChild != null) {
                p.pendingChild = null;
                user.abort(c);
            }
            if (so == null) {
                sockin.countAcceptDrop();
            }
        }
    }

    /** Sends what the rump send buffer holds; wakes writers, and finishes a pending shutdown or close. */
    private void drain(SockinPcb p, SockinUser.Handle h) {
        Socket so = p.so;
        if (so.snd.cc() > 0) {
            int n;
            try {
                n = sockin.writeChain(h, so.snd.first());
            } catch (ErrnoException e) {
                so.snd.flush();
                fail(p, e.errno());
                return;
            }
            so.snd.drop(n);
            so.sowwakeup();
        }
        if (so.snd.cc() == 0) {
            if (p.detached) {
                finishDetached(p);
            } else if (p.shutPending) {
                shutdownHost(p);
            }
        }
    }

    /** A closed socket's last bytes are out (or lost to a reset): the host socket and the socket go. */
    private void finishDetached(SockinPcb p) {
        release(p);
        p.so.sofree();
    }

    /** The receiver thread: reads what the host has for the rump receive buffer, as far as it has room. */
    private void receive(SockinPcb p, SockinUser.Handle h) {
        fill(p, h, sockin.rx, true);
    }

    /**
     * Reads from the host into the receive buffer, through {@code buf}, until the host has no more or
     * the buffer no room ({@link SockinPcb#rcvFull}); appends, then wakes readers ({@code sorwakeup}),
     * through the receiver's {@link SockinReceiver#wakeReaders} when {@code receiver} is true. A
     * connection whose last read was large ({@link SockinPcb#bulk}) reads into one of
     * {@link SockinRxBuffers}, appended as a single mbuf. End of stream and errors end the
     * connection's input. Returns true if the host had nothing more to give.
     */
    private boolean fill(SockinPcb p, SockinUser.Handle h, ByteBuffer buf, boolean receiver) {
        Socket so = p.so;
        boolean discard = so.hasState(Socket.SS_CANTRCVMORE);
        if (p.spill != null && !deliverSpill(p)) {
            return false;
        }
        boolean woke = false;
        boolean drained = false;
        for (;;) {
            int room = discard ? buf.capacity() : Math.min(so.rcv.space(), buf.capacity());
            if (room <= 0) {
                p.rcvFull = true;
                break;
            }
            ByteBuffer big = p.bulk && !discard && room >= BULK_READ ? sockin.rxBuffers.take() : null;
            ByteBuffer in = big != null ? big : buf;
            in.clear().limit(room);
            int n;
            try {
                n = user.read(h, in);
            } catch (ErrnoException e) {
                giveBack(big);
                if (woke) {
                    so.sorwakeup();
                }
                fail(p, e.errno());
                return true;
            }
            if (n < 0) {
                giveBack(big);
                p.eof = true;
                so.cantRcvMore();
                return true;
            }
            p.bulk = n >= BULK_READ;
            if (!discard && n > 0 && big != null && n >= BULK_READ) {
                Mbuf m = sockin.rxBuffers.wrap(big);
                if (m != null) {
                    so.rcv.appendStream(m);
                    woke = true;
                    big = null;
                }
            }
            if (!discard && n > 0 && (big != null || in == buf)) {
                in.flip();
                Mbuf m = sockin.toMbufs(in);
                if (m != null) {
                    so.rcv.appendStream(m);
                    woke = true;
                }
                if (in.hasRemaining()) {
                    byte[] rest = new byte[in.remaining()];
                    in.get(rest);
                    giveBack(big);
                    p.spill = rest;
                    sockin.starved.add(p);
                    break;
                }
            }
            giveBack(big);
            if (n < room) {
                drained = true;
                break;
            }
        }
        if (woke) {
            if (receiver) {
                sockin.receiver().wakeReaders(so);
            } else {
                so.sorwakeup();
            }
            // the pollers are woken; one that wants to wait on is back through rcvsync
            p.watched = false;
        }
        return drained;
    }

    private void giveBack(ByteBuffer big) {
        if (big != null) {
            sockin.rxBuffers.put(big);
        }
    }

    /** Moves spilled bytes into the receive buffer; true once none are left. */
    private boolean deliverSpill(SockinPcb p) {
        ByteBuffer src = ByteBuffer.wrap(p.spill);
        Mbuf m = sockin.toMbufs(src);
        if (m != null) {
            p.so.rcv.appendStream(m);
            p.so.sorwakeup();
        }
        if (src.hasRemaining()) {
            byte[] rest = new byte[src.remaining()];
            src.get(rest);
            p.spill = rest;
            return false;
        }
        p.spill = null;
        sockin.starved.remove(p);
        return true;
    }

    /** The receiver's periodic retry of a stream whose bytes found no mbufs. */
    void retryStarved(SockinPcb p) {
        Socket so = p.so;
        so.lock().enter();
        try {
            if (so.pcb() != p || p.spill == null) {
                sockin.starved.remove(p);
                return;
            }
            if (deliverSpill(p)) {
                updateInterest(p);
            }
        } finally {
            so.lock().exit();
        }
    }
}
