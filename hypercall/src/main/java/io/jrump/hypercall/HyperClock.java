package io.jrump.hypercall;

/**
 * {@code rumpuser_clock_gettime} and {@code rumpuser_clock_sleep}, plus the timer interrupt that
 * drives the kernel's callouts. A test replaces the host clock with {@link ManualClock}, so timers
 * fire when the test says time has passed, not when the wall clock does.
 */
public interface HyperClock {
    /** {@code RUMPUSER_CLOCK_ABSMONO}: nanoseconds on a clock that never goes back. */
    long monotonicNanos();

    /** {@code RUMPUSER_CLOCK_RELWALL}: nanoseconds since the Unix epoch. */
    long wallNanos();

    /** Relative sleep; returns early only if the thread is interrupted. */
    void sleep(long nanos) throws InterruptedException;

    /** Absolute sleep until the monotonic clock reads {@code deadlineNanos}. */
    void sleepUntil(long deadlineNanos) throws InterruptedException;

    /**
     * How long, in host nanoseconds, a host wait should block before it rechecks this clock for
     * {@code deadlineNanos}. A real clock answers the remaining time; a manual clock answers a short
     * slice, because its time moves only when a test advances it.
     */
    long hostWaitNanos(long deadlineNanos);

    /** Creates a timer whose {@code action} runs on a host thread (or, for a manual clock, on the advancing thread). */
    HyperTimer newTimer(String name, Runnable action);

    /**
     * A fast host clock for measuring how long an lwp held a virtual CPU, which the kernel charges to
     * its process (LRP seed: receive processing is charged to the application that receives). It is
     * host monotonic time, not thread CPU time: the time a virtual CPU is held is what a rump kernel
     * can charge, and reading a thread's CPU clock costs a system call (no vDSO), twice per syscall.
     * It keeps running under a manual clock, since a test cannot stop host time.
     */
    long runtimeNanos();
}
