package io.jrump.hypercall;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Mutexes, rwlocks and condition variables on {@code java.util.concurrent}. Timed waits consult the
 * hypercall clock, so under a {@link ManualClock} a kernel's timed sleep ends when the test advances
 * time.
 */
final class HostSync implements HyperSync {
    private final HyperClock clock;
    private final ThreadLocal<CondVar.Waiter> waiters = ThreadLocal.withInitial(CondVar.Waiter::new);
    private final ThreadLocal<Mutex.Node> mutexNodes = ThreadLocal.withInitial(Mutex.Node::new);

    HostSync(HyperClock clock) {
        this.clock = clock;
    }

    @Override
    public HyperMutex newMutex() {
        return new Mutex(mutexNodes);
    }

    @Override
    public HyperRwLock newRwLock() {
        return new RwLock();
    }

    @Override
    public HyperCondVar newCondVar() {
        return new CondVar(clock, waiters);
    }

    /**
     * A mutex whose blocked threads queue on a node each thread reuses, like {@link CondVar}'s waiters: a JDK
     * lock allocates a queue node on every contended acquire, and kernel mutexes are contended per packet.
     * Not reentrant (a kernel mutex never is) and not fair: a releasing thread wakes the first waiter, which
     * takes the mutex unless another thread got there first, and then waits again.
     */
    static final class Mutex implements HyperMutex {
        private final ThreadLocal<Node> nodes;
        private final AtomicReference<Thread> owner = new AtomicReference<>();
        /** Guards {@link #waiters}' changes; held only for a few instructions. */
        private final AtomicBoolean queueLock = new AtomicBoolean();
        private final WaitQueue<Node> waiters = new WaitQueue<>();
        /**
         * A thread a condition variable of this mutex signalled while the mutex was held, woken only once the
         * signaller lets go of the mutex (wait morphing): woken at once, it would find the mutex still held,
         * block on it and be woken a second time. Only the holder touches it.
         */
        private Thread deferred;

        /** One per thread, reused for every mutex it blocks on (a thread blocks on one at a time). */
        static final class Node extends WaitQueue.Node<Node> {
        }

        Mutex(ThreadLocal<Node> nodes) {
            this.nodes = nodes;
        }

        @Override
        public void enter() {
            if (owned()) {
                throw new KernelPanic("mutex_enter: locking against myself");
            }
            relock();
        }

        private boolean tryAcquire() {
            return owner.get() == null && owner.compareAndSet(null, Thread.currentThread());
        }

