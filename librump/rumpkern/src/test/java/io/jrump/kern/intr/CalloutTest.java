package io.jrump.kern.intr;

import io.jrump.kern.Kernel;
import io.jrump.kern.Kernels;
import io.jrump.kern.sched.Cpu;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.ManualClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CalloutTest {
    private static final long MS = 1_000_000L;
    private final ManualClock clock = new ManualClock();
    private Kernel k;
    private final List<String> fired = new ArrayList<>();

    @BeforeEach
    void boot() throws Exception {
        k = Kernels.bootManual(clock, 2);
    }

    @AfterEach
    void halt() {
        assertTrue(k.halt().clean());
    }

    private Callout callout(String name) {
        return k.callouts().create(name, () -> {
            synchronized (fired) {
                fired.add(name + "@" + k.callouts().ticks());
            }
        });
    }

    @Test
    void calloutsFireInDeadlineOrderWhenTheClockPassesThem() {
        Callout a = callout("a");
        Callout b = callout("b");
        Callout c = callout("c");
        c.schedule(30);
        a.schedule(10);
        b.schedule(20);
        clock.advance(95 * MS);
        assertEquals(List.of(), fired, "nothing is due before 100 ms (10 ticks at hz=100)");
        clock.advance(5 * MS);
        assertEquals(List.of("a@10"), fired);
        clock.advance(1000 * MS);
        assertEquals(List.of("a@10", "b@20", "c@30"), fired);
        assertTrue(a.expired());
        assertFalse(a.pending());
    }

    @Test
    void stoppedCalloutDoesNotFireAndRescheduleMovesIt() {
        Callout a = callout("a");
        Callout b = callout("b");
        a.schedule(5);
        b.schedule(5);
        assertTrue(a.stop());
        assertFalse(a.stop(), "stopping twice reports it was not pending");
        b.schedule(50);
        clock.advance(100 * MS);
        assertEquals(List.of(), fired);
        clock.advance(400 * MS);
        assertEquals(List.of("b@50"), fired);
    }

    @Test
    void calloutCanRescheduleItselfAndFarTimersSurviveWheelWraps() {
        int[] count = {0};
        Callout[] self = new Callout[1];
        self[0] = k.callouts().create("tick", () -> {
            if (++count[0] < 5) {
                self[0].schedule(1);
            }
        });
        self[0].schedule(1);
        Callout far = callout("far");
        far.schedule(1000);
        clock.advance(60 * MS);
        assertEquals(5, count[0]);
        clock.advance(9_000 * MS);
        assertEquals(List.of(), fired, "1000 ticks is 10 s; the wheel has 256 slots");
        clock.advance(1_000 * MS);
        assertEquals(List.of("far@1000"), fired);
    }

    @Test
    void nanosecondDelaysRoundUpToTicks() {
        callout("x").scheduleNanos(1);
        clock.advance(9 * MS);
        assertEquals(List.of(), fired);
        clock.advance(1 * MS);
        assertEquals(List.of("x@1"), fired);
    }

    @Test
    void calloutRunsOnAVirtualCpuAsKernelCode() {
        Cpu[] on = new Cpu[1];
        k.callouts().create("where", () -> on[0] = k.curcpu()).schedule(1);
        clock.advance(10 * MS);
        assertNotNull(on[0], "a callout holds a CPU while it runs");
    }

    @Test
    void throwingCalloutIsReportedAndTheClockGoesOn() {
        k.callouts().create("bad", () -> {
            throw new IllegalStateException("boom");
        }).schedule(1);
        callout("good").schedule(2);
        clock.advance(20 * MS);
        assertEquals(List.of("good@2"), fired);
    }
}
