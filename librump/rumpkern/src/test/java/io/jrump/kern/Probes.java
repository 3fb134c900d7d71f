package io.jrump.kern;

import static org.junit.jupiter.api.Assertions.fail;

import io.jrump.hypercall.ManualClock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waiting for a state, not for time, in rumpkern's own tests (the testkit's {@code Probes} cannot be used
 * below it): a condition reached, a thread asleep in the kernel. A check that something has not happened
 * is made once the thread that would do it is known to sleep where it should.
 */
public final class Probes {
    /** A generous bound for what must happen; tests never assert how fast it happens. */
    public static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(20);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private Probes() {
    }

    /** Whether {@code condition} comes to hold within the patience. */
    public static boolean within(BooleanSupplier condition) {
        long end = System.nanoTime() + PATIENCE_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                return false;
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        return true;
    }

    /** Waits until {@code condition} holds; fails the test after the patience. */
    public static void await(String what, BooleanSupplier condition) {
        if (!within(condition)) {
            fail("timed out waiting for " + what);
        }
    }

    /**
     * Waits until {@code t} sleeps on a condition variable of the hypercall layer, waited on directly by
     * {@code where} (so not on a mutex, nor for a CPU on its way back from a sleep): a class's simple name,
     * nested classes after a {@code $}, or such a name and a method, as {@code "SelInfo$Waiter.sleep"}.
     */
    public static void awaitSleepingIn(Thread t, String where) {
        await(t.getName() + " asleep in " + where, () -> sleepingIn(t, where));
    }

    /**
     * As {@link #awaitSleepingIn(Thread, String)}, and {@code t} has seen {@code clock}'s present time:
     * after an advance, it has looked at the new time and gone on sleeping.
     */
    public static void awaitSleepingIn(ManualClock clock, Thread t, String where) {
        await(t.getName() + " asleep in " + where + " at the present time",
                () -> clock.sleeping(t) && sleepingIn(t, where));
    }

    private static boolean sleepingIn(Thread t, String where) {
        Thread.State st = t.getState();
        if (st != Thread.State.WAITING && st != Thread.State.TIMED_WAITING) {
            return false;
        }
        int ours = 0;
        for (StackTraceElement f : t.getStackTrace()) {
            String cls = f.getClassName();
            if (!cls.startsWith("io.jrump.")) {
                continue;
            }
            String simple = cls.substring(cls.lastIndexOf('.') + 1);
            if (ours++ == 0) {
                if (!simple.equals("HostSync$CondVar")) {
                    return false;
                }
                continue;
            }
            return (simple.equals(where) || (simple + "." + f.getMethodName()).equals(where)) && t.getState() == st;
        }
        return false;
    }
}
