package io.jrump.kern.file;

import io.jrump.kern.sched.Lwp;
import io.jrump.hypercall.HyperCondVar;
import io.jrump.hypercall.HyperMutex;
import io.jrump.hypercall.HyperSync;
import java.util.ArrayList;
import java.util.List;

/**
 * The set of {@code poll} callers waiting on one file ({@code struct selinfo}). A file calls
 * {@link #notifyAll(int)} whenever it may have become readable or writable; every registered waiter
 * wakes and rechecks. Registrations are one-shot: a waiter that wakes registers again if it sleeps again.
 */
public final class SelInfo {
    private final List<Waiter> waiters = new ArrayList<>(2);

    public synchronized void register(Waiter w) {
        if (!waiters.contains(w)) {
            waiters.add(w);
        }
    }

    public synchronized void unregister(Waiter w) {
        waiters.remove(w);
    }

    /** Wakes every waiter; called by the file's owner after a state change. */
    public void notifyAll(int events) {
        Waiter[] ws;
        synchronized (this) {
            if (waiters.isEmpty()) {
                return;
            }
            ws = waiters.toArray(new Waiter[0]);
            waiters.clear();
        }
        for (Waiter w : ws) {
            w.wake();
        }
    }

    /** One {@code poll} call's sleep: woken by any file it registered on. */
    public static final class Waiter {
        private final HyperMutex mutex;
        private final HyperCondVar cv;
        private final Runnable waker = this::wake;
        private boolean woken;

        public Waiter(HyperSync sync) {
            this.mutex = sync.newMutex();
            this.cv = sync.newCondVar();
        }

        public void wake() {
            mutex.enter();
            try {
                woken = true;
                cv.broadcast();
            } finally {
                mutex.exit();
            }
        }

        /** Clears a previous wakeup before the caller rechecks its files. */
        public void arm() {
            mutex.enter();
            woken = false;
            mutex.exit();
        }

        /**
         * Sleeps until woken or until the clock reaches {@code deadlineNanos} ({@code Long.MAX_VALUE}:
         * forever). Returns false on timeout.
         */
        public boolean sleep(long deadlineNanos, Lwp l) {
            l.setWaker(waker);
            mutex.enter();
            try {
                while (!woken && !l.killed()) {
                    if (deadlineNanos == Long.MAX_VALUE) {
                        cv.await(mutex);
                    } else if (cv.awaitUntil(mutex, deadlineNanos) && !woken) {
                        return false;
                    }
                }
                return woken;
            } finally {
                mutex.exit();
                l.setWaker(null);
            }
        }
    }
}
