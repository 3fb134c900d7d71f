package io.jrump.hypercall;

/** A host thread created by {@link HyperThreads#create}. */
public interface HyperThread {
    String name();

    boolean alive();

    /**
     * {@code rumpuser_thread_join}: waits for the thread to end, at most {@code timeoutNanos} of host
     * time; true if it ended.
     */
    boolean join(long timeoutNanos) throws InterruptedException;

    /** Wakes the thread if it is blocked in the host; the kernel uses it to end threads at halt. */
    void interrupt();
}
