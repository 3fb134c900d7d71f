package io.jrump.netinet.tdi;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.netinet.Inet;
import io.jrump.netinet.tcp.Tcp;
import io.jrump.rumpnet.socket.SoClose;
import io.jrump.rumpnet.socket.SoConnect;
import io.jrump.rumpnet.socket.SoCreate;
import io.jrump.rumpnet.socket.SoListen;
import io.jrump.rumpnet.socket.Socket;
import io.jrump.rumpnet.socket.Sockets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One kernel's transport driver interface (see the package comment): a kernel service that netinet
 * registers ({@code kernel.service(Tdi.class)}), through which kernel clients open TCP ports for
 * event-driven serving. At most one client address per port.
 */
public final class Tdi {
    private final Inet inet;
    /** Open addresses by port; a reserved port maps to null while its address is being made. */
    private final Map<Integer, TdiAddress> addresses = new HashMap<>();

    /** Netinet makes one per kernel, at attach. */
    public Tdi(Inet inet) {
        this.inet = inet;
    }

    /**
     * Opens {@code port} for {@code handler}: attaches to the TCP socket listening there for every
     * local address (the user-level server's) or, if none does, listens on it without a descriptor,
     * with the largest backlog ({@code kern.somaxconn}). The client's connect event runs for every
     * connection request from now on. EADDRINUSE if a client has the port open already, EBUSY if another
     * kernel consumer has an accept hook on the listener ({@code SoAcceptHook}); the errors of
     * {@code bind} and {@code listen} pass through. Called from a thread, not from an event.
     */
    public TdiAddress open(int port, TdiEventHandler handler) throws ErrnoException {
        if (port <= 0 || port > 65535 || handler == null) {
            throw new ErrnoException(Errno.EINVAL, "port " + port);
        }
        synchronized (this) {
            if (addresses.containsKey(port)) {
                throw new ErrnoException(Errno.EADDRINUSE, "a kernel client has port " + port + " open");
            }
            addresses.put(port, null);
        }
        TdiAddress a = null;
        try {
            Socket l = tcp().listener(port);
            boolean own = l == null;
            if (own) {
                l = listen(port);
            } else if (l.acceptHook() != null) {
                throw new ErrnoException(Errno.EBUSY, "another kernel consumer holds the listener on port " + port);
            }
            a = new TdiAddress(this, port, handler, l, own);
            try {
                l.setAcceptHook(a.acceptHook());
                tcp().setListenHook(l, a.listenHook());
            } catch (ErrnoException e) {
                l.setAcceptHook(null);
                if (own) {
                    SoClose.soclose(l, true);
                }
                throw e;
            }
            return a;
        } finally {
            synchronized (this) {
                if (a == null) {
                    addresses.remove(port);
                } else {
                    addresses.put(port, a);
                }
            }
        }
    }

    private Socket listen(int port) throws ErrnoException {
        Sockets sockets = inet.kernel().service(Sockets.class);
        Socket so = SoCreate.socreate(sockets, SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0, Cred.ROOT, 0);
        try {
            SoConnect.sobind(so, SockAddr.in(0, port), null);
            SoListen.solisten(so, sockets.somaxconn(), null);
        } catch (ErrnoException e) {
            SoClose.soclose(so, true);
            throw e;
        }
        return so;
    }

    /** The address open on {@code port}, or null. */
    public synchronized TdiAddress address(int port) {
        return addresses.get(port);
    }

    /** Every open address. */
    public synchronized List<TdiAddress> addresses() {
        List<TdiAddress> l = new ArrayList<>();
        for (TdiAddress a : addresses.values()) {
            if (a != null) {
                l.add(a);
            }
        }
        return l;
    }

    /** Closes every address: the kernel is halting, and no client callback may outlive the stack. */
    public void stop() {
        for (TdiAddress a : addresses()) {
            a.close();
        }
    }

    synchronized void removed(TdiAddress a) {
        addresses.remove(a.port(), a);
    }

    public Tcp tcp() {
        return inet.tcp();
    }

    /** A client callback threw: logged, as the socket layer logs a failing upcall, and otherwise ignored. */
    void log(String what, RuntimeException e) {
        inet.kernel().log("tdi: " + what + " failed: " + e);
    }
}
