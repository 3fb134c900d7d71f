package io.jrump.sysproxy;

import static org.junit.jupiter.api.Assertions.fail;

import io.jrump.kern.sched.Lwp;
import io.jrump.kern.sched.Proc;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for a state a test can observe (an lwp asleep in the kernel, a connection gone) instead of
 * for time to pass: it checks the state until it holds, with a deadline generous enough for a loaded
 * machine, and fails naming what it waited for.
 */
public final class Probe {
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(30);

    private Probe() {
    }

    public static void await(BooleanSupplier state, String what) {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (!state.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("gave up waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** How many lwps of {@code p} sleep in the kernel now; 0 once the process is gone. */
    public static long asleep(Proc p) {
        return p == null ? 0 : p.lwps().stream().filter(Lwp::sleeping).count();
    }
}
