package io.jrump.virtif;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * How a {@link ShmifBus} attachment behaves.
 *
 * @param ringSize ring bytes of a bus this attachment creates; an existing bus keeps its own size
 * @param lockTimeoutNanos how long, in host monotonic time, the bus lock may stay with one holder
 *     before a writer decides the holder died and breaks it. NetBSD's shmif has no such escape; here
 *     a kernel process killed in the middle of a write must not wedge every other kernel on the bus.
 *     It must be far longer than any write takes, and shorter than anyone will wait
 * @param maxFrame largest frame this attachment sends or delivers, header included; also bounded by
 *     the ring
 * @param pollMinNanos the reader's sleep after it found the bus idle once; it doubles on each further
 *     idle poll, so an idle bus costs little and a busy one is followed closely
 * @param pollMaxNanos the longest sleep between polls, which bounds the latency an idle bus adds
 */
public record ShmifOptions(int ringSize, long lockTimeoutNanos, int maxFrame, long pollMinNanos, long pollMaxNanos) {
    public static final ShmifOptions DEFAULT =
            new ShmifOptions(ShmifLayout.DEFAULT_RING, 1_000_000_000L, EtherLink.DEFAULT_MAX_FRAME, 10_000L, 1_000_000L);

    public ShmifOptions {
        checkArgument(ringSize >= ShmifLayout.MIN_RING && ringSize <= ShmifLayout.MAX_RING,
                "shmif ring size must be between %s and %s: %s", ShmifLayout.MIN_RING, ShmifLayout.MAX_RING, ringSize);
        checkArgument(lockTimeoutNanos > 0, "shmif lock timeout must be positive: %s", lockTimeoutNanos);
        checkArgument(maxFrame >= EtherLink.HEADER_LEN, "shmif max frame shorter than an Ethernet header: %s", maxFrame);
        checkArgument(pollMinNanos > 0 && pollMaxNanos >= pollMinNanos, "shmif poll sleeps need 0 < min <= max: %s, %s",
                pollMinNanos, pollMaxNanos);
    }

    public ShmifOptions withRingSize(int bytes) {
        return new ShmifOptions(bytes, lockTimeoutNanos, maxFrame, pollMinNanos, pollMaxNanos);
    }

    public ShmifOptions withLockTimeout(long nanos) {
        return new ShmifOptions(ringSize, nanos, maxFrame, pollMinNanos, pollMaxNanos);
    }

    public ShmifOptions withMaxFrame(int bytes) {
        return new ShmifOptions(ringSize, lockTimeoutNanos, bytes, pollMinNanos, pollMaxNanos);
    }
}
