package io.jrump.kern.intr;

import io.jrump.hypercall.HyperCondVar;
import io.jrump.hypercall.HyperMutex;
import io.jrump.hypercall.HyperSync;
import java.util.ArrayDeque;

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
    private int pending;
    private boolean running;
    private boolean stopped;

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
            return pending > 0 || running;
        } finally {
            lock.exit();
        }
    }

    void schedule(Softint s) {
        lock.enter();
        try {
            if (stopped || s.pendingOn[cpu]) {
                return;
            }
            s.pendingOn[cpu] = true;
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
            if (pending == 0) {
                idle.broadcast();
            }
            while (pending == 0 && !stopped) {
                work.await(lock);
            }
            if (pending == 0) {
                return null;
            }
            return dequeue();
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

    private Softint dequeue() {
        for (int i = levels.length - 1; i >= 0; i--) {
            Softint s = levels[i].pollFirst();
            if (s != null) {
                pending--;
                s.pendingOn[cpu] = false;
                running = true;
                return s;
            }
        }
        throw new IllegalStateException("softint count out of step");
    }

    /** Waits until nothing is pending or running on this CPU (a test's "let the bottom half finish"). */
    void drain() {
        lock.enter();
        try {
            while ((pending > 0 || running) && !stopped) {
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
