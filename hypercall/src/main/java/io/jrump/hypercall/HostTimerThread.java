package io.jrump.hypercall;

import java.util.Comparator;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One host thread that runs the timers of a clock shared by many kernels ({@link HostHypercall#sharedClock()}), in
 * deadline order, so that a JVM hosting thousands of kernels does not run a timer thread for each. Per-kernel timer
 * threads cost more than their stacks there: HotSpot publishes a new list of all threads on every thread start and
 * exit and scans every thread's hazard pointer before freeing the old one, so starting a thread takes time
 * proportional to the threads alive (measured on a 2-CPU host: 0.26 ms with 100 threads, 0.67 ms with 5,000,
 * 1.2 ms with 10,000), and a kernel's first callout would start one.
 *
 * <p>Armed timers are kept in a tree ordered by deadline, so arming and disarming are O(log n). The thread starts on
 * the first arming and ends once no timer is left open; a timer's action runs on it without the lock held, and
 * closing a timer waits for a run in progress, as a timer thread of its own would be joined.
 */
final class HostTimerThread {
    private static final long NONE = Long.MIN_VALUE;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final TreeSet<Timer> armed = new TreeSet<>(
            Comparator.<Timer>comparingLong(t -> t.deadline).thenComparingLong(t -> t.id));
    private long ids;
    private int open;
    private Thread thread;

    /** A new timer; its action runs on this thread. */
    HyperTimer newTimer(String name, Runnable action) {
        lock.lock();
        try {
            open++;
            return new Timer(ids++, name, action);
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        lock.lock();
        try {
            while (open > 0) {
                Timer t = armed.isEmpty() ? null : armed.first();
                if (t == null) {
                    changed.awaitUninterruptibly();
                    continue;
                }
                long left = t.deadline - System.nanoTime();
                if (left > 0) {
                    changed.awaitNanos(left);
                    continue;
                }
                armed.pollFirst();
                t.deadline = NONE;
                t.running = true;
                lock.unlock();
                try {
                    t.action.run();
                } catch (RuntimeException e) {
                    // an interrupt handler that throws must not silence the other kernels' timers
                    Thread.currentThread().getUncaughtExceptionHandler().uncaughtException(Thread.currentThread(), e);
                } finally {
                    lock.lock();
                    t.running = false;
                    changed.signalAll();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            thread = null;
            lock.unlock();
        }
    }

    private final class Timer implements HyperTimer {
        final long id;
        final String name;
        final Runnable action;
        long deadline = NONE;
        boolean running;
        boolean closed;

        Timer(long id, String name, Runnable action) {
            this.id = id;
            this.name = name;
            this.action = action;
        }

        @Override
        public void arm(long deadlineNanos) {
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                if (deadline != NONE) {
                    armed.remove(this);
                }
                deadline = deadlineNanos;
                armed.add(this);
                if (thread == null) {
                    thread = new Thread(HostTimerThread.this::run, "host timers");
                    thread.setDaemon(true);
                    thread.start();
                }
                if (armed.first() == this) {
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void disarm() {
            lock.lock();
            try {
                if (deadline != NONE) {
                    armed.remove(this);
                    deadline = NONE;
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                disarm();
                closed = true;
                open--;
                changed.signalAll();
                long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (running && Thread.currentThread() != thread) {
                    long left = waitUntil - System.nanoTime();
                    if (left <= 0 || changed.awaitNanos(left) <= 0) {
                        break;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public String toString() {
            return "timer " + name;
        }
    }
}
