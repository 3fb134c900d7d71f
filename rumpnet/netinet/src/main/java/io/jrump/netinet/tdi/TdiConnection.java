package io.jrump.netinet.tdi;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.Poll;
import io.jrump.kern.sync.KMutex;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.netinet.tcp.TcpConnHook;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufChain;
import io.jrump.rumpnet.socket.SoUpcall;
import io.jrump.rumpnet.socket.Socket;

/**
 * A connection a client took with an accept request (TDI's connection endpoint, seed
 * {@code 001_4c2098c7f46ed350}): the client sends on it with completion routines, hears of data and
 * disconnection through its {@link TdiEventHandler}, and ends it by disconnecting or by passing it to
 * the user-level server. Its socket has no descriptor and is never seen by {@code accept} unless passed.
 *
 * <p>Events come from the socket's upcall ({@link SoUpcall}: data and the peer's FIN) and from TCP's
 * connection hook ({@link TcpConnHook}: acknowledged bytes and the connection's end), both with the
 * socket's lock held; every method here takes that lock unless the caller already holds it, so a
 * client calls them alike from an event and from its own threads.
 */
public final class TdiConnection {
    private final TdiAddress address;
    private final Socket so;
    private final Object context;
    private final SockAddr peer;
    /** The accept request the connection answers. */
    final TdiAcceptRequest request;
    private final Hooks hooks = new Hooks();
    /** Guarded by the socket's lock. */
    private final TdiSendQueue sends;
    /** Bytes at the front of the receive buffer already indicated and left by the client. */
    private int indicated;
    private boolean finIndicated;
    /** While the receive event runs, and whether it disconnected gracefully meanwhile. */
    private boolean inReceive;
    private boolean closeAfterReceive;
    /** The client let go of the connection (disconnected or passed it on): no more events. */
    private boolean released;
    /** TCP closed the connection. */
    private boolean closed;
    /** While the accept completion runs inside the hold decision, and whether it passed the connection on. */
    boolean holding;
    boolean passedWhileHolding;

    TdiConnection(TdiAddress address, Socket so, TdiAcceptRequest request, SockAddr peer) {
        this.address = address;
        this.so = so;
        this.request = request;
        this.context = request.context();
        this.peer = peer;
        this.sends = new TdiSendQueue(so.snd.cc());
    }

    /** The client's context, from its accept request. */
    public Object context() {
        return context;
    }

    /** The address the connection arrived on. */
    public TdiAddress address() {
        return address;
    }

    /** The peer's address and port. */
    public SockAddr peer() {
        return peer;
    }

    /**
     * The connection's socket, for the socket layer's locked calls (peeking at received bytes); its
     * lock is the connection's lock. Not to be closed or given a descriptor: use {@link #disconnect}
     * and {@link #passToUser()}.
     */
    public Socket socket() {
        return so;
    }

    /** Bytes the send buffer takes before it reaches its mark, for a client that paces itself. */
    public int sendSpace() {
        return so.snd.space();
    }

    TcpConnHook tcpHook() {
        return hooks;
    }

    SoUpcall upcall() {
        return hooks;
    }

    /**
     * Sends {@code chain} (which the stack owns from now on) after everything sent before, and calls
     * {@code done} with {@code context} once the peer has acknowledged its last byte, or with an errno
     * if the connection fails first ({@link TdiSendCompletion}). The request is queued whole even past
     * the send buffer's mark, as TDI queues send requests instead of refusing them;
     * {@link #sendSpace()} is there for pacing. Never sleeps. Returns 0, or an errno (EPIPE once the
     * connection cannot send, ENOTCONN once it is gone) with the chain freed and {@code done} not
     * called. {@code done} may be null for a request nobody waits for.
     */
    public int send(Mbuf chain, TdiSendCompletion done, Object context) {
        KMutex lock = so.lock();
        boolean take = !lock.owned();
        if (take) {
            lock.enter();
        }
        try {
            if (closed || released) {
                so.mbufs().freeChain(chain);
                return Errno.ENOTCONN;
            }
            int len = MbufChain.length(chain);
            // Counted first: on a loopback path the acknowledgement could come back inside the output.
            sends.add(len, done, context);
            int err = so.sendLocked(chain);
            if (err != 0) {
                sends.undo(len, done != null);
            }
            return err;
        } finally {
            if (take) {
                lock.exit();
            }
        }
    }

    /**
     * Ends the client's use of the connection. Graceful ({@code abortive} false): a FIN follows the
     * bytes already sent, which still go out and complete their requests; bytes received and not taken
     * make it a reset, as for a user's close (RFC 9293 section 3.10.4, RFC 1122 section 4.2.2.13);
     * from a receive event, the bytes it returns as taken count as taken (the close waits for its return).
     * Abortive: a reset now, and pending sends complete with ECONNABORTED. No events follow either way.
     */
    public void disconnect(boolean abortive) {
        KMutex lock = so.lock();
        boolean take = !lock.owned();
        if (take) {
            lock.enter();
        }
        try {
            if (released) {
                return;
            }
            released = true;
            so.setUpcall(null);
            address.forget(this);
            if (abortive) {
                so.abortByKernel();
            } else if (inReceive) {
                // The bytes the receive event is taking leave the buffer only when it returns; a close
                // now would find them unread and reset the connection.
                closeAfterReceive = true;
            } else {
                so.closeByKernel();
            }
        } finally {
            if (take) {
                lock.exit();
            }
        }
    }

