package io.jrump.kern.sched;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.ManualClock;
import io.jrump.kern.Cred;
import io.jrump.kern.Kernel;
import io.jrump.kern.Kernels;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A process's {@code estcpu} grows by one per tick of CPU charged to it and decays once a second by
 * {@code 2*load/(2*load+1)}, and its priority follows ({@link Priority}, 4.4BSD's rule).
 */
class EstcpuDecayTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void theRule() {
        assertEquals(Priority.PUSER, Priority.user(0, 0));
        assertEquals(Priority.PUSER + 25 + 2 * 3, Priority.user(100, 3));
        assertEquals(Priority.MAXPRI, Priority.user(255, 20));
        assertEquals(0.0, Priority.decayFactor(0));
        assertEquals(2.0 / 3, Priority.decayFactor(1), 1e-12);
        assertEquals(4.0 / 5, Priority.decayFactor(2), 1e-12);
        assertEquals(90 * 2.0 / 3 + 1, Priority.decay(90, 1, 1), 1e-9);
        assertEquals(Priority.ESTCPU_MAX, Priority.decay(1000, 1000, 20), 1e-9);
    }

    @Test
    void chargesAccumulateAndADecayStepAppliesTheLoadFactor() throws Exception {
        Kernel k = Kernels.bootManual(new ManualClock(), 1);
        try {
            Proc p = k.newProcess("p", Cred.ROOT);
            long tick = SECOND / k.hz();
            p.charge(Proc.USER, 30 * tick);
            p.chargeProto(10 * tick + tick / 2);
            assertEquals(40, p.estcpu(), "one per tick of CPU, whatever its kind");
            assertEquals(Priority.PUSER + 10, p.priority());
            assertTrue(p.schedcpu(1.0));
            assertEquals(27, p.estcpu(), "40.5 * 2/3");
            assertTrue(p.schedcpu(2.0));
            assertEquals(21, p.estcpu(), "27 * 4/5");
            assertFalse(p.schedcpu(0.0), "no load: forgotten at once");
            assertEquals(Priority.PUSER, p.priority());
        } finally {
            assertTrue(k.halt().clean());
        }
    }

    /**
     * Under a manual clock: a user loop keeps the only CPU busy, so the load the scheduler samples each second
     * is one lwp, and its 1-minute average builds up as {@code 1 - e^(-t/60)}; a process charged 100 ticks is
     * then decayed by the factor of that load when the next second passes; an idle kernel decays every
     * process to nothing and then stops the clock.
     */
    @Test
    void onceASecondByTheSampledLoad() throws Exception {
        ManualClock clock = new ManualClock();
        Kernel k = Kernels.bootManual(clock, 1);
        AtomicBoolean stop = new AtomicBoolean();
        Thread t = null;
        try {
            Proc p = k.newProcess("p", Cred.ROOT);
            Proc busy = k.newProcess("busy", Cred.ROOT);
            CountDownLatch running = new CountDownLatch(1);
            t = new Thread(() -> {
                try (UserCpu u = busy.userCpu().enter()) {
                    running.countDown();
                    while (!stop.get()) {
                        u.preemptionPoint();
                    }
                }
            });
            t.start();
            assertTrue(running.await(20, TimeUnit.SECONDS));
            int seconds = 30;
            for (int i = 0; i < seconds; i++) {
                clock.advance(SECOND);
            }
            double expected = 1 - Math.exp(-seconds / 60.0);
            assertEquals(expected, k.scheduler().loadAverage()[0], 1e-9, "one runnable lwp at every sample");
            long tick = SECOND / k.hz();
            p.charge(Proc.SYS, 100 * tick);
            clock.advance(SECOND);
            double load = k.scheduler().loadAverage()[0];
            assertEquals(1 - Math.exp(-(seconds + 1) / 60.0), load, 1e-9);
            assertEquals((int) (100 * Priority.decayFactor(load)), p.estcpu());
            assertTrue(busy.userNanos() > 0, "the user loop's CPU is charged while it keeps its CPU");
            stop.set(true);
            t.join(20_000);
            int quiet = 0;
            while (clock.nextDeadline() != Long.MAX_VALUE) {
                assertTrue(++quiet < 600, "the decay never stopped");
                clock.advance(SECOND);
            }
            assertEquals(0, p.estcpu(), "nothing runnable: estcpu decays to nothing");
            assertEquals(0, busy.estcpu());
            assertEquals(Priority.PUSER, busy.priority());
        } finally {
            stop.set(true);
            if (t != null) {
                t.join(20_000);
            }
            assertTrue(k.halt().clean());
        }
    }
}
