package io.jrump.hypercall;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Mutexes, rwlocks and condition variables on {@code java.util.concurrent}. Timed waits consult the
 * hypercall clock, so under a {@link ManualClock} a kernel's timed sleep ends when the test advances
 * time.
 */
final class HostSync implements HyperSync {
    private final HyperClock clock;

    HostSync(HyperClock clock) {
        this.clock = clock;
    }

    @Override
    public HyperMutex newMutex() {
        return new Mutex();
    }

    @Override
    public HyperRwLock newRwLock() {
        return new RwLock();
    }

    @Override
    public HyperCondVar newCondVar() {
        return new CondVar(clock);
    }

    static final class Mutex implements HyperMutex {
        final ReentrantLock lock = new ReentrantLock();

        @Override
        public void enter() {
            if (lock.isHeldByCurrentThread()) {
                throw new KernelPanic("mutex_enter: locking against myself");
            }
            lock.lock();
        }

        @Override
        public boolean tryEnter() {
            if (lock.isHeldByCurrentThread()) {
                throw new KernelPanic("mutex_tryenter: locking against myself");
            }
            return lock.tryLock();
        }

        @Override
        public void exit() {
            if (!lock.isHeldByCurrentThread()) {
                throw new KernelPanic("mutex_exit: not owner");
            }
            lock.unlock();
        }

        @Override
        public boolean owned() {
            return lock.isHeldByCurrentThread();
        }
    }

    static final class RwLock implements HyperRwLock {
        private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();

        @Override
        public void enterRead() {
            rw.readLock().lock();
        }

        @Override
        public void enterWrite() {
            if (rw.isWriteLockedByCurrentThread()) {
                throw new KernelPanic("rw_enter: locking against myself");
            }
            rw.writeLock().lock();
        }

        @Override
        public boolean tryEnterRead() {
            return rw.readLock().tryLock();
        }

        @Override
        public boolean tryEnterWrite() {
            return rw.writeLock().tryLock();
        }

        @Override
        public void exit() {
            if (rw.isWriteLockedByCurrentThread()) {
                rw.writeLock().unlock();
            } else if (rw.getReadHoldCount() > 0) {
                rw.readLock().unlock();
            } else {
                throw new KernelPanic("rw_exit: not held");
            }
        }

        @Override
        public boolean writeHeld() {
            return rw.isWriteLocked();
        }
    }

    static final class CondVar implements HyperCondVar {
        private final HyperClock clock;
        private Mutex boundTo;
        private Condition cond;

        CondVar(HyperClock clock) {
            this.clock = clock;
        }

        private Condition condFor(HyperMutex m) {
            Mutex mutex = (Mutex) m;
            if (!mutex.owned()) {
                throw new KernelPanic("cv_wait: mutex not held");
            }
            if (boundTo == null) {
                boundTo = mutex;
                cond = mutex.lock.newCondition();
            } else if (boundTo != mutex) {
                throw new KernelPanic("cv_wait: condition variable used with two mutexes");
            }
            return cond;
        }

        @Override
        public void await(HyperMutex mutex) {
            Condition c = condFor(mutex);
            c.awaitUninterruptibly();
        }

        @Override
        public boolean awaitUntil(HyperMutex mutex, long deadlineNanos) {
            Condition c = condFor(mutex);
            long wait = clock.hostWaitNanos(deadlineNanos);
            if (wait <= 0) {
                return true;
            }
            try {
                c.await(wait, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // A spurious or slice wakeup is reported as "not timed out": callers recheck their condition
            // and wait again, as they must after any cv_timedwait.
            return clock.monotonicNanos() >= deadlineNanos;
        }

        @Override
        public void signal() {
            if (cond != null) {
                cond.signal();
            }
        }

        @Override
        public void broadcast() {
            if (cond != null) {
                cond.signalAll();
            }
        }
    }
}