    /**
     * Hands the connection to the user-level server listening on the address's port, as if it had
     * just completed: {@code accept} returns it with every byte the client left unread, in order.
     * Pending sends complete with ECANCELED (their bytes still go out). No events follow. If the
     * listener is gone the connection is reset. Called from the accept completion itself, the
     * connection simply goes to the accept queue instead of being held.
     */
    public void passToUser() {
        KMutex lock = so.lock();
        boolean take = !lock.owned();
        if (take) {
            lock.enter();
        }
        try {
            if (released || closed) {
                return;
            }
            letGo(Errno.ECANCELED);
            address.forget(this);
            if (holding) {
                passedWhileHolding = true;
            } else {
                address.releaseToAccept(so);
            }
        } finally {
            if (take) {
                lock.exit();
            }
        }
    }

    /**
     * Takes {@code n} bytes from the front of the receive buffer outside a receive event, for a client
     * that answers a request from its own thread after the event left the bytes (AFPA's miss, which a
     * worker builds and answers). Returns the bytes taken; 0 once the client let go of the connection.
     * Takes the connection's lock unless the caller holds it.
     */
    public int take(int n) {
        KMutex lock = so.lock();
        boolean take = !lock.owned();
        if (take) {
            lock.enter();
        }
        try {
            if (released || closed || n <= 0) {
                return 0;
            }
            int t = Math.min(n, so.rcv.cc());
            if (t > 0) {
                so.mbufs().freeChain(so.receiveLocked(t));
                indicated = Math.max(0, indicated - t);
            }
            return t;
        } finally {
            if (take) {
                lock.exit();
            }
        }
    }

    /** The address is closing: the client gives the connection up as {@link #passToUser()} does. */
    void addressClosed() {
        passToUser();
    }

    /** Stops events and the ACK hook, completing pending sends with {@code errno}. Lock held. */
    private void letGo(int errno) {
        released = true;
        so.setUpcall(null);
        try {
            address.tdi().tcp().setConnHook(so, null);
        } catch (ErrnoException e) {
            // the connection closed: TCP has dropped the hook already
        }
        failSends(errno);
    }

    private void failSends(int errno) {
        while (!sends.isEmpty()) {
            TdiSendCompletion d = sends.headCompletion();
            Object ctx = sends.headContext();
            sends.pop();
            complete(d, ctx, errno);
        }
    }

    private void complete(TdiSendCompletion d, Object ctx, int errno) {
        try {
            d.sendComplete(this, ctx, errno);
        } catch (RuntimeException e) {
            address.tdi().log("send completion", e);
        }
    }

    private void disconnectEvent(boolean abortive) {
        try {
            address.handler().disconnectEvent(this, abortive);
        } catch (RuntimeException e) {
            address.tdi().log("disconnect event", e);
        }
    }

    /** The upcall: new bytes (a receive event) and the peer's FIN (a graceful disconnect event). */
    private void upcall(int events) {
        if (released || closed) {
            return;
        }
        int avail = so.rcv.cc();
        if (avail > indicated && (events & Poll.POLLIN) != 0) {
            int taken;
            inReceive = true;
            try {
                taken = address.handler().receiveEvent(this, so.rcv.first(), indicated, avail);
            } catch (RuntimeException e) {
                address.tdi().log("receive event", e);
                taken = 0;
            } finally {
                inReceive = false;
            }
            if (closed || so.isFreed()) {
                // the handler reset the connection: its buffers are gone with it
                return;
            }
            taken = Math.max(0, Math.min(taken, Math.min(avail, so.rcv.cc())));
            if (taken > 0) {
                // Taken through the socket layer, which tells TCP of the opened window once the upcall
                // returns, so that a reply the event sent carries the ACK and no pure ACK precedes it.
                so.mbufs().freeChain(so.receiveLocked(taken));
            }
            indicated = so.rcv.cc();
            if (closeAfterReceive) {
                closeAfterReceive = false;
                so.closeByKernel();
                return;
            }
        }
        if (!released && !closed && !finIndicated && so.error() == 0 && so.hasState(Socket.SS_CANTRCVMORE)) {
            finIndicated = true;
            disconnectEvent(false);
        }
    }

    /** TCP's end of the connection: pending sends fail, and the client hears of a failure. */
    private void tcpClosed(int errno) {
        closed = true;
        int err = errno != 0 ? errno : Errno.ECONNABORTED;
        failSends(err);
        if (!released) {
            released = true;
            so.setUpcall(null);
            address.forget(this);
            if (errno != 0) {
                disconnectEvent(true);
            }
        }
    }

    private void acked(int bytes) {
        sends.acked(bytes);
        while (sends.headDone()) {
            TdiSendCompletion d = sends.headCompletion();
            Object ctx = sends.headContext();
            sends.pop();
            complete(d, ctx, 0);
        }
    }

    /** Send requests still waiting for their acknowledgement, for tests and listings. */
    public int pendingSends() {
        return sends.size();
    }

    @Override
    public String toString() {
        return "tdi connection " + peer + " on port " + address.port() + " " + sends
                + (released ? " released" : "") + (closed ? " closed" : "");
    }

    /** The stack's side of the connection, kept off the public API. */
    private final class Hooks implements TcpConnHook, SoUpcall {
        @Override
        public void acked(int bytes) {
            TdiConnection.this.acked(bytes);
        }

        @Override
        public void closed(int errno) {
            tcpClosed(errno);
        }

        @Override
        public void upcall(Socket s, int events) {
            TdiConnection.this.upcall(events);
        }
    }
}
