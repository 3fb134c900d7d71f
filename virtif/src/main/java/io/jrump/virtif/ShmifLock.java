package io.jrump.virtif;

import io.jrump.hypercall.HyperClock;

/**
 * The bus lock, a word in the mapped file taken with compare-and-set, as NetBSD's shmif takes
 * {@code shm_lock} with an atomic compare-and-swap. Writers hold it only while they copy one frame in.
 *
 * <p>NetBSD's first if_shmem.c warned that its lock "will misbehave severely if some lockholder exits
 * while holding the lock". This one cannot be wedged that way: a waiter that has seen the
 * same ticket in the lock word for longer than the timeout takes the lock over by compare-and-set from
 * that ticket, so of several waiters exactly one breaks it, and a holder that merely took the lock
 * again in between (a new ticket) is never broken. The timeout is measured on host monotonic time by
 * the waiter itself, so it needs no clock shared between processes.
 *
 * <p>Waiting spins briefly, then yields, then sleeps in short host sleeps: a healthy holder releases
 * within microseconds. One instance belongs to one attachment; its caller serialises its own threads.
 */
final class ShmifLock {
    private static final int SPINS = 64;
    private static final int YIELDS = 128;
    private static final long SLEEP_NANOS = 20_000L;

    private final ShmifRing ring;
    private final int holder;
    private final long timeoutNanos;
    private final HyperClock clock;
    private int acquisitions;
    /** Written only by the serialised acquirer (one writer, so {@code ++} is exact); read by any thread. */
    private volatile long breaks;

    ShmifLock(ShmifRing ring, int holder, long timeoutNanos, HyperClock clock) {
        this.ring = ring;
        this.holder = holder;
        this.timeoutNanos = timeoutNanos;
        this.clock = clock;
    }

    /** Takes the lock, breaking it if its holder seems dead; returns the ticket to release it with. */
    long acquire() {
        long ticket = (long) holder << 32 | (++acquisitions & 0xffff_ffffL);
        long seen = 0;
        long seenSince = 0;
        for (int tries = 0;; tries++) {
            long word = ring.lockWord();
            if (word == 0) {
                if (ring.casLock(0, ticket)) {
                    break;
                }
            } else {
                long now = ShmifUser.hostNanos();
                if (word != seen) {
                    seen = word;
                    seenSince = now;
                } else if (now - seenSince >= timeoutNanos && ring.casLock(word, ticket)) {
                    breaks++;
                    ring.countBreak();
                    break;
                }
            }
            if (tries < SPINS) {
                Thread.onSpinWait();
            } else if (tries < YIELDS) {
                Thread.yield();
            } else {
                ShmifUser.pause(SLEEP_NANOS);
            }
        }
        ring.recordHolder(holder, clock.wallNanos());
        return ticket;
    }

    /** Releases the lock if {@code ticket} still holds it; if it was broken meanwhile, leaves it to the breaker. */
    void release(long ticket) {
        if (ring.lockWord() == ticket) {
            ring.recordHolder(0, 0);
            ring.casLock(ticket, 0);
        }
    }

    /** How often this attachment broke a lock held too long. */
    long breaks() {
        return breaks;
    }
}
