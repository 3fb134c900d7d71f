package io.jrump.kern.sched;

import io.jrump.kern.Kernel;
import io.jrump.hypercall.HyperThread;

/**
 * A kernel thread ({@code kthread_create}): a host thread running an lwp of process 0, holding a
 * virtual CPU while it runs kernel code. Its body must return when {@link Kernel#halting()} becomes
 * true; halt waits for it and reports it if it does not.
 */
public final class KThread {
    private final String name;
    private final HyperThread thread;

    public KThread(String name, HyperThread thread) {
        this.name = name;
        this.thread = thread;
    }

    public String name() {
        return name;
    }

    public boolean alive() {
        return thread.alive();
    }

    /** Waits at most {@code nanos} of host time for the thread to end. */
    public boolean join(long nanos) throws InterruptedException {
        return thread.join(nanos);
    }

    public void interrupt() {
        thread.interrupt();
    }
}
