package io.jrump.afpa.tdi;

import io.jrump.afpa.Afpa;
import io.jrump.afpa.AfpaStats;
import io.jrump.afpa.FrontEnd;
import io.jrump.afpa.HeldConnections;
import io.jrump.afpa.Listeners;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.netinet.tdi.Tdi;
import io.jrump.netinet.tdi.TdiAcceptRequest;
import io.jrump.netinet.tdi.TdiAddress;
import io.jrump.netinet.tdi.TdiConnection;
import io.jrump.netinet.tdi.TdiEventHandler;
import io.jrump.rumpnet.mbuf.Mbuf;

/**
 * Tdi mode, the Windows 2000 seed ({@code ../shared/seeds/001_4c2098c7f46ed350.txt}): the accelerator
 * as a client of netinet's transport driver interface. "When a TCP SYN packet arrives on a port to which
 * AFPA is bound, TDI invokes AFPA's connect event handler. This routine allocates an AFPA connection
 * structure [...] then builds and returns an accept request. The completion routine for the accept
 * request simply cleans up in case of error. Arrival of request data from the client causes AFPA's
 * receive event handler to be invoked." Responses go out chunk by chunk from the object's pin array
 * ({@link TdiConn}).
 *
 * <p>The address is opened on the user-level server's listener ({@link Listeners}), never on a listener
 * of its own: with no server on the port the accelerator waits for one ({@code SoListenWatch} tells the
 * engine of its {@code listen}), so the server can bind its port whenever it starts, and a client meets
 * the port as it would without the accelerator. What the accelerator does not serve is passed to the
 * server; once the server has gone, such a request is answered 503 ({@link io.jrump.afpa.AfpaConn}).
 */
public final class TdiFrontEnd implements FrontEnd, TdiEventHandler {
    private final Afpa afpa;
    private final Kernel kernel;
    private final HeldConnections<TdiConn> conns;
    private TdiAddress address;
    private volatile boolean detaching;

    public TdiFrontEnd(Afpa afpa) {
        this.afpa = afpa;
        this.kernel = afpa.kernel();
        this.conns = new HeldConnections<>(kernel);
    }

    Afpa afpa() {
        return afpa;
    }

    /**
     * Opens the port on the user-level server's listener; false if no server listens there (or it closed
     * its listener before the address was open, when TDI would have listened by itself).
     */
    @Override
    public boolean attach(int port) {
        Tdi tdi = kernel.service(Tdi.class);
        if (tdi == null || Listeners.find(kernel, port) == null) {
            return false;
        }
        try {
            TdiAddress a = tdi.open(port, this);
            if (a.ownsListener()) {
                a.close();
                return false;
            }
            address = a;
            return true;
        } catch (ErrnoException e) {
            kernel.log("afpa: tdi port " + port + ": " + e.getMessage());
            return false;
        }
    }

    @Override
    public TdiAcceptRequest connectEvent(TdiAddress a, SockAddr peer) {
        if (detaching || !afpa.config().enabled()) {
            return null;
        }
        return new TdiAcceptRequest(this::acceptComplete, new TdiConn(this));
    }

    /** The accept request's completion: the seed's routine that "simply cleans up in case of error". */
    private void acceptComplete(TdiAcceptRequest r, TdiConnection c, int errno) {
        if (c == null || errno != 0) {
            return;
        }
        TdiConn conn = (TdiConn) r.context();
        conns.add(conn);
        afpa.stats().inc(AfpaStats.CONNECTIONS);
        conn.start(c);
    }

    @Override
    public int receiveEvent(TdiConnection c, Mbuf data, int indicated, int available) {
        return ((TdiConn) c.context()).receiveEvent(available);
    }

    @Override
    public void disconnectEvent(TdiConnection c, boolean abortive) {
        ((TdiConn) c.context()).disconnectEvent(abortive);
    }

    void forget(TdiConn c) {
        conns.remove(c);
    }

    @Override
    public boolean alive() {
        TdiAddress a = address;
        return a != null && Listeners.alive(a.listener());
    }

    @Override
    public int connections() {
        return conns.size();
    }

    /**
     * No new connections; idle ones go to the user-level server now, busy ones at the end of their
     * response; then the address closes (which passes on whatever is left).
     */
    @Override
    public void detach() {
        detaching = true;
        for (TdiConn c : conns.snapshot()) {
            c.drain();
        }
        conns.awaitDrained();
        TdiAddress a = address;
        address = null;
        if (a != null) {
            a.close();
        }
        for (TdiConn c : conns.snapshot()) {
            c.abandon();
        }
    }
}
