package io.jrump.afpa.hook;

import io.jrump.afpa.Afpa;
import io.jrump.afpa.AfpaStats;
import io.jrump.afpa.FrontEnd;
import io.jrump.afpa.cache.PinArray;
import io.jrump.kern.Kernel;
import io.jrump.kern.intr.Softint;
import io.jrump.kern.sync.KCondVar;
import io.jrump.kern.sync.KMutex;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.rumpnet.socket.Socket;
import io.jrump.rumpnet.socket.Sockets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Hook mode, the Linux seed ({@code ../shared/seeds/000_e72d5458a6362c1e.txt}): "AFPA on Linux replaces
 * the data arrival hook with its own". The front end puts an accept hook ({@link Socket#setAcceptHook})
 * on the user-level server's listening socket on the port, holds every new connection back from
 * {@code accept}, and gives it a {@link HookConn} as its data-arrival upcall, which parses and answers at
 * softint level. What it does not serve goes back to the listener's accept queue with its bytes.
 *
 * <p>Its own software interrupt runs the work a buffer-free hook may only queue (the next chunk of a
 * response, the seed's "when the AFPA hook detects that last packet of a chunk, the AFPA hook sends the
 * next chunk"): free hooks run under whatever lock freed the mbuf.
 *
 * <p>Locks: a connection's socket lock, then {@link #lock} (a leaf guarding the set of connections).
 */
public final class HookFrontEnd implements FrontEnd {
    /** How long an unload waits for responses under way before it resets what is left. */
    private static final long DRAIN_NANOS = 30_000_000_000L;
    /** Scratch buffers kept for new connections: enough for a busy server's connections per tick. */
    private static final int SPARE = 64;

    private final Afpa afpa;
    private final Kernel kernel;
    private final KMutex lock;
    private final KCondVar emptied;
    private final Set<HookConn> conns = new LinkedHashSet<>();
    private final ConcurrentLinkedQueue<HookConn> kicked = new ConcurrentLinkedQueue<>();
    /** Scratch buffers of connections that are done, for the next ones; at most {@link #SPARE}. */
    private final ArrayDeque<HookConn.Scratch> spare = new ArrayDeque<>();
    private Socket listener;
    private Softint softint;
    private volatile boolean detaching;

    public HookFrontEnd(Afpa afpa) {
        this.afpa = afpa;
        this.kernel = afpa.kernel();
        this.lock = kernel.newMutex();
        this.emptied = kernel.newCondVar();
    }

    Afpa afpa() {
        return afpa;
    }

    @Override
    public boolean attach(int port) {
        Socket l = findListener(kernel, port);
        if (l == null) {
            return false;
        }
        listener = l;
        softint = kernel.softints().establish("afpa", Softint.NET, this::runKicked);
        l.setAcceptHook(this::hold);
        return true;
    }

    /** The TCP socket listening on {@code port} (any address), or null. */
    static Socket findListener(Kernel k, int port) {
        Sockets sockets = k.service(Sockets.class);
        if (sockets == null) {
            return null;
        }
        SockAddr a = new SockAddr();
        for (Socket s : sockets.list()) {
            if (s.isListening() && !s.isFreed() && s.type() == SocketDefs.SOCK_STREAM
                    && s.domain().family() == SocketDefs.AF_INET && s.protosw().protocol() == SocketDefs.IPPROTO_TCP) {
                s.protosw().sockaddr(s, a);
                if (a.port == port) {
                    return s;
                }
            }
        }
        return null;
    }

    /** The accept hook: softint, the new connection's lock held. */
    private boolean hold(Socket l, Socket conn) {
        if (detaching || !afpa.config().enabled()) {
            return false;
        }
        HookConn.Scratch scratch;
        lock.enter();
        try {
            scratch = spare.poll();
        } finally {
            lock.exit();
        }
        if (scratch == null) {
            scratch = new HookConn.Scratch();
        } else {
            scratch.parser.reset();
        }
        HookConn c = new HookConn(this, conn, scratch);
        lock.enter();
        try {
            conns.add(c);
        } finally {
            lock.exit();
        }
        int want = 2 * PinArray.CHUNK_SIZE + 4096;
        if (conn.snd.hiwat() < want) {
            conn.snd.reserve(want);
        }
        conn.setUpcall(c);
        afpa.stats().inc(AfpaStats.CONNECTIONS);
        c.start();
        return true;
    }

    /** A buffer-free hook's request: run {@code c}'s next chunk from this front end's softint. */
    void kick(HookConn c) {
        kicked.add(c);
        Softint s = softint;
        if (s != null) {
            kernel.softints().schedule(s);
        }
    }

    private void runKicked() {
        HookConn c;
        while ((c = kicked.poll()) != null) {
            if (c.done()) {
                continue;
            }
            c.so.lock().enter();
            try {
                c.kicked();
            } finally {
                c.so.lock().exit();
            }
        }
    }

    /** {@code c} let go of its socket (it touches its scratch buffers no more, which go to the next one). */
    void forget(HookConn c) {
        lock.enter();
        try {
            if (conns.remove(c) && spare.size() < SPARE) {
                spare.add(c.scratch);
            }
            if (conns.isEmpty()) {
                emptied.broadcast();
            }
        } finally {
            lock.exit();
        }
    }

    @Override
    public boolean alive() {
        Socket l = listener;
        return l != null && !l.isFreed() && l.isListening();
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

    @Override
    public void detach() {
        detaching = true;
        Socket l = listener;
        if (l != null) {
            l.setAcceptHook(null);
        }
        for (HookConn c : snapshot()) {
            c.so.lock().enter();
            try {
                c.drain();
            } finally {
                c.so.lock().exit();
            }
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
        for (HookConn c : snapshot()) {
            c.so.lock().enter();
            try {
                c.abort();
            } finally {
                c.so.lock().exit();
            }
        }
        Softint s = softint;
        softint = null;
        if (s != null) {
            kernel.softints().disestablish(s);
        }
        kicked.clear();
    }

    private List<HookConn> snapshot() {
        lock.enter();
        try {
            return new ArrayList<>(conns);
        } finally {
            lock.exit();
        }
    }
}
