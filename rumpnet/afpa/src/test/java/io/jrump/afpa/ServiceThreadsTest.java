package io.jrump.afpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.BufferConsole;
import io.jrump.hypercall.HostHypercall;
import io.jrump.hypercall.KernelPanic;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.testkit.Probes;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The accelerator's service threads end when the kernel halts, whatever their work did: a halt that
 * waits for a thread that no longer exists never returns.
 */
class ServiceThreadsTest {
    @Test
    void aWorkItemThatPanicsStillLetsStopReturn() throws Exception {
        Kernel k = Kernel.boot(KernelConfig.builder().hostname("svc").ncpu(1)
                .hypercall(HostHypercall.builder().environment(Map.of()).console(new BufferConsole()).build())
                .build());
        try {
            ServiceThreads s = new ServiceThreads(k);
            s.resize(2);
            assertTrue(s.post(() -> {
                throw new KernelPanic("a broken invariant in a work item");
            }));
            Probes.await("the panicking thread to end", () -> s.threads() == 1);
            assertTrue(s.post(() -> { }));
            Probes.await("the other thread to run the next item", () -> s.done() == 1);
            Thread stopper = new Thread(s::stop, "stopper");
            stopper.setDaemon(true);
            stopper.start();
            stopper.join(Probes.PATIENCE_NANOS / 1_000_000);
            assertTrue(!stopper.isAlive(), "stop returned");
            assertEquals(0, s.threads());
        } finally {
            k.halt();
        }
    }
}
