package io.jrump.kern.intr;

import java.util.ArrayList;
import java.util.List;

/**
 * One CPU's hashed timer wheel: callouts in buckets by expiry tick modulo the wheel size, each bucket
 * a doubly linked list, so scheduling and stopping are O(1) and expiry touches only the buckets of
 * the ticks that passed (NetBSD's {@code kern_timeout.c} uses a wheel of the same kind). Guarded by
 * its own monitor: timers are set from any thread.
 */
public final class CalloutWheel {
    static final int SIZE = 256;
    private static final int MASK = SIZE - 1;
    private final Callout[] buckets = new Callout[SIZE];
    private long lastTick;
    private int count;
    private final List<Callout> due = new ArrayList<>();

    public CalloutWheel(long startTick) {
        this.lastTick = startTick;
    }

    synchronized void insert(Callout c, long tick) {
        if (c.pending) {
            unlink(c);
        }
        c.expireTick = tick;
        c.pending = true;
        c.fired = false;
        int b = (int) (tick & MASK);
        c.prev = null;
        c.next = buckets[b];
        if (c.next != null) {
            c.next.prev = c;
        }
        buckets[b] = c;
        count++;
    }

    synchronized boolean remove(Callout c) {
        if (!c.pending) {
            return false;
        }
        unlink(c);
        return true;
    }

    private void unlink(Callout c) {
        int b = (int) (c.expireTick & MASK);
        if (c.prev != null) {
            c.prev.next = c.next;
        } else {
            buckets[b] = c.next;
        }
        if (c.next != null) {
            c.next.prev = c.prev;
        }
        c.next = c.prev = null;
        c.pending = false;
        count--;
    }

    /**
     * Moves every callout due at or before {@code now} into the due list, marked running, and returns
     * it; the caller runs them outside the lock and then calls {@link #finish}.
     */
    synchronized List<Callout> expire(long now) {
        due.clear();
        if (count > 0 && now > lastTick) {
            long span = Math.min(now - lastTick, SIZE);
            for (long t = now - span + 1; t <= now; t++) {
                Callout c = buckets[(int) (t & MASK)];
                while (c != null) {
                    Callout nx = c.next;
                    if (c.expireTick <= now) {
                        unlink(c);
                        c.fired = true;
                        c.running = true;
                        due.add(c);
                    }
                    c = nx;
                }
            }
        }
        if (now > lastTick) {
            lastTick = now;
        }
        due.sort((a, b) -> Long.compare(a.expireTick, b.expireTick));
        return due;
    }

    synchronized long lastTick() {
        return lastTick;
    }

    /** The earliest tick at which something is due, or {@link Long#MAX_VALUE}. */
    synchronized long earliest() {
        if (count == 0) {
            return Long.MAX_VALUE;
        }
        long best = Long.MAX_VALUE;
        for (long t = lastTick + 1; t <= lastTick + SIZE; t++) {
            for (Callout c = buckets[(int) (t & MASK)]; c != null; c = c.next) {
                if (c.expireTick == t) {
                    return t;
                }
                best = Math.min(best, c.expireTick);
            }
        }
        return best;
    }

    synchronized int count() {
        return count;
    }
}
