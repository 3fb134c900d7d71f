package io.jrump.hypercall;

/**
 * {@code rumpuser_cv}: a condition variable, always used with the same mutex, as NetBSD requires of
 * {@code kcondvar_t}.
 */
public interface HyperCondVar {
    /** Releases {@code mutex}, waits for a signal, takes {@code mutex} again. */
    void await(HyperMutex mutex);

    /**
     * Like {@link #await} but gives up at the hypercall clock's monotonic time {@code deadlineNanos}.
     * Returns true if the deadline passed. Under a manual clock, the deadline is reached when a test
     * advances the clock, not when host time passes.
     */
    boolean awaitUntil(HyperMutex mutex, long deadlineNanos);

    void signal();

    void broadcast();
}
