package io.jrump.afpa.tdi;

import io.jrump.afpa.Afpa;
import io.jrump.afpa.AfpaStats;
import io.jrump.afpa.FrontEnd;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.sync.KCondVar;
import io.jrump.kern.sync.KMutex;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.netinet.tdi.Tdi;
import io.jrump.netinet.tdi.TdiAcceptRequest;
import io.jrump.netinet.tdi.TdiAddress;
import io.jrump.netinet.tdi.TdiConnection;
import io.jrump.netinet.tdi.TdiEventHandler;
import io.jrump.rumpnet.mbuf.Mbuf;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Tdi mode, the Windows 2000 seed ({@code ../shared/seeds/001_4c2098c7f46ed350.txt}): the accelerator
 * as a client of netinet's transport driver interface. "When a TCP SYN packet arrives on a port to which
 * AFPA is bound, TDI invokes AFPA's connect event handler. This routine allocates an AFPA connection
 * structure [...] then builds and returns an accept request. The completion routine for the accept
 * request simply cleans up in case of error. Arrival of request data from the client causes AFPA's
 * receive event handler to be invoked." Responses go out chunk by chunk from the object's pin array
 * ({@link TdiConn}).
 *
 * <p>With a user-level server listening on the port, what the accelerator does not serve is passed to
 * it; with none, the address listens by itself and such requests are answered 503.
 */
public final class TdiFrontEnd implements FrontEnd, TdiEventHandler {
    private static final long DRAIN_NANOS = 30_000_000_000L;

    private final Afpa afpa;
    private final Kernel kernel;
    private final KMutex lock;
    private final KCondVar emptied;
    private final Set<TdiConn> conns = new LinkedHashSet<>();
    private TdiAddress address;
    private volatile boolean detaching;

    public TdiFrontEnd(Afpa afpa) {
        this.afpa = afpa;
        this.kernel = afpa.kernel();
        this.lock = kernel.newMutex();
        this.emptied = kernel.newCondVar();
    }

    Afpa afpa() {
        return afpa;
    }

    /** Whether a user-level server listens on the port (else requests not served are answered 503). */
    boolean userListener() {
        TdiAddress a = address;
        return a != null && !a.ownsListener();
    }

    @Override
    public boolean attach(int port) {
        Tdi tdi = kernel.service(Tdi.class);
        if (tdi == null) {
            return false;
        }
        try {
            address = tdi.open(port, this);
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
        lock.enter();
        try {
            conns.add(conn);
        } finally {
            lock.exit();
        }
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
        lock.enter();
        try {
            conns.remove(c);
            if (conns.isEmpty()) {
                emptied.broadcast();
            }
        } finally {
            lock.exit();
        }
    }

    @Override
    public int connections() {
        lock.enter();
        try {
            return conns.size();
        } finally {
            lock.exit();
        }
    }

    /**
     * No new connections; idle ones go to the user-level server now, busy ones at the end of their
     * response; then the address closes (which passes on whatever is left).
     */
    @Override
    public void detach() {
        detaching = true;
        for (TdiConn c : snapshot()) {
            c.drain();
        }
        // a halting kernel's peers get no more time: what is still busy is reset below
        long deadline = kernel.hypercall().clock().monotonicNanos() + (kernel.halting() ? 0 : DRAIN_NANOS);
        lock.enter();
        try {
            while (!conns.isEmpty() && kernel.hypercall().clock().monotonicNanos() < deadline) {
                emptied.awaitSigUntil(lock, deadline);
            }
        } finally {
            lock.exit();
        }
        TdiAddress a = address;
        address = null;
        if (a != null) {
            a.close();
        }
        for (TdiConn c : snapshot()) {
            c.abandon();
        }
    }

    private List<TdiConn> snapshot() {
        lock.enter();
        try {
            return new ArrayList<>(conns);
        } finally {
            lock.exit();
        }
    }
}
