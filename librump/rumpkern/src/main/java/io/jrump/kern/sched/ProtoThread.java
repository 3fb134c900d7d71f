package io.jrump.kern.sched;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Kernel;
import io.jrump.kern.sync.KCondVar;
import io.jrump.kern.sync.KMutex;

/**
 * Deferred work that runs at a process's priority instead of at interrupt level: a softint's shape (schedule
 * it from anywhere, it runs soon, scheduling it while pending costs nothing), but run by a kernel thread of
 * {@code owner} ({@link Kernel#createKThread(String, Proc, Runnable)}), so it competes for a virtual CPU at the
 * owner's {@linkplain Proc#priority priority} and its CPU time is charged to the owner as protocol time. This
 * is LRP's asynchronous protocol processing (seed 003, "TCP protocol processing": "an extra thread can be
 * associated with application processes that use stream (TCP) sockets. This thread is scheduled at its
 * process's priority and its CPU usage is charged to its process"): a socket's channel schedules it when it
 * goes from empty to non-empty, and the handler drains the channel, calling
 * {@link Scheduler#preemptionPoint()} between packets.
 *
 * <p>The thread ends when {@link #stop} is called, or when its owner exits (its lwp is killed) or the kernel
 * halts; a {@link #schedule} after that does nothing. A handler that throws is reported on the console and
 * the thread goes on, as a softint's does.
 */
public final class ProtoThread {
    private final Kernel kernel;
    private final String name;
    private final Runnable handler;
    private final KMutex lock;
    private final KCondVar work;
    private volatile boolean pending;
    private volatile boolean stopped;
    private final KThread thread;

    /** Starts the thread; {@code handler} runs on it each time it has been {@link #schedule scheduled}. */
    public ProtoThread(Kernel kernel, String name, Proc owner, Runnable handler) {
        this.kernel = kernel;
        this.name = name;
        this.handler = handler;
        this.lock = kernel.newMutex();
        this.work = kernel.newCondVar();
        this.thread = kernel.createKThread(name, owner, this::loop);
    }

    /**
     * Makes the handler run soon, from any thread (a softint, a driver's receive thread, a syscall). While a
     * run is pending this is one volatile read; a run already in progress is followed by one more.
     */
    public void schedule() {
        if (pending || stopped) {
            return;
        }
        lock.enter();
        try {
            pending = true;
            work.signal();
        } finally {
            lock.exit();
        }
    }

    /** Whether a run is pending (scheduled and not yet started). */
    public boolean pending() {
        return pending;
    }

    /** Ends the thread after the run in progress, if any; pending work is dropped. */
    public void stop() {
        lock.enter();
        try {
            stopped = true;
            work.broadcast();
        } finally {
            lock.exit();
        }
    }

    /** The kernel thread, to join after {@link #stop}. */
    public KThread thread() {
        return thread;
    }

    private void loop() {
        Lwp me = kernel.curlwp();
        for (;;) {
            lock.enter();
            try {
                while (!pending && !stopped && !me.killed() && !kernel.halting()) {
                    if (work.awaitSig(lock) == Errno.EINTR) {
                        break;
                    }
                }
                if (stopped || me.killed() || kernel.halting()) {
                    stopped = true;
                    return;
                }
                pending = false;
            } finally {
                lock.exit();
            }
            try {
                handler.run();
            } catch (RuntimeException | StackOverflowError e) {
                kernel.log("protocol thread " + name + ": " + e);
            }
        }
    }
}
