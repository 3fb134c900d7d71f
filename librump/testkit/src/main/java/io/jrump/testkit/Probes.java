package io.jrump.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import io.jrump.hypercall.ManualClock;
import io.jrump.kern.Kernel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waiting for a state, not for time: a condition reached, a thread asleep in the kernel, kernels idle.
 * Tests never wait on the wall clock to "let things happen"; they wait here, with a generous bound, for
 * what they expect. A check that something has <em>not</em> happened is made once the thread that would do
 * it is known to sleep where it should, which no loaded machine can make false.
 */
public final class Probes {
    /** A generous bound for what must happen; tests never assert how fast it happens. */
    public static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** How often a probe looks again; it waits for a state, this is only how often it checks. */
    private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

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

    /** Waits until {@code condition} holds; fails the test, naming {@code what}, after the patience. */
    public static void await(String what, BooleanSupplier condition) {
        if (!within(condition)) {
            fail("timed out waiting for " + what);
        }
    }

    /** A state to probe that a system call or a file read tells: its exception fails the test. */
    @FunctionalInterface
    public interface Check {
        boolean holds() throws Exception;
    }

    /** A value to probe for, null while it is not there yet; its exception fails the test. */
    @FunctionalInterface
    public interface Value<T> {
        T get() throws Exception;
    }

    /** {@link #await} for a probe that may throw. */
    public static void awaitChecked(String what, Check condition) throws Exception {
        awaitValue(what, () -> condition.holds() ? Boolean.TRUE : null);
    }

    /** Waits until {@code value} is not null and returns it; fails the test, naming {@code what}, after the patience. */
    public static <T> T awaitValue(String what, Value<T> value) throws Exception {
        long end = System.nanoTime() + PATIENCE_NANOS;
        for (T v; ; LockSupport.parkNanos(POLL_NANOS)) {
            if ((v = value.get()) != null) {
                return v;
            }
            if (System.nanoTime() - end > 0) {
                fail("timed out waiting for " + what);
            }
        }
    }

    /**
     * Waits until {@code t} sleeps on a condition variable of the hypercall layer, waited on directly by one
     * of {@code where} (so not on a mutex, nor for a CPU on its way back from a sleep). A {@code where} is a
     * class's simple name, nested classes after a {@code $}, or such a name and a method:
     * {@code "KCondVar"} for a kernel sleep ({@code cv_wait}), {@code "SelInfo$Waiter.sleep"} for
     * {@code poll}.
     */
    public static void awaitSleepingIn(Thread t, String... where) {
        await(t.getName() + " asleep in " + List.of(where), () -> sleepingIn(t, where));
    }

    /**
     * As {@link #awaitSleepingIn(Thread, String...)}, and {@code t} has seen {@code clock}'s present time:
     * after an advance, it has looked at the new time and gone on sleeping, so its deadline is still ahead.
     */
    public static void awaitSleepingIn(ManualClock clock, Thread t, String... where) {
        await(t.getName() + " asleep in " + List.of(where) + " at the present time",
                () -> clock.sleeping(t) && sleepingIn(t, where));
    }

    /** Whether every one of {@code kernels} is doing nothing this instant (see {@code Scheduler.idle}). */
    public static boolean idle(List<Kernel> kernels) {
        for (Kernel k : kernels) {
            if (!k.scheduler().idle()) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code t} waits, with or without a timeout, or has ended: it is not running. */
    public static boolean parked(Thread t) {
        Thread.State st = t.getState();
        return st == Thread.State.WAITING || st == Thread.State.TIMED_WAITING || st == Thread.State.TERMINATED;
    }

    private static boolean sleepingIn(Thread t, String[] where) {
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
            String method = simple + "." + f.getMethodName();
            for (String w : where) {
                if (simple.equals(w) || method.equals(w)) {
                    return t.getState() == st;
                }
            }
            return false;
        }
        return false;
    }
}
