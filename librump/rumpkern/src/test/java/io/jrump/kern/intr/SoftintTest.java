package io.jrump.kern.intr;

import io.jrump.kern.Kernel;
import io.jrump.kern.Kernels;
import io.jrump.kern.Probes;
import io.jrump.kern.sched.Cpu;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SoftintTest {
    private Kernel k;

    @BeforeEach
    void boot() throws Exception {
        k = Kernels.boot();
    }

    @AfterEach
    void halt() {
        assertTrue(k.halt().clean());
    }

    @Test
    void softintRunsSoonOnACpuOfTheKernel() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        Cpu[] on = new Cpu[1];
        Softint s = k.softints().establish("net", Softint.NET, () -> {
            on[0] = k.curcpu();
            done.countDown();
        });
        k.softints().schedule(s);
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertSame(k.scheduler().cpu(0), on[0]);
    }

    /**
     * A receive thread's interrupt tail: what the thread schedules waits for it (no softint thread is woken),
     * runs once on that thread holding a CPU, or on CPU 0's softint thread when deferred, and after the tail
     * is closed goes to CPU 0's softint thread.
     */
    @Test
    void anInterruptTailRunsWhatItsThreadScheduledOnThatThread() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        List<Cpu> on = new CopyOnWriteArrayList<>();
        Softint s = k.softints().establish("net", Softint.NET, () -> {
            ran.add(Thread.currentThread().getName());
            on.add(k.curcpu());
        });
        List<String> seen = new CopyOnWriteArrayList<>();
        Thread rx = new Thread(() -> {
            Softints.InterruptTail tail = k.softints().interruptTail("rx");
            k.softints().schedule(s);
            k.softints().schedule(s);
            // had either call gone to CPU 0's softint thread, it would be pending or running there, or have run
            seen.add("before run: " + ran + (k.scheduler().cpu(0).softints.busy() ? " and a softint thread has it" : ""));
            tail.run();
            seen.add("after run: " + ran);
            tail.run();
            seen.add("again: " + ran);
            k.softints().schedule(s);
            tail.defer();
            seen.add("deferred: " + Probes.within(() -> ran.size() == 2));
            tail.close();
            k.softints().schedule(s);
        }, "test rx");
        rx.start();
        rx.join(10_000);
        assertTrue(Probes.within(() -> ran.size() == 3), "ran " + ran);
        assertEquals(List.of("before run: []", "after run: [test rx]", "again: [test rx]", "deferred: true"), seen);
        assertNotNull(on.get(0), "the tail holds a CPU while the handler runs");
        for (int i = 1; i < 3; i++) {
            assertNotEquals("test rx", ran.get(i), "deferred, then after close: a softint thread");
            assertSame(k.scheduler().cpu(0), on.get(i));
        }
    }

    @Test
    void pendingSoftintIsScheduledOnceAndHigherLevelsRunFirst() throws Exception {
        List<String> ran = new ArrayList<>();
        CountDownLatch gate = new CountDownLatch(1);
        Softint blocker = k.softints().establish("blocker", Softint.SERIAL, () -> {
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Softint clock = k.softints().establish("clock", Softint.CLOCK, () -> ran.add("clock"));
        Softint net = k.softints().establish("net", Softint.NET, () -> ran.add("net"));
        k.softints().schedule(blocker);
        while (blocker.runs() == 0) {
            Thread.onSpinWait();
        }
        for (int i = 0; i < 3; i++) {
            k.softints().schedule(clock);
            k.softints().schedule(net);
        }
        gate.countDown();
        k.softints().drain();
        assertEquals(List.of("net", "clock"), ran, "coalesced, and NET outranks CLOCK");
    }

    /**
     * A softint that schedules itself again on the CPU it runs on keeps all four CPUs' softint threads
     * running it at once, and a failing one fails on all of them: every run and every failure is counted,
     * none lost to a race between CPUs.
     */
    @Test
    void runsAndFailuresOnManyCpusAtOnceAreAllCounted() throws Exception {
        Kernel k4 = Kernel.boot(Kernels.config().ncpu(4).build());
        try {
            int perCpu = 50_000;
            AtomicLong handled = new AtomicLong();
            AtomicLong thrown = new AtomicLong();
            Softint[] self = new Softint[2];
            self[0] = k4.softints().establish("again", Softint.NET, () -> {
                if (handled.incrementAndGet() <= 4L * perCpu) {
                    k4.softints().scheduleOn(self[0], k4.curcpu().index());
                }
            });
            self[1] = k4.softints().establish("bad", Softint.NET, () -> {
                if (thrown.incrementAndGet() <= 4L * perCpu / 10) {
                    k4.softints().scheduleOn(self[1], k4.curcpu().index());
                }
                throw new IllegalStateException("malformed");
            });
            for (int cpu = 0; cpu < 4; cpu++) {
                k4.softints().scheduleOn(self[0], cpu);
                k4.softints().scheduleOn(self[1], cpu);
            }
            k4.softints().drain();
            assertTrue(handled.get() > 4L * perCpu && thrown.get() > 4L * perCpu / 10, handled + " " + thrown);
            assertEquals(handled.get(), self[0].runs(), "every run counted");
            assertEquals(thrown.get(), self[1].runs(), "every run counted");
            assertEquals(thrown.get(), k4.softints().failures(), "every failure counted");
        } finally {
            assertTrue(k4.halt().clean());
        }
    }

    @Test
    void throwingHandlerIsCountedAndLaterSoftintsStillRun() throws Exception {
        Softint bad = k.softints().establish("bad", Softint.NET, () -> {
            throw new IllegalArgumentException("malformed");
        });
        int[] good = {0};
        Softint ok = k.softints().establish("ok", Softint.NET, () -> good[0]++);
        k.softints().schedule(bad);
        k.softints().drain();
        k.softints().schedule(ok);
        k.softints().drain();
        assertEquals(1, k.softints().failures());
        assertEquals(1, good[0]);
    }
}
