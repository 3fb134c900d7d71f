package io.jrump.hypercall;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** Small helpers shared by the hypercall tests: run something on another host thread, wait for a condition. */
final class TestSupport {
    /** A generous bound for things that must happen; tests never assert how fast they happen. */
    static final long PATIENCE_SECONDS = 10;
    static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);

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
    static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + PATIENCE_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                fail("timed out waiting for: " + what);
            }
            Thread.sleep(5);
        }
    }

    /** Lets real time pass, for checks that something has <em>not</em> happened yet. */
    static void letTimePass() throws InterruptedException {
        Thread.sleep(150);
    }
}
