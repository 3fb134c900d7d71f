package io.jrump.kern;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