        /**
         * Takes the mutex: a short spin, then a wait on the queue. A waiter queues before its last try, and a
         * releaser clears the owner before it looks at the queue, so one of the two always sees the other.
         */
        void relock() {
            for (int i = 0; i < 64; i++) {
                if (tryAcquire()) {
                    return;
                }
                Thread.onSpinWait();
            }
            Node n = nodes.get();
            enqueue(n);
            boolean interrupted = false;
            try {
                while (!tryAcquire()) {
                    LockSupport.park(this);
                    if (Thread.interrupted()) {
                        interrupted = true;
                    }
                }
            } finally {
                dequeue(n);
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private void lockQueue() {
            while (!queueLock.compareAndSet(false, true)) {
                Thread.onSpinWait();
            }
        }

        private void enqueue(Node n) {
            lockQueue();
            waiters.add(n);
            queueLock.set(false);
        }

        private void dequeue(Node n) {
            lockQueue();
            waiters.remove(n);
            queueLock.set(false);
        }

        /** Whether a thread is blocked waiting for this mutex. */
        boolean hasWaiters() {
            return waiters.first() != null;
        }

        @Override
        public boolean tryEnter() {
            if (owned()) {
                throw new KernelPanic("mutex_tryenter: locking against myself");
            }
            return tryAcquire();
        }

        @Override
        public void exit() {
            if (!owned()) {
                throw new KernelPanic("mutex_exit: not owner");
            }
            release();
        }

        /** Wakes {@code t} when the mutex is released; a second thread to wake is woken at once, as before. */
        void wakeOnRelease(Thread t) {
            if (deferred == null) {
                deferred = t;
            } else {
                LockSupport.unpark(t);
            }
        }

        /** Whether a signal's wakeup of {@code t} waits for this mutex's release; asked by the holder. */
        boolean defersWakeOf(Thread t) {
            return deferred == t;
        }

        /** Unlocks, wakes the first thread queued for the mutex, then the thread a signal deferred. */
        void release() {
            Thread t = deferred;
            deferred = null;
            owner.set(null);
            Node h = waiters.first();
            if (h != null) {
                LockSupport.unpark(h.thread);
            }
            if (t != null) {
                LockSupport.unpark(t);
            }
        }

        @Override
        public boolean owned() {
            return owner.get() == Thread.currentThread();
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

    /**
     * A condition variable with its own queue of waiters instead of a {@code Condition}: each thread
     * reuses one waiter node, so waiting and waking allocate nothing (a JDK condition allocates a node
     * per wait, and the kernel waits per packet).
     */
    static final class CondVar implements HyperCondVar {
        private final HyperClock clock;
        private final ThreadLocal<Waiter> nodes;
        private Mutex boundTo;
        private final WaitQueue<Waiter> waiters = new WaitQueue<>();

        static final class Waiter extends WaitQueue.Node<Waiter> {
            volatile boolean signalled;
        }

        CondVar(HyperClock clock, ThreadLocal<Waiter> nodes) {
            this.clock = clock;
            this.nodes = nodes;
        }

        private Mutex bind(HyperMutex m) {
            Mutex mutex = (Mutex) m;
            if (!mutex.owned()) {
                throw new KernelPanic("cv_wait: mutex not held");
            }
            if (boundTo == null) {
                boundTo = mutex;
            } else if (boundTo != mutex) {
                throw new KernelPanic("cv_wait: condition variable used with two mutexes");
            }
            return mutex;
        }

        private Waiter enqueue() {
            Waiter w = nodes.get();
            w.signalled = false;
            waiters.add(w);
            return w;
        }

        @Override
        public void await(HyperMutex m) {
            Mutex mutex = bind(m);
            Waiter w = enqueue();
            mutex.release();
            boolean interrupted = false;
            while (!w.signalled) {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
            mutex.relock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public boolean awaitUntil(HyperMutex m, long deadlineNanos) {
            Mutex mutex = bind(m);
            long wait = clock.hostWaitNanos(deadlineNanos);
            if (wait <= 0) {
                return true;
            }
            Waiter w = enqueue();
            mutex.release();
            long until = System.nanoTime() + wait;
            boolean interrupted = false;
            while (!w.signalled) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                LockSupport.parkNanos(this, left);
                if (Thread.interrupted()) {
                    interrupted = true;
                    break;
                }
            }
            mutex.relock();
            if (w.queued) {
                waiters.remove(w);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            // A slice or spurious wakeup is "not timed out": callers recheck and wait again, as after any cv_timedwait.
            return !w.signalled && clock.monotonicNanos() >= deadlineNanos;
        }

        private void checkHeld(String what) {
            if (boundTo != null && !boundTo.owned()) {
                throw new KernelPanic(what + ": mutex not held");
            }
        }

        @Override
        public void signal() {
            checkHeld("cv_signal");
            Waiter w = waiters.first();
            if (w != null) {
                waiters.remove(w);
                w.signalled = true;
                boundTo.wakeOnRelease(w.thread);
            }
        }

        @Override
        public void broadcast() {
            checkHeld("cv_broadcast");
            Waiter w = waiters.takeAll();
            while (w != null) {
                Waiter n = w.next;
                w.next = null;
                w.queued = false;
                w.signalled = true;
                boundTo.wakeOnRelease(w.thread);
                w = n;
            }
        }
    }
}
