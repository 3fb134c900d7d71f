package io.jrump.kern;

import io.jrump.hypercall.BufferConsole;
import io.jrump.hypercall.HostHypercall;
import io.jrump.hypercall.ManualClock;
import io.jrump.hypercall.SeededRandom;
import java.util.Map;

/** Boot helpers for rumpkern's own tests (the testkit extension cannot be used below it). */
public final class Kernels {
    private Kernels() {
    }

    public static KernelConfig.Builder config(String... components) {
        return KernelConfig.builder().ncpu(1).hostname("t")
                .hypercall(HostHypercall.builder().environment(Map.of()).console(new BufferConsole()).build())
                .component(components);
    }

    public static Kernel boot(String... components) throws BootException {
        return Kernel.boot(config(components).build());
    }

    public static Kernel bootManual(ManualClock clock, int ncpu) throws BootException {
        return Kernel.boot(KernelConfig.builder().ncpu(ncpu).hostname("t")
                .hypercall(HostHypercall.builder().environment(Map.of()).clock(clock)
                        .random(new SeededRandom(7)).console(new BufferConsole()).build())
                .build());
    }
}
