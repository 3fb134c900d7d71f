package io.jrump.virtif;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * What a {@link LinkEmulator} does to the frames of one direction, after Linux's {@code netem} qdisc,
 * whose knobs testers already know: a fixed delay, a rate that adds serialisation delay and queueing,
 * and probabilities of loss, duplication, reordering and corruption.
 *
 * @param delayNanos added to every frame's delivery time
 * @param rateBitsPerSecond the line rate; a frame occupies the line for {@code 8 * length / rate}
 *     seconds and waits for the frames before it, so a burst queues. 0 means no rate limit
 * @param loss probability that a frame is dropped
 * @param duplicate probability that a frame is delivered twice
 * @param reorder probability that a frame is held back by {@code reorderDelayNanos} more than the
 *     others, so that frames sent after it overtake it
 * @param reorderDelayNanos the extra delay of a reordered frame
 * @param corrupt probability that one bit of the frame's payload (after the 14-byte Ethernet header) is
 *     flipped. The header is spared so that the frame still reaches its receiver, as an error the
 *     Ethernet FCS missed would; IP, TCP and UDP checksums must catch it. Frames with no payload are
 *     never corrupted
 */
public record Impairments(long delayNanos, long rateBitsPerSecond, double loss, double duplicate, double reorder,
        long reorderDelayNanos, double corrupt) {

    /** The reordering hold-back when none is given: long enough to be overtaken on a fast link. */
    public static final long DEFAULT_REORDER_DELAY_NANOS = 1_000_000L;

    /** The fastest rate a link may be given, 10^15 bit/s; the serialisation arithmetic relies on it. */
    public static final long MAX_RATE = 1_000_000_000_000_000L;

    /** A perfect link: nothing added. */
    public static final Impairments NONE = new Impairments(0, 0, 0, 0, 0, DEFAULT_REORDER_DELAY_NANOS, 0);

    /**
     * @throws IllegalArgumentException if a time or rate is negative, the rate is above {@link #MAX_RATE}, or a
     *     probability is outside 0..1. A probability of -0.0 is taken as 0.0, so that equal-looking
     *     configs are equal
     */
    public Impairments {
        checkArgument(delayNanos >= 0, "delay must not be negative: %s", delayNanos);
        checkArgument(rateBitsPerSecond >= 0, "rate must not be negative: %s", rateBitsPerSecond);
        checkArgument(rateBitsPerSecond <= MAX_RATE, "rate above 1000tbit: %s bit/s", rateBitsPerSecond);
        checkArgument(reorderDelayNanos >= 0, "reorder-delay must not be negative: %s", reorderDelayNanos);
        loss += 0.0;
        duplicate += 0.0;
        reorder += 0.0;
        corrupt += 0.0;
        checkProbability("loss", loss);
        checkProbability("dup", duplicate);
        checkProbability("reorder", reorder);
        checkProbability("corrupt", corrupt);
    }

    /** Also refuses NaN, which compares false both ways. */
    private static void checkProbability(String what, double p) {
        checkArgument(p >= 0 && p <= 1, "%s must be a probability between 0 and 1: %s", what, p);
    }

    public Impairments withDelay(long nanos) {
        return new Impairments(nanos, rateBitsPerSecond, loss, duplicate, reorder, reorderDelayNanos, corrupt);
    }

    public Impairments withRate(long bitsPerSecond) {
        return new Impairments(delayNanos, bitsPerSecond, loss, duplicate, reorder, reorderDelayNanos, corrupt);
    }

    public Impairments withLoss(double p) {
        return new Impairments(delayNanos, rateBitsPerSecond, p, duplicate, reorder, reorderDelayNanos, corrupt);
    }

    public Impairments withDuplicate(double p) {
        return new Impairments(delayNanos, rateBitsPerSecond, loss, p, reorder, reorderDelayNanos, corrupt);
    }

    public Impairments withReorder(double p, long extraDelayNanos) {
        return new Impairments(delayNanos, rateBitsPerSecond, loss, duplicate, p, extraDelayNanos, corrupt);
    }

    public Impairments withCorrupt(double p) {
        return new Impairments(delayNanos, rateBitsPerSecond, loss, duplicate, reorder, reorderDelayNanos, p);
    }

    /** Whether every frame passes untouched and at once. */
    public boolean isNone() {
        return equals(NONE);
    }

    /**
     * Nanoseconds the line is busy with a frame of {@code len} bytes, rounded up so that a rate limit
     * never lets more through than it says. With {@code len} an int and the rate capped at
     * {@link #MAX_RATE}, {@code 8 * len * 1e9 + rate} stays below 2^64, so unsigned arithmetic is exact.
     */
    long serialisationNanos(int len) {
        if (rateBitsPerSecond == 0) {
            return 0;
        }
        long scaled = 8L * len * 1_000_000_000L;
        return Long.divideUnsigned(scaled + rateBitsPerSecond - 1, rateBitsPerSecond);
    }
}
