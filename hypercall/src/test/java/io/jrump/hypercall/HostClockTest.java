package io.jrump.hypercall;

import static io.jrump.hypercall.TestSupport.PATIENCE_SECONDS;
import static io.jrump.hypercall.TestSupport.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class HostClockTest {
    private static final long MS = 1_000_000L;
    private static final long HOUR = TimeUnit.HOURS.toNanos(1);
    private final HostHypercall hc = HostHypercall.builder().environment(Map.of()).build();
    private final HyperClock clock = hc.clock();
    private final Semaphore fired = new Semaphore(0);
    private final AtomicInteger count = new AtomicInteger();
    private HyperTimer timer;

    private HyperTimer newTimer(String name) {
        timer = clock.newTimer(name, () -> {
            count.incrementAndGet();
            fired.release();
        });
        return timer;
    }

    private boolean firesWithinPatience() throws InterruptedException {
        return fired.tryAcquire(PATIENCE_SECONDS, TimeUnit.SECONDS);
    }

    @AfterEach
    void closeTimer() {
        if (timer != null) {
            timer.close();
        }
    }

    @Test
    void monotonicTimeDoesNotGoBackAndWallTimeIsEpochBased() {
        long a = clock.monotonicNanos();
        long b = clock.monotonicNanos();
        assertTrue(b >= a);
        long wallMs = clock.wallNanos() / MS;
        long hostMs = System.currentTimeMillis();
        assertTrue(Math.abs(hostMs - wallMs) < TimeUnit.HOURS.toMillis(1), "wall clock is in epoch nanoseconds");
    }

    @Test
    void sleepUntilReturnsNoEarlierThanTheDeadline() throws InterruptedException {
        long deadline = clock.monotonicNanos() + 20 * MS;
        clock.sleepUntil(deadline);
        assertTrue(clock.monotonicNanos() >= deadline);
    }

    @Test
    void anArmedTimerFiresOnce() throws InterruptedException {
        HyperTimer t = newTimer("hardclock-once");
        t.arm(clock.monotonicNanos() + 10 * MS);
        assertTrue(firesWithinPatience(), "the timer did not fire");
        awaitDisarmed("hardclock-once");
        assertEquals(1, count.get(), "one arming, one interrupt");
    }

    @Test
    void theActionRunsOnTheTimersOwnHostThread() throws InterruptedException {
        AtomicReference<String> ranOn = new AtomicReference<>();
        timer = clock.newTimer("hardclock-named", () -> {
            ranOn.set(Thread.currentThread().getName());
            fired.release();
        });
        timer.arm(clock.monotonicNanos());
        assertTrue(firesWithinPatience());
        assertEquals("hardclock-named", ranOn.get());
        assertNotEquals(Thread.currentThread().getName(), ranOn.get());
    }

    @Test
    void aTimerCanBeArmedAgainAfterItFired() throws InterruptedException {
        HyperTimer t = newTimer("hardclock-again");
        t.arm(clock.monotonicNanos());
        assertTrue(firesWithinPatience());
        t.arm(clock.monotonicNanos() + MS);
        assertTrue(firesWithinPatience(), "the second arming did not fire");
        assertEquals(2, count.get());
    }

    @Test
    void reArmingWithAnEarlierDeadlineReplacesTheFarOne() throws InterruptedException {
        HyperTimer t = newTimer("hardclock-sooner");
        t.arm(clock.monotonicNanos() + HOUR);
        t.arm(clock.monotonicNanos() + MS);
        assertTrue(firesWithinPatience(), "the earlier re-arming did not take effect");
        awaitDisarmed("hardclock-sooner");
        assertEquals(1, count.get());
    }

    @Test
    void reArmingWithALaterDeadlineReplacesTheNearOne() throws InterruptedException {
        HyperTimer t = newTimer("hardclock-later");
        t.arm(clock.monotonicNanos() + 100 * MS);
        t.arm(clock.monotonicNanos() + HOUR);
        assertFalse(fired.tryAcquire(400, TimeUnit.MILLISECONDS), "the replaced deadline still fired");
    }

    @Test
    void disarmPreventsFiring() throws InterruptedException {
        HyperTimer t = newTimer("hardclock-disarmed");
        t.arm(clock.monotonicNanos() + 100 * MS);
        t.disarm();
        assertFalse(fired.tryAcquire(400, TimeUnit.MILLISECONDS), "a disarmed timer fired");
        t.arm(clock.monotonicNanos());
        assertTrue(firesWithinPatience(), "a disarmed timer can be armed again");
    }

    @Test
    void closeEndsTheTimerThread() throws InterruptedException {
        HyperTimer t = newTimer("hardclock-closing");
        t.arm(clock.monotonicNanos() + HOUR);
        eventually("the timer thread runs", () -> hc.threads().liveThreadNames().contains("hardclock-closing"));
        t.close();
        assertFalse(hc.threads().liveThreadNames().contains("hardclock-closing"), hc.threads().liveThreadNames().toString());

        t.arm(clock.monotonicNanos());
        assertFalse(fired.tryAcquire(200, TimeUnit.MILLISECONDS), "a closed timer fired");
        assertFalse(hc.threads().liveThreadNames().contains("hardclock-closing"), "arming a closed timer restarted it");
    }

    @Test
    void aTimerThatWasNeverArmedTakesNoThread() {
        HyperTimer t = newTimer("hardclock-idle");
        assertFalse(hc.threads().liveThreadNames().contains("hardclock-idle"));
        t.close();
    }

    @Test
    void closeFromTheTimersOwnActionDoesNotDeadlock() throws InterruptedException {
        HyperTimer[] self = new HyperTimer[1];
        self[0] = clock.newTimer("hardclock-selfclose", () -> {
            self[0].close();
            fired.release();
        });
        self[0].arm(clock.monotonicNanos());
        assertTrue(firesWithinPatience());
        eventually("the timer thread ends", () -> !hc.threads().liveThreadNames().contains("hardclock-selfclose"));
    }

    /**
     * Waits until the timer's thread waits with no deadline armed (its wait without a timeout), so that it
     * cannot fire again before it is armed again.
     */
    private static void awaitDisarmed(String timerName) {
        Thread t = Thread.getAllStackTraces().keySet().stream().filter(x -> x.getName().equals(timerName))
                .findFirst().orElseThrow(() -> new AssertionError(timerName + " has no thread"));
        eventually(timerName + " to wait unarmed", () -> t.getState() == Thread.State.WAITING
                && Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getMethodName().equals("awaitUninterruptibly")));
    }

    @Test
    void runtimeClockMovesForward() {
        long before = clock.runtimeNanos();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
        long spin = 0;
        while (clock.runtimeNanos() == before) {
            spin += Long.numberOfTrailingZeros(spin + System.nanoTime());
            assertTrue(System.nanoTime() - end < 0, "the runtime clock never moved");
        }
        assertTrue(clock.runtimeNanos() > before, "spun " + spin);
    }
}
