package io.jrump.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.TimeUnit;

/**
 * Waiting in a test for a state it expects (an lwp blocked, a counter reached, a pcb there, a port
 * listening) where nothing signals it: the state is probed until it holds. The deadline is generous,
 * so a loaded machine makes a test slower, never wrong; it bounds a failure and is nothing the test
 * relies on. The pause between probes is the polling interval (a millisecond), not a wait for
 * something to happen: a test waits for an event, or for a positive state that comes after the one it
 * must not see, never for time to pass.
 */
public final class Probe {
    /** How long a probed state may take before the test fails. */
    public static final long PATIENCE_SECONDS = 60;

    private Probe() {
    }

    /** A state to probe; it may make a system call or read a file. */
    @FunctionalInterface
    public interface State {
        boolean holds() throws Exception;
    }

    /** A value to probe for; null while it is not there yet. */
    @FunctionalInterface
    public interface Value<T> {
        T get() throws Exception;
    }

    /** Probes {@code state} until it holds; fails naming {@code what} after {@link #PATIENCE_SECONDS}. */
    public static void await(String what, State state) throws Exception {
        awaitValue(what, () -> state.holds() ? Boolean.TRUE : null);
    }

    /** Probes {@code value} until it is not null, and returns it; fails as {@link #await} does. */
    public static <T> T awaitValue(String what, Value<T> value) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
        for (;;) {
            T v = value.get();
            if (v != null) {
                return v;
            }
            if (System.nanoTime() - end > 0) {
                fail("timed out after " + PATIENCE_SECONDS + " s waiting for " + what);
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }

    /** Whether {@code t} is running {@code className.method} now: a frame of it is on its stack. */
    public static boolean inside(Thread t, String className, String method) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().equals(className) && e.getMethodName().equals(method)) {
                return true;
            }
        }
        return false;
    }
}
