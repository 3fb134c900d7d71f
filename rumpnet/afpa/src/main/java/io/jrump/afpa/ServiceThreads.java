package io.jrump.afpa;

import io.jrump.kern.Kernel;
import io.jrump.kern.sync.KCondVar;
import io.jrump.kern.sync.KMutex;
import java.util.ArrayDeque;

/**
 * The accelerator's service kernel threads and their queue: the Linux seed's "service kernel thread"
 * that picks up requests not found in the cache, and the Windows 2000 seed's "pool of worker threads"
 * that read and pin chunks softint context may not touch. Work is posted from softint (a miss, a chunk
 * to pin, a connection to release) and run in thread context, where it may sleep and read files.
 *
 * <p>The number of threads follows {@code net.afpa.workers} ({@link #resize}). {@link #stop} lets the
 * queued work finish, then waits on a condition variable (which gives up the virtual CPU, so a kernel
 * with one CPU still runs the threads it waits for) until every thread has ended.
 */
final class ServiceThreads {
    private final Kernel kernel;
    private final KMutex lock;
    private final KCondVar work;
    private final KCondVar gone;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private int running;
    private int wanted;
    private int serial;
    private boolean stopping;
    private long done;

    ServiceThreads(Kernel kernel) {
        this.kernel = kernel;
        this.lock = kernel.newMutex();
        this.work = kernel.newCondVar();
        this.gone = kernel.newCondVar();
    }

    /** Queues {@code r}; false once stopping (the caller then undoes what it began). Never sleeps long. */
    boolean post(Runnable r) {
        lock.enter();
        try {
            if (stopping) {
                return false;
            }
            queue.add(r);
            work.signal();
            return true;
        } finally {
            lock.exit();
        }
    }

    /**
     * Starts or retires threads until {@code n} run. A thread is counted in {@link #running} before it
     * exists (so that two resizes never start too many), and uncounted if it could not be created.
     */
    void resize(int n) {
        int start;
        int first;
        lock.enter();
        try {
            if (stopping) {
                return;
            }
            wanted = n;
            start = Math.max(0, n - running);
            running += start;
            first = serial;
            serial += start;
            if (n < running) {
                work.broadcast();
            }
        } finally {
            lock.exit();
        }
        for (int i = 0; i < start; i++) {
            boolean made = false;
            try {
                kernel.createKThread("afpa service " + (first + i), this::run);
                made = true;
            } finally {
                if (!made) {
                    lock.enter();
                    try {
                        running -= start - i;
                        gone.broadcast();
                    } finally {
                        lock.exit();
                    }
                }
            }
        }
    }

    /**
     * A service thread's loop. It leaves {@link #running} in a finally block: a work item that panics
     * ({@code KernelPanic} is an Error, which nothing catches) still ends the thread, and a thread that
     * ended without saying so would make {@link #stop}, and so the kernel's halt, wait forever.
     */
    private void run() {
        lock.enter();
        try {
            while (true) {
                Runnable r = queue.poll();
                if (r == null) {
                    if (stopping || running > wanted) {
                        break;
                    }
                    work.await(lock);
                    continue;
                }
                lock.exit();
                try {
                    r.run();
                } catch (RuntimeException e) {
                    kernel.log("afpa: service work failed: " + e);
                } finally {
                    lock.enter();
                }
                done++;
            }
        } finally {
            running--;
            gone.broadcast();
            lock.exit();
        }
    }

    /** Work items run so far; for tests that wait for the service threads to catch up. */
    long done() {
        lock.enter();
        try {
            return done;
        } finally {
            lock.exit();
        }
    }

    /** Threads now running. */
    int threads() {
        lock.enter();
        try {
            return running;
        } finally {
            lock.exit();
        }
    }

    /** Lets queued work finish, ends every thread and waits for them. */
    void stop() {
        lock.enter();
        try {
            stopping = true;
            work.broadcast();
            while (running > 0) {
                gone.await(lock);
            }
        } finally {
            lock.exit();
        }
    }
}
