package io.jrump.vfs;

import io.jrump.hypercall.HyperClock;

/**
 * File time stamps to the nanosecond: the wall time read once from the hypercall clock plus the
 * monotonic time since, as a kernel keeps {@code boottime + uptime}. The host's wall clock may tick in
 * milliseconds; this one does not, and it never goes back, so two changes to a file in a row get two
 * different, ordered times.
 */
public final class VfsClock {
    private final HyperClock clock;
    private final long wallBase;
    private final long monoBase;

    public VfsClock(HyperClock clock) {
        this.clock = clock;
        this.monoBase = clock.monotonicNanos();
        this.wallBase = clock.wallNanos();
    }

    /** Nanoseconds since the epoch. */
    public long now() {
        return wallBase + (clock.monotonicNanos() - monoBase);
    }
}
