package io.jrump.sockin;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sched.Lwp;
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
 * sends. Receiving is {@link SockinFill}'s (host bytes into the receive buffer) and
 * {@link SockinReaderWait}'s (readers that wait on the host); what the receiver thread does for a
 * ready host socket is {@link SockinStreamReady}'s.
 *
 * <h2>Sending</h2>
 * {@link #send} writes the chain to the host at once, on the caller's thread. What the host's send
 * buffer cannot take stays in the rump send buffer, in order, and the receiver thread finishes it
 * when the host socket becomes writable; meanwhile later writes queue behind it and, once the rump
 * buffer is full, block as they would on a slow TCP connection. A shutdown or close waits for the
 * queue to drain before the host sees it, so no byte written is lost.
 */
final class SockinStream implements Protosw {
    private final Sockin sockin;
    private final SockinUser user;
    private final SockinFill fill;
    private final SockinReaderWait readers;
    private final SockinStreamReady ready;

    SockinStream(Sockin sockin) {
        this.sockin = sockin;
        this.user = sockin.user;
        this.fill = new SockinFill(sockin, this);
        this.readers = new SockinReaderWait(sockin, this, fill);
        this.ready = new SockinStreamReady(sockin, this, fill);
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

    void release(SockinPcb p) {
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

    void shutdownHost(SockinPcb p) {
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
     * ({@link SockinReaderWait#mayTakeInput}), leaves it on the host for its next read to take straight
     * into its own memory ({@link SockinReaderWait#rcvdirect}).
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
        if (SockinReaderWait.mayTakeInput(p, so)) {
            readers.takeInput(p);
            return;
        }
        if (roomAgain) {
            if (fill.fill(p, p.host, sockin.staging(), false) && p.host != null) {
                updateInterest(p);
            }
        } else {
            fill.fill(p, p.host, sockin.staging(), false);
            if (p.rcvFull && p.host != null) {
                updateInterest(p);
            }
        }
    }

    @Override
    public int rcvdirect(Socket so, ByteBuffer dst, Lwp l) {
        return readers.rcvdirect(so, dst, l);
    }

    @Override
    public int rcvwait(Socket so, long deadlineNanos, Lwp l) {
        return readers.rcvwait(so, deadlineNanos, l);
    }

    @Override
    public void rcvwakeup(Socket so) {
        readers.rcvwakeup(so);
    }

    @Override
    public boolean rcvsync(Socket so, boolean watch) {
        return readers.rcvsync(so, watch);
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
    void updateInterest(SockinPcb p, boolean wake) {
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

    /** The host socket {@code h} of {@code p} is ready for {@code ops}; on the receiver thread. */
    void input(SockinPcb p, SockinUser.Handle h, int ops) {
        ready.ready(p, h, ops);
    }

    /** The receiver's periodic retry of a stream whose bytes found no mbufs. */
    void retryStarved(SockinPcb p) {
        fill.retryStarved(p);
    }

    /** The connection failed or was reset: the error is reported once, and reads then see its end. */
    void fail(SockinPcb p, int errno) {
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

    /** A closed socket's last bytes are out (or lost to a reset): the host socket and the socket go. */
    void finishDetached(SockinPcb p) {
        release(p);
        p.so.sofree();
    }
}
