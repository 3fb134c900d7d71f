package io.jrump.hypercall;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The host's clocks. A kernel's own clock gives each timer a host thread, started on its first arming; a clock
 * shared by many kernels runs all their timers on one ({@link HostTimerThread}).
 */
final class HostClock implements HyperClock {
    private final HyperThreads threads;
    private final HostTimerThread shared;

    /** A kernel's clock, whose timer threads are that kernel's. */
    HostClock(HyperThreads threads) {
        this.threads = threads;
        this.shared = null;
    }

    /** A clock for many kernels, whose timers share one host thread that belongs to none of them. */
    HostClock() {
        this.threads = null;
        this.shared = new HostTimerThread();
    }

    @Override
    public long monotonicNanos() {
        return System.nanoTime();
    }

    @Override
    public long wallNanos() {
        long ms = System.currentTimeMillis();
        return ms * 1_000_000L;
    }

    @Override
    public void sleep(long nanos) throws InterruptedException {
        if (nanos > 0) {
            TimeUnit.NANOSECONDS.sleep(nanos);
        }
    }

    @Override
    public void sleepUntil(long deadlineNanos) throws InterruptedException {
        sleep(deadlineNanos - System.nanoTime());
    }

    @Override
    public long hostWaitNanos(long deadlineNanos) {
        return deadlineNanos - System.nanoTime();
    }

    @Override
    public HyperTimer newTimer(String name, Runnable action) {
        return shared != null ? shared.newTimer(name, action) : new Timer(name, action);
    }

    @Override
    public long runtimeNanos() {
        return System.nanoTime();
    }

    private final class Timer implements HyperTimer {
        private static final long NONE = Long.MIN_VALUE;
        private final String name;
        private final Runnable action;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private long deadline = NONE;
        private boolean closed;
        private HyperThread thread;
        private volatile Thread runner;

        Timer(String name, Runnable action) {
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
                deadline = deadlineNanos;
                if (thread == null) {
                    thread = threads.create(name, this::run);
                }
                changed.signal();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void disarm() {
            lock.lock();
            try {
                deadline = NONE;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            HyperThread t;
            lock.lock();
            try {
                closed = true;
                deadline = NONE;
                changed.signal();
                t = thread;
            } finally {
                lock.unlock();
            }
            if (t != null && Thread.currentThread() != runner) {
                try {
                    t.join(TimeUnit.SECONDS.toNanos(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private void run() {
            runner = Thread.currentThread();
            lock.lock();
            try {
                while (!closed) {
                    if (deadline == NONE) {
                        changed.awaitUninterruptibly();
                        continue;
                    }
                    long left = deadline - System.nanoTime();
                    if (left > 0) {
                        changed.awaitNanos(left);
                        continue;
                    }
                    deadline = NONE;
                    lock.unlock();
                    try {
                        action.run();
                    } catch (RuntimeException e) {
                        // an interrupt handler that throws must not silence the timer for good
                        Thread.currentThread().getUncaughtExceptionHandler().uncaughtException(Thread.currentThread(), e);
                    } finally {
                        lock.lock();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        }
    }
}
