package io.jrump.kern.vfs;

/**
 * {@code struct timespec} as {@code utimensat(2)} takes it. {@link #UTIME_NOW} or {@link #UTIME_OMIT} in
 * {@code nsec} ask for the current time or for no change (NetBSD's values).
 */
public record Timespec(long sec, long nsec) {
    public static final long UTIME_NOW = (1L << 30) - 1;
    public static final long UTIME_OMIT = (1L << 30) - 2;
    public static final Timespec NOW = new Timespec(0, UTIME_NOW);
    public static final Timespec OMIT = new Timespec(0, UTIME_OMIT);

    /** Nanoseconds since the epoch. */
    public long toNanos() {
        return sec * 1_000_000_000L + nsec;
    }

    public static Timespec ofNanos(long nanos) {
        return new Timespec(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }
}
