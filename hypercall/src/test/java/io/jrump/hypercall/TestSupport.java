package io.jrump.hypercall;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Small helpers shared by the hypercall tests: run something on another host thread, wait for a condition
 * or for a thread to block where a test expects it to.
 */
final class TestSupport {
    /** A generous bound for things that must happen; tests never assert how fast they happen. */
    static final long PATIENCE_SECONDS = 10;
    static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
    /** How often a probe looks again; it waits for a state, this is only how often it checks. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private TestSupport() {
    }

    /** Runs {@code body} on a new thread of {@code threads}, waits for it, and returns its result. */
    static <T> T onOtherThread(HyperThreads threads, Callable<T> body) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        HyperThread t = threads.create("test-helper", () -> {
            try {
                result.complete(body.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw e;
        } catch (TimeoutException e) {
            t.interrupt();
            throw new AssertionError("helper thread did not finish", e);
        }
    }

    /** What {@code body} throws when run on another thread, or null if it returns normally. */
    static Throwable thrownOnOtherThread(HyperThreads threads, Runnable body) throws Exception {
        return onOtherThread(threads, () -> {
            try {
                body.run();
                return null;
            } catch (Throwable e) {
                return e;
            }
        });
    }

    /** Polls {@code condition} until it holds; fails after a generous timeout. */
    static void eventually(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + PATIENCE_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                fail("timed out waiting for: " + what);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /** The host thread behind a thread of {@link HostThreads}. */
    static Thread hostThread(HyperThread t) {
        return ((HostThreads.Handle) t).thread();
    }

    /**
     * Waits until {@code t} is blocked (waiting, with or without a timeout) in {@code where}, a method named
     * as {@code Class.method} with nested classes after a {@code $}: the innermost frame of this project's
     * code on its stack. A check that something has <em>not</em> happened yet is made once the thread that
     * would do it is known to be blocked there, not after letting time pass.
     */
    static void awaitBlockedIn(Thread t, String where) {
        eventually(t.getName() + " blocked in " + where, () -> blockedIn(t, where));
    }

    static void awaitBlockedIn(HyperThread t, String where) {
        awaitBlockedIn(hostThread(t), where);
    }

    private static boolean blockedIn(Thread t, String where) {
        Thread.State st = t.getState();
        if (st != Thread.State.WAITING && st != Thread.State.TIMED_WAITING) {
            return false;
        }
        for (StackTraceElement f : t.getStackTrace()) {
            if (f.getClassName().startsWith("io.jrump.")) {
                String at = f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName();
                return at.equals(where) && t.getState() == st;
            }
        }
        return false;
    }
}
