package io.jrump.hypercall;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A clock that moves only when a test says so, so that retransmission timers, ARP expiry and TIME_WAIT
 * can be tested without waiting. {@link #advance} fires every timer that falls due, in deadline order,
 * on the advancing thread, with the clock reading each timer's own deadline while it runs; when it
 * returns, everything that was due has run.
 *
 * <p>Host threads that sleep on this clock ({@link #sleepUntil}, or a condition variable's timed
 * wait) wake when an advance passes their deadline. {@link #sleeping} tells a test that such a thread has
 * seen the present time and gone on sleeping, so that a test checks "not yet woken" by that fact rather
 * than by letting host time pass.
 */
public final class ManualClock implements HyperClock {
    private static final long NONE = Long.MIN_VALUE;
    private final long wallBase;
    private final List<Timer> timers = new ArrayList<>();
    /** Each sleeping thread and the time it last saw before it went on sleeping; emptied when time moves. */
    private final Map<Thread, Long> sleepers = new HashMap<>();
    private long now;
    private boolean advancing;

    /** Starts at monotonic time 1 second (not 0, so that "deadline 0" never means "now") and a fixed wall time. */
    public ManualClock() {
        this(1_000_000_000L, 1_767_225_600_000_000_000L);
    }

    public ManualClock(long startMonotonicNanos, long wallBaseNanos) {
        this.now = startMonotonicNanos;
        this.wallBase = wallBaseNanos - startMonotonicNanos;
    }

    @Override
    public synchronized long monotonicNanos() {
        return now;
    }

    @Override
    public synchronized long wallNanos() {
        return wallBase + now;
    }

    /**
     * Moves time forward by {@code nanos}, firing due timers on this thread. A timer action that arms a
     * timer within the advanced span fires within this same call.
     */
    public void advance(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("time does not go back: " + nanos);
        }
        long target;
        synchronized (this) {
            if (advancing) {
                throw new IllegalStateException("advance() called from a timer action");
            }
            advancing = true;
            target = now + nanos;
        }
        try {
            for (;;) {
                Timer due = null;
                synchronized (this) {
                    for (Timer t : timers) {
                        if (t.deadline != NONE && t.deadline <= target
                                && (due == null || t.deadline < due.deadline)) {
                            due = t;
                        }
                    }
                    if (due == null) {
                        moveTo(target);
                        notifyAll();
                        return;
                    }
                    if (due.deadline > now) {
                        moveTo(due.deadline);
                    }
                    due.deadline = NONE;
                    notifyAll();
                }
                due.action.run();
            }
        } finally {
            synchronized (this) {
                advancing = false;
            }
        }
    }

    /** Sets the time; what sleepers saw before is no longer the present. Caller holds this clock's lock. */
    private void moveTo(long t) {
        if (t != now) {
            now = t;
            sleepers.clear();
        }
    }

    /**
     * Whether {@code t} sleeps on this clock and has seen the time it reads now: it waits in
     * {@link #sleepUntil}, or its last host wait asked {@link #hostWaitNanos} for a deadline still ahead.
     * Such a thread stays asleep until time moves to its deadline or something else wakes it; after an
     * {@link #advance}, this turns true again only once the thread has looked at the new time and gone
     * on sleeping. A condition-variable wait that ended by a signal counts until time next moves.
     */
    public synchronized boolean sleeping(Thread t) {
        Long seen = sleepers.get(t);
        return seen != null && seen == now;
    }

    /** How many threads are {@link #sleeping} on this clock. */
    public synchronized int sleepers() {
        int n = 0;
        for (long seen : sleepers.values()) {
            if (seen == now) {
                n++;
            }
        }
        return n;
    }

    /** The earliest armed timer deadline, or {@link Long#MAX_VALUE} if none is armed. */
    public synchronized long nextDeadline() {
        long best = Long.MAX_VALUE;
        for (Timer t : timers) {
            if (t.deadline != NONE && t.deadline < best) {
                best = t.deadline;
            }
        }
        return best;
    }

    @Override
    public void sleep(long nanos) throws InterruptedException {
        long deadline;
        synchronized (this) {
            deadline = now + Math.max(0, nanos);
        }
        sleepUntil(deadline);
    }

    @Override
    public synchronized void sleepUntil(long deadlineNanos) throws InterruptedException {
        Thread me = Thread.currentThread();
        try {
            while (now < deadlineNanos) {
                sleepers.put(me, now);
                wait();
            }
        } finally {
            sleepers.remove(me);
        }
    }

    /**
     * A short slice while {@code deadlineNanos} is ahead: time moves only when a test advances it, and the
     * host wait then sees it within a slice. The caller counts as {@link #sleeping} meanwhile.
     */
    @Override
    public synchronized long hostWaitNanos(long deadlineNanos) {
        Thread me = Thread.currentThread();
        if (now >= deadlineNanos) {
            sleepers.remove(me);
            return 0;
        }
        sleepers.put(me, now);
        return 1_000_000L;
    }

    @Override
    public synchronized HyperTimer newTimer(String name, Runnable action) {
        Timer t = new Timer(action);
        timers.add(t);
        return t;
    }

    /** Time on a virtual CPU is host time even under a manual clock: a test cannot stop the host. */
    @Override
    public long runtimeNanos() {
        return System.nanoTime();
    }

    private final class Timer implements HyperTimer {
        final Runnable action;
        long deadline = NONE;

        Timer(Runnable action) {
            this.action = action;
        }

        @Override
        public void arm(long deadlineNanos) {
            synchronized (ManualClock.this) {
                deadline = deadlineNanos;
            }
        }

        @Override
        public void disarm() {
            synchronized (ManualClock.this) {
                deadline = NONE;
            }
        }

        @Override
        public void close() {
            synchronized (ManualClock.this) {
                deadline = NONE;
                timers.remove(this);
            }
        }
    }
}
