package io.jrump.hypercall;

import static io.jrump.hypercall.TestSupport.PATIENCE_NANOS;
import static io.jrump.hypercall.TestSupport.awaitBlockedIn;
import static io.jrump.hypercall.TestSupport.eventually;
import static io.jrump.hypercall.TestSupport.hostThread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ManualClockTest {
    private static final long MS = 1_000_000L;
    private final ManualClock clock = new ManualClock();
    private final long t0 = clock.monotonicNanos();
    private final List<String> fired = new ArrayList<>();

    private HyperTimer recordingTimer(String name) {
        return clock.newTimer(name, () -> fired.add(name + "@" + (clock.monotonicNanos() - t0) / MS));
    }

    @Test
    void timeMovesOnlyWhenAdvanced() {
        long wall = clock.wallNanos();
        HyperClock host = HostHypercall.create().clock();
        long hostBefore = host.monotonicNanos();
        eventually("host time to move a millisecond", () -> host.monotonicNanos() - hostBefore > MS);
        assertEquals(t0, clock.monotonicNanos());
        assertEquals(wall, clock.wallNanos());
        clock.advance(250 * MS);
        assertEquals(t0 + 250 * MS, clock.monotonicNanos());
        assertEquals(wall + 250 * MS, clock.wallNanos(), "wall time moves with monotonic time");
        assertThrows(IllegalArgumentException.class, () -> clock.advance(-1));
        assertEquals(t0 + 250 * MS, clock.monotonicNanos());
    }

    @Test
    void advanceFiresDueTimersInDeadlineOrderOnTheCallingThreadAtTheirDeadlines() {
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        HyperTimer a = recordingTimer("a");
        HyperTimer b = recordingTimer("b");
        HyperTimer c = clock.newTimer("c", () -> {
            ranOn.set(Thread.currentThread());
            fired.add("c@" + (clock.monotonicNanos() - t0) / MS);
        });
        HyperTimer late = recordingTimer("late");
        a.arm(t0 + 30 * MS);
        b.arm(t0 + 10 * MS);
        c.arm(t0 + 20 * MS);
        late.arm(t0 + 100 * MS);

        clock.advance(50 * MS);

        assertEquals(List.of("b@10", "c@20", "a@30"), fired);
        assertSame(Thread.currentThread(), ranOn.get());
        assertEquals(t0 + 50 * MS, clock.monotonicNanos(), "after the timers the clock reads the target");
        assertEquals(t0 + 100 * MS, clock.nextDeadline(), "the timer not yet due stays armed");

        clock.advance(50 * MS);
        assertEquals(List.of("b@10", "c@20", "a@30", "late@100"), fired);
    }

    @Test
    void aTimerFiresOncePerArming() {
        HyperTimer t = recordingTimer("t");
        t.arm(t0 + 10 * MS);
        clock.advance(20 * MS);
        clock.advance(20 * MS);
        assertEquals(List.of("t@10"), fired);
        assertEquals(Long.MAX_VALUE, clock.nextDeadline());
    }

    @Test
    void aTimerReArmedFromItsOwnActionWithinTheSpanFiresAgainInTheSameAdvance() {
        HyperTimer[] self = new HyperTimer[1];
        self[0] = clock.newTimer("tick", () -> {
            fired.add("tick@" + (clock.monotonicNanos() - t0) / MS);
            self[0].arm(clock.monotonicNanos() + 10 * MS);
        });
        self[0].arm(t0 + 10 * MS);

        clock.advance(35 * MS);

        assertEquals(List.of("tick@10", "tick@20", "tick@30"), fired);
        assertEquals(t0 + 40 * MS, clock.nextDeadline());
        assertEquals(t0 + 35 * MS, clock.monotonicNanos());
    }

    @Test
    void aTimerArmedByAnotherTimersActionFiresInOrderWithinTheSameAdvance() {
        HyperTimer second = recordingTimer("second");
        HyperTimer third = recordingTimer("third");
        HyperTimer first = clock.newTimer("first", () -> {
            fired.add("first@" + (clock.monotonicNanos() - t0) / MS);
            second.arm(t0 + 15 * MS);
        });
        first.arm(t0 + 5 * MS);
        third.arm(t0 + 20 * MS);
        clock.advance(30 * MS);
        assertEquals(List.of("first@5", "second@15", "third@20"), fired);
    }

    @Test
    void aTimerArmedInThePastFiresAtTheNextAdvanceWithoutTimeGoingBack() {
        clock.advance(100 * MS);
        HyperTimer t = recordingTimer("stale");
        t.arm(t0 + 50 * MS);
        clock.advance(0);
        assertEquals(List.of("stale@100"), fired);
    }

    @Test
    void disarmAndClosePreventFiring() {
        HyperTimer disarmed = recordingTimer("disarmed");
        HyperTimer closed = recordingTimer("closed");
        HyperTimer kept = recordingTimer("kept");
        disarmed.arm(t0 + 10 * MS);
        closed.arm(t0 + 10 * MS);
        kept.arm(t0 + 20 * MS);
        disarmed.disarm();
        closed.close();
        assertEquals(t0 + 20 * MS, clock.nextDeadline());
        clock.advance(30 * MS);
        assertEquals(List.of("kept@20"), fired);

        closed.arm(t0 + 40 * MS);
        disarmed.arm(t0 + 50 * MS);
        clock.advance(30 * MS);
        assertEquals(List.of("kept@20", "disarmed@50"), fired, "a disarmed timer can be re-armed; a closed one is gone");
    }

    @Test
    void reArmingReplacesTheEarlierDeadline() {
        HyperTimer t = recordingTimer("t");
        t.arm(t0 + 10 * MS);
        t.arm(t0 + 40 * MS);
        assertEquals(t0 + 40 * MS, clock.nextDeadline());
        clock.advance(50 * MS);
        assertEquals(List.of("t@40"), fired);
    }

    @Test
    void nextDeadlineIsTheEarliestArmedDeadline() {
        assertEquals(Long.MAX_VALUE, clock.nextDeadline());
        HyperTimer a = recordingTimer("a");
        HyperTimer b = recordingTimer("b");
        a.arm(t0 + 70 * MS);
        b.arm(t0 + 30 * MS);
        assertEquals(t0 + 30 * MS, clock.nextDeadline());
        b.disarm();
        assertEquals(t0 + 70 * MS, clock.nextDeadline());
        a.close();
        assertEquals(Long.MAX_VALUE, clock.nextDeadline());
    }

    @Test
    void advanceFromWithinATimerActionIsRefused() {
        AtomicReference<Throwable> refused = new AtomicReference<>();
        HyperTimer t = clock.newTimer("nested", () -> {
            try {
                clock.advance(MS);
            } catch (Throwable e) {
                refused.set(e);
            }
        });
        t.arm(t0 + 10 * MS);
        clock.advance(20 * MS);
        assertInstanceOf(IllegalStateException.class, refused.get());
        assertEquals(t0 + 20 * MS, clock.monotonicNanos(), "the refused nested advance moved nothing");

        clock.advance(5 * MS);
        assertEquals(t0 + 25 * MS, clock.monotonicNanos(), "advance works again after the refusal");
    }

    @Test
    void aThrowingTimerActionDoesNotWedgeTheClock() {
        HyperTimer bad = clock.newTimer("bad", () -> {
            throw new IllegalStateException("callout bug");
        });
        bad.arm(t0 + 10 * MS);
        assertThrows(IllegalStateException.class, () -> clock.advance(20 * MS));
        HyperTimer good = recordingTimer("good");
        good.arm(t0 + 30 * MS);
        clock.advance(30 * MS);
        assertEquals(List.of("good@30"), fired);
    }

    @Test
    void sleepUntilWakesWhenAnAdvanceReachesTheDeadline() throws Exception {
        HostHypercall hc = HostHypercall.builder().clock(clock).environment(Map.of()).build();
        long deadline = t0 + 100 * MS;
        AtomicReference<Long> wokeAt = new AtomicReference<>();
        HyperThread sleeper = hc.threads().create("sleeper", () -> {
            try {
                clock.sleepUntil(deadline);
                wokeAt.set(clock.monotonicNanos());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread host = hostThread(sleeper);
        awaitSleeping(host);
        assertTrue(sleeper.alive(), "woke without an advance");
        clock.advance(60 * MS);
        eventually("the sleeper to see the new time and sleep on", () -> clock.sleeping(host) || !sleeper.alive());
        assertTrue(sleeper.alive(), "woke before its deadline");
        assertEquals(1, clock.sleepers());
        clock.advance(40 * MS);
        assertTrue(sleeper.join(PATIENCE_NANOS), "the advance to the deadline did not wake the sleeper");
        assertEquals(deadline, wokeAt.get());
    }

    @Test
    void relativeSleepWakesWhenTheClockHasMovedThatFar() throws Exception {
        HostHypercall hc = HostHypercall.builder().clock(clock).environment(Map.of()).build();
        HyperThread sleeper = hc.threads().create("sleeper", () -> {
            try {
                clock.sleep(10 * MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        awaitSleeping(hostThread(sleeper));
        assertTrue(sleeper.alive());
        clock.advance(10 * MS);
        assertTrue(sleeper.join(PATIENCE_NANOS));
    }

    @Test
    void aSleeperEndsEarlyOnlyWhenInterrupted() throws Exception {
        HostHypercall hc = HostHypercall.builder().clock(clock).environment(Map.of()).build();
        AtomicReference<Boolean> interrupted = new AtomicReference<>();
        HyperThread sleeper = hc.threads().create("sleeper", () -> {
            try {
                clock.sleepUntil(t0 + 1000 * MS);
                interrupted.set(false);
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        sleeper.interrupt();
        assertTrue(sleeper.join(PATIENCE_NANOS));
        assertEquals(Boolean.TRUE, interrupted.get());
        assertEquals(t0, clock.monotonicNanos());
    }

    @Test
    void hostWaitNanosIsZeroOncePastTheDeadlineAndASliceBefore() {
        assertEquals(0, clock.hostWaitNanos(t0));
        assertFalse(clock.sleeping(Thread.currentThread()));
        long slice = clock.hostWaitNanos(t0 + 3_600_000 * MS);
        assertTrue(slice > 0, "a pending deadline gets a positive slice: " + slice);
        assertTrue(clock.sleeping(Thread.currentThread()), "a host wait for a later deadline sleeps on the clock");
        clock.advance(MS);
        assertFalse(clock.sleeping(Thread.currentThread()), "until it has seen the new time");
        clock.hostWaitNanos(t0 + 3_600_000 * MS);
        assertTrue(clock.sleeping(Thread.currentThread()));
        assertEquals(0, clock.hostWaitNanos(t0 + MS));
        assertFalse(clock.sleeping(Thread.currentThread()), "a deadline reached ends the sleep");
        assertEquals(0, clock.sleepers());
    }

    /** Waits until {@code t} sleeps in {@link ManualClock#sleepUntil} having seen the present time. */
    private void awaitSleeping(Thread t) {
        awaitBlockedIn(t, "ManualClock.sleepUntil");
        eventually(t.getName() + " sleeping at the present time", () -> clock.sleeping(t));
    }

    @Test
    void explicitStartTimes() {
        ManualClock c = new ManualClock(5 * MS, 1_000 * MS);
        assertEquals(5 * MS, c.monotonicNanos());
        assertEquals(1_000 * MS, c.wallNanos());
        c.advance(7 * MS);
        assertEquals(12 * MS, c.monotonicNanos());
        assertEquals(1_007 * MS, c.wallNanos());
    }
}
