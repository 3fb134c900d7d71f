package io.jrump.kern.intr;

/**
 * A timer ({@code callout_t}): runs its function once, a number of clock ticks after it is scheduled,
 * on the CPU whose wheel holds it. Rescheduling a pending callout moves it; stopping one that has
 * already started running returns false, as {@code callout_stop} does.
 */
public final class Callout {
    private final Callouts owner;
    final CalloutWheel wheel;
    private final String name;
    private volatile Runnable func;
    long expireTick;
    Callout next;
    Callout prev;
    boolean pending;
    boolean fired;
    volatile boolean running;

    Callout(Callouts owner, CalloutWheel wheel, String name, Runnable func) {
        this.owner = owner;
        this.wheel = wheel;
        this.name = name;
        this.func = func;
    }

    public String name() {
        return name;
    }

    /** {@code callout_schedule}: fire after {@code ticks} ticks (at least one). */
    public void schedule(long ticks) {
        owner.schedule(this, ticks);
    }

    /** Fire after {@code nanos} of clock time, rounded up to whole ticks. */
    public void scheduleNanos(long nanos) {
        owner.schedule(this, owner.nanosToTicks(nanos));
    }

    /** {@code callout_reset}: a new function and a new delay. */
    public void reset(long ticks, Runnable newFunc) {
        this.func = newFunc;
        owner.schedule(this, ticks);
    }

    /** {@code callout_stop}: true if it was pending and now will not fire. */
    public boolean stop() {
        return owner.stop(this);
    }

    /** {@code callout_halt}: stops it and waits for a run in progress on another thread to finish. */
    public void halt() {
        owner.stop(this);
        while (running && !owner.runningOnThisThread(this)) {
            Thread.onSpinWait();
        }
    }

    public boolean pending() {
        synchronized (wheel) {
            return pending;
        }
    }

    /** {@code callout_expired}: it fired since it was last scheduled. */
    public boolean expired() {
        synchronized (wheel) {
            return fired;
        }
    }

    Runnable func() {
        return func;
    }
}
