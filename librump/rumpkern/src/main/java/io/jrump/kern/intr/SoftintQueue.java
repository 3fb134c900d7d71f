package io.jrump.kern.intr;

import io.jrump.hypercall.HyperClock;
import io.jrump.hypercall.HyperCondVar;
import io.jrump.hypercall.HyperMutex;
import io.jrump.hypercall.HyperSync;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;

/**
 * One CPU's pending software interrupts, one FIFO per level. It takes its own lock because interrupts
 * (a backend's receive thread, the clock) schedule work from threads that hold no CPU.
 */
public final class SoftintQueue {
    private final int cpu;
    private final HyperMutex lock;
    private final HyperCondVar work;
    private final HyperCondVar idle;
    @SuppressWarnings("unchecked")
    private final ArrayDeque<Softint>[] levels = new ArrayDeque[Softint.LEVELS];
    /** Written under the lock; read without it by {@link #raised()}, a CPU's preemption points. */
    private volatile int pending;
    private boolean running;
    /** Handlers being run on an interrupted lwp's thread ({@link #pollInterrupted}). */
    private int interrupting;
    private boolean stopped;
    /** How long the softint thread leaves handlers to a user-mode holder of the CPU before it runs them itself. */
    static final long DEFER_NANOS = 1_000_000L;
    private volatile BooleanSupplier deferWhile;
    private volatile HyperClock clock;

    public SoftintQueue(int cpu, HyperSync sync) {
        this.cpu = cpu;
        this.lock = sync.newMutex();
        this.work = sync.newCondVar();
        this.idle = sync.newCondVar();
        for (int i = 0; i < levels.length; i++) {
            levels[i] = new ArrayDeque<>();
        }
    }

    /** Whether a softint is pending or running here. */
    public boolean busy() {
        lock.enter();
        try {
            return pending > 0 || running || interrupting > 0;
        } finally {
            lock.exit();
        }
    }

    void schedule(Softint s) {
        // Already pending here: the run to come clears the flag before it starts (dequeue), so it sees whatever
        // the caller queued for it before this call. Seen without the lock, so that a stream of frames, each
        // scheduling its interface's input, does not contend with the softint thread for it.
        if (Softint.pending(s, cpu)) {
            return;
        }
        lock.enter();
        try {
            if (stopped || Softint.pending(s, cpu)) {
                return;
            }
            Softint.setPending(s, cpu, true);
            levels[s.level()].addLast(s);
            pending++;
            work.signal();
        } finally {
            lock.exit();
        }
    }

    /**
     * Waits for work and returns the highest-priority pending handler, marking the queue as running;
     * null once stopped and drained.
     */
    Softint take() {
        lock.enter();
        try {
            running = false;
            if (pending == 0 && interrupting == 0) {
                idle.broadcast();
            }
            long deferUntil = 0;
            for (;;) {
                if (pending == 0) {
                    if (stopped) {
                        return null;
                    }
                    deferUntil = 0;
                    work.await(lock);
                    continue;
                }
                BooleanSupplier d = deferWhile;
                if (!stopped && d != null && d.getAsBoolean()) {
                    long now = clock.monotonicNanos();
                    if (deferUntil == 0) {
                        deferUntil = now + DEFER_NANOS;
                    }
                    if (now < deferUntil) {
                        work.awaitUntil(lock, deferUntil);
                        continue;
                    }
                }
                return dequeue();
            }
        } finally {
            lock.exit();
        }
    }

    /**
     * Has the softint thread leave pending handlers, for up to {@link #DEFER_NANOS} at a time, while
     * {@code cond} holds: while the CPU is held by an lwp in user mode, which takes them at its next
     * preemption point on its own thread ({@code Scheduler.preemptionPoint}), with no thread to wake and no
     * hand-over of the CPU. {@link #kick} wakes the thread early, when the CPU comes free.
     */
    public void deferWhile(BooleanSupplier cond, HyperClock clock) {
        this.clock = clock;
        this.deferWhile = cond;
    }

    /** The CPU came free with handlers pending: the softint thread stops deferring to its holder. */
    public void kick() {
        lock.enter();
        try {
            work.signal();
        } finally {
            lock.exit();
        }
    }

    /** The next pending handler without waiting, or null; used to run a burst on one CPU acquisition. */
    Softint poll() {
        lock.enter();
        try {
            return pending == 0 ? null : dequeue();
        } finally {
            lock.exit();
        }
    }

    /**
     * Whether a handler is pending here: the interrupt line is raised. A volatile read, for the preemption
     * points of the lwp holding this CPU ({@link Softints#runInterrupted}).
     */
    public boolean raised() {
        return pending > 0;
    }

    /**
     * The next pending handler for the thread of the lwp this CPU interrupted to run it, or null; each run
     * started this way ends with {@link #endInterrupted}, so that {@link #drain} waits for it as for the
     * softint thread's.
     */
    Softint pollInterrupted() {
        lock.enter();
        try {
            if (pending == 0) {
                return null;
            }
            Softint s = dequeue(false);
            interrupting++;
            return s;
        } finally {
            lock.exit();
        }
    }

    void endInterrupted() {
        lock.enter();
        try {
            interrupting--;
            if (pending == 0 && !running && interrupting == 0) {
                idle.broadcast();
            }
        } finally {
            lock.exit();
        }
    }

    private Softint dequeue() {
        return dequeue(true);
    }

    private Softint dequeue(boolean byThread) {
        for (int i = levels.length - 1; i >= 0; i--) {
            Softint s = levels[i].pollFirst();
            if (s != null) {
                pending--;
                Softint.setPending(s, cpu, false);
                if (byThread) {
                    running = true;
                }
                return s;
            }
        }
        throw new IllegalStateException("softint count out of step");
    }

    /** Waits until nothing is pending or running on this CPU (a test's "let the bottom half finish"). */
    void drain() {
        lock.enter();
        try {
            while ((pending > 0 || running || interrupting > 0) && !stopped) {
                idle.await(lock);
            }
        } finally {
            lock.exit();
        }
    }

    void stop() {
        lock.enter();
        try {
            stopped = true;
            work.broadcast();
            idle.broadcast();
        } finally {
            lock.exit();
        }
    }

    int pending() {
        lock.enter();
        try {
            return pending;
        } finally {
            lock.exit();
        }
    }
}
