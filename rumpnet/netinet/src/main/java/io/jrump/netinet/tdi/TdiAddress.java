package io.jrump.netinet.tdi;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.netinet.tcp.TcpConnHook;
import io.jrump.netinet.tcp.TcpListenHook;
import io.jrump.rumpnet.socket.SoAcceptHook;
import io.jrump.rumpnet.socket.SoClose;
import io.jrump.rumpnet.socket.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A client's open TCP port (TDI's transport address object, seed {@code 001_4c2098c7f46ed350}): the
 * listening socket it is attached to, the client's {@link TdiEventHandler}, the accept requests whose
 * handshakes are under way, and the connections the client holds. Made by {@link Tdi#open}.
 *
 * <p>The listener is the user-level server's when one listens on the port, so that connections the
 * client declines or passes on reach that server's {@code accept}; otherwise the address listens
 * itself, with no descriptor, and a declined connection waits on a queue nobody accepts from until
 * the address closes. Its bookkeeping is guarded by its own monitor, a leaf: no client code and no
 * socket lock is ever entered while it is held.
 */
public final class TdiAddress {
    private final Tdi tdi;
    private final int port;
    private final TdiEventHandler handler;
    private final Socket listener;
    private final boolean ownListener;
    private final Hooks hooks = new Hooks();
    private final Set<TdiAcceptRequest> embryonic = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<Socket, TdiConnection> linking = new IdentityHashMap<>();
    private final Set<TdiConnection> connections = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    TdiAddress(Tdi tdi, int port, TdiEventHandler handler, Socket listener, boolean ownListener) {
        this.tdi = tdi;
        this.port = port;
        this.handler = handler;
        this.listener = listener;
        this.ownListener = ownListener;
    }

    public int port() {
        return port;
    }

    /** The listening socket the address is attached to. */
    public Socket listener() {
        return listener;
    }

    /** Whether the address listens itself because no user-level server did when it opened. */
    public boolean ownsListener() {
        return ownListener;
    }

    /** Connections the client holds now (accepted, not yet disconnected, passed on or closed). */
    public synchronized int connectionCount() {
        return connections.size();
    }

    /** Accept requests whose handshake is still under way. */
    public synchronized int pendingAccepts() {
        return embryonic.size();
    }

    TdiEventHandler handler() {
        return handler;
    }

    Tdi tdi() {
        return tdi;
    }

    TcpListenHook listenHook() {
        return hooks;
    }

    SoAcceptHook acceptHook() {
        return hooks;
    }

    synchronized void forget(TdiConnection c) {
        connections.remove(c);
    }

    /**
     * Detaches the client from the port. No connect event follows; accept requests still under way
     * complete with ECANCELED and their connections go to {@code accept}; connections the client holds
     * are passed to the user-level server ({@link TdiConnection#passToUser()}), their pending sends
     * completing with ECANCELED; an address that listened itself stops listening, which resets the
     * connections that were passed to it. When it returns no callback of the client runs any more.
     * Called from a thread, not from an event (it takes socket locks).
     */
    public void close() {
        List<TdiAcceptRequest> requests;
        List<TdiConnection> held;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            requests = new ArrayList<>(embryonic);
            embryonic.clear();
            for (TdiAcceptRequest r : requests) {
                r.state = TdiAcceptRequest.DONE;
            }
            held = new ArrayList<>(connections);
        }
        try {
            tdi.tcp().setListenHook(listener, null);
        } catch (ErrnoException e) {
            // the listener closed already: TCP has no hook to remove
        }
        if (listener.acceptHook() == hooks) {
            listener.setAcceptHook(null);
        }
        for (TdiAcceptRequest r : requests) {
            completeAccept(r, null, Errno.ECANCELED);
        }
        for (TdiConnection c : held) {
            c.addressClosed();
        }
        if (ownListener) {
            SoClose.soclose(listener, true);
        }
        tdi.removed(this);
    }

    /** Puts a connection the client let go of on the listener's accept queue. Connection lock held. */
    void releaseToAccept(Socket so) {
        // ECONNABORTED when the listener is gone or closing: the socket layer has reset the connection.
        so.releaseToAccept();
    }

    private void completeAccept(TdiAcceptRequest r, TdiConnection c, int errno) {
        try {
            r.completion().acceptComplete(r, c, errno);
        } catch (RuntimeException e) {
            tdi.log("accept completion", e);
            if (c != null) {
                c.passToUser();
            }
        }
    }

    /**
     * Whether the socket layer holds {@code so} back from {@code accept} ({@link SoAcceptHook}): it does
     * for the connection of an accept request, whose completion routine runs now with the connection,
     * events from the socket starting with it; unless that routine passed the connection to the user,
     * which then simply goes to the accept queue. The new connection's lock is held (and the
     * listener's).
     */
    boolean hold(Socket so) {
        TdiConnection c;
        TdiAcceptRequest r;
        synchronized (this) {
            c = linking.remove(so);
            if (c == null) {
                return false;
            }
            r = c.request;
            r.state = TdiAcceptRequest.DONE;
        }
        so.setUpcall(c.upcall());
        c.holding = true;
        try {
            completeAccept(r, c, 0);
        } finally {
            c.holding = false;
        }
        return !c.passedWhileHolding;
    }

    @Override
    public String toString() {
        return "tdi address port " + port + (ownListener ? " (own listener)" : "") + (closed ? " closed" : "");
    }

    /** TCP's and the socket layer's side of the address, kept off the public API. */
    private final class Hooks implements TcpListenHook, SoAcceptHook {
        @Override
        public boolean hold(Socket l, Socket conn) {
            return TdiAddress.this.hold(conn);
        }

        @Override
        public Object syn(int laddr, int lport, int faddr, int fport) {
            synchronized (TdiAddress.this) {
                if (closed) {
                    return null;
                }
            }
            SockAddr peer = SockAddr.in(faddr, fport);
            TdiAcceptRequest r;
            try {
                r = handler.connectEvent(TdiAddress.this, peer);
            } catch (RuntimeException e) {
                tdi.log("connect event", e);
                return null;
            }
            if (r == null) {
                return null;
            }
            synchronized (TdiAddress.this) {
                if (closed || r.state != TdiAcceptRequest.NEW) {
                    return null;
                }
                r.state = TdiAcceptRequest.EMBRYONIC;
                r.address = TdiAddress.this;
                r.peer = peer;
                embryonic.add(r);
            }
            return r;
        }

        @Override
        public TcpConnHook established(Object token, Socket so) {
            TdiAcceptRequest r = (TdiAcceptRequest) token;
            TdiConnection c;
            synchronized (TdiAddress.this) {
                if (r.state != TdiAcceptRequest.EMBRYONIC || !embryonic.remove(r)) {
                    return null;
                }
                r.state = TdiAcceptRequest.LINKED;
                c = new TdiConnection(TdiAddress.this, so, r, r.peer);
                r.connection = c;
                linking.put(so, c);
                connections.add(c);
            }
            return c.tcpHook();
        }

        @Override
        public void synDropped(Object token, int errno) {
            TdiAcceptRequest r = (TdiAcceptRequest) token;
            synchronized (TdiAddress.this) {
                if (!embryonic.remove(r)) {
                    return;
                }
                r.state = TdiAcceptRequest.DONE;
            }
            completeAccept(r, null, errno);
        }
    }
}
