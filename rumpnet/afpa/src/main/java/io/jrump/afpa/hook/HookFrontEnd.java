package io.jrump.afpa.hook;

import io.jrump.afpa.Afpa;
import io.jrump.afpa.AfpaStats;
import io.jrump.afpa.FrontEnd;
import io.jrump.afpa.HeldConnections;
import io.jrump.afpa.Listeners;
import io.jrump.afpa.cache.PinArray;
import io.jrump.kern.Kernel;
import io.jrump.kern.intr.Softint;
import io.jrump.kern.sync.KMutex;
import io.jrump.rumpnet.socket.Socket;
import java.util.ArrayDeque;
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
 * <p>Locks: a connection's socket lock, then {@link #lock} (a leaf guarding the spare buffers) or the held
 * set's.
 */
public final class HookFrontEnd implements FrontEnd {
    /** Scratch buffers kept for new connections: enough for a busy server's connections per tick. */
    private static final int SPARE = 64;

    private final Afpa afpa;
    private final Kernel kernel;
    private final KMutex lock;
    private final HeldConnections<HookConn> conns;
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
        this.conns = new HeldConnections<>(kernel);
    }

    Afpa afpa() {
        return afpa;
    }

    /** Attaches to the user-level server's listener on {@code port} ({@link Listeners}); false if none listens. */
    @Override
    public boolean attach(int port) {
        Socket l = Listeners.find(kernel, port);
        if (l == null) {
            return false;
        }
        listener = l;
        softint = kernel.softints().establish("afpa", Softint.NET, this::runKicked);
        l.setAcceptHook(this::hold);
        return true;
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
        conns.add(c);
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
        if (!conns.remove(c)) {
            return;
        }
        lock.enter();
        try {
            if (spare.size() < SPARE) {
                spare.add(c.scratch);
            }
        } finally {
            lock.exit();
        }
    }

    @Override
    public boolean alive() {
        return Listeners.alive(listener);
    }

    @Override
    public int connections() {
        return conns.size();
    }

    @Override
    public void detach() {
        detaching = true;
        Socket l = listener;
        if (l != null) {
            l.setAcceptHook(null);
        }
        for (HookConn c : conns.snapshot()) {
            c.so.lock().enter();
            try {
                c.drain();
            } finally {
                c.so.lock().exit();
            }
        }
        conns.awaitDrained();
        for (HookConn c : conns.snapshot()) {
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
}
