package io.jrump.kern.syscall;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import java.lang.management.ManagementFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An in-process syscall allocates nothing: the generated stub fills the calling lwp's own argument
 * block and the local transport dispatches it through the table. Measured with the JVM's per-thread
 * allocation counter over many calls, so one stray object per call would show as megabytes.
 */
class LocalSyscallAllocationTest {
    private static final int CALLS = 200_000;

    @Test
    void localCallsAllocateNothingPerCall() throws Exception {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter on this JVM");
        com.sun.management.ThreadMXBean counter = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(counter.isThreadAllocatedMemorySupported(), "no per-thread allocation counter on this JVM");
        counter.setThreadAllocatedMemoryEnabled(true);
        Kernel k = Kernel.boot(KernelConfig.builder().hypercall(HostHypercall.builder().environment(Map.of()).build())
                .build());
        try {
            Syscalls sys = k.syscalls();
            long sink = 0;
            for (int i = 0; i < CALLS; i++) {
                sink += sys.getpid() + sys.getuid() + sys.getppid();
            }
            long tid = Thread.currentThread().getId();
            long before = counter.getThreadAllocatedBytes(tid);
            for (int i = 0; i < CALLS; i++) {
                sink += sys.getpid() + sys.getuid() + sys.getppid();
            }
            long allocated = counter.getThreadAllocatedBytes(tid) - before;
            assertTrue(sink > 0);
            assertTrue(allocated < CALLS / 10, allocated + " bytes allocated for " + 3 * CALLS + " calls");
        } finally {
            k.halt();
        }
    }
}
