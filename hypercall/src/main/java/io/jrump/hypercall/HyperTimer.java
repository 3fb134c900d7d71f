package io.jrump.hypercall;

/**
 * The host's timer interrupt: one deadline at a time, re-armed by the kernel's clock code after each
 * expiry. A kernel arms it only for its earliest callout, so an idle kernel takes no interrupts.
 */
public interface HyperTimer {
    /** Fires the timer's action once the monotonic clock reaches {@code deadlineNanos}; replaces any earlier arming. */
    void arm(long deadlineNanos);

    void disarm();

    /** Disarms the timer for good and releases any host thread behind it. */
    void close();
}
