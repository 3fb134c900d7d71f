package io.jrump.afpa;

import io.jrump.kern.Kernel;
import io.jrump.kern.sync.KCondVar;
import io.jrump.kern.sync.KMutex;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The connections a front end holds back from the user-level server, in either mode, and the wait of an
 * unload for them to drain. Its lock is a leaf, taken under a connection's socket lock.
 */
public final class HeldConnections<C> {
    /** How long an unload waits for responses under way before it resets what is left. */
    private static final long DRAIN_NANOS = 30_000_000_000L;

    private final Kernel kernel;
    private final KMutex lock;
    private final KCondVar emptied;
    private final Set<C> conns = new LinkedHashSet<>();

    public HeldConnections(Kernel kernel) {
        this.kernel = kernel;
        this.lock = kernel.newMutex();
        this.emptied = kernel.newCondVar();
    }

    public void add(C c) {
        lock.enter();
        try {
            conns.add(c);
        } finally {
            lock.exit();
        }
    }

    /** Forgets {@code c}; true if it was held. */
    public boolean remove(C c) {
        lock.enter();
        try {
            boolean was = conns.remove(c);
            if (conns.isEmpty()) {
                emptied.broadcast();
            }
            return was;
        } finally {
            lock.exit();
        }
    }

    public int size() {
        lock.enter();
        try {
            return conns.size();
        } finally {
            lock.exit();
        }
    }

    public List<C> snapshot() {
        lock.enter();
        try {
            return new ArrayList<>(conns);
        } finally {
            lock.exit();
        }
    }

    /**
     * Waits until every connection has let go, for at most 30 s (issue 17: unloading under load loses no
     * connection, but a client that stops reading must not hold the unload forever); not at all while the
     * kernel halts, whose peers get no more time. The caller then resets what is left.
     */
    public void awaitDrained() {
        long deadline = kernel.hypercall().clock().monotonicNanos() + (kernel.halting() ? 0 : DRAIN_NANOS);
        lock.enter();
        try {
            while (!conns.isEmpty() && kernel.hypercall().clock().monotonicNanos() < deadline) {
                emptied.awaitSigUntil(lock, deadline);
            }
        } finally {
            lock.exit();
        }
    }
}
