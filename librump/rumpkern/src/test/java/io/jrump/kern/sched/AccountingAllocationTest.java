package io.jrump.kern.sched;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jrump.hypercall.ManualClock;
import io.jrump.kern.Cred;
import io.jrump.kern.Kernel;
import io.jrump.kern.Kernels;
import io.jrump.kern.syscall.Syscalls;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * What the network half does per packet allocates nothing: a protocol charge span, a preemption point and a
 * syscall from user mode on a held CPU. Measured with the JVM's per-thread allocation counter over many
 * rounds, so one stray object per round would show as megabytes.
 */
class AccountingAllocationTest {
    private static final int ROUNDS = 200_000;

    @Test
    void perPacketSchedulingAllocatesNothing() throws Exception {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter on this JVM");
        com.sun.management.ThreadMXBean counter = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(counter.isThreadAllocatedMemorySupported(), "no per-thread allocation counter on this JVM");
        counter.setThreadAllocatedMemoryEnabled(true);
        Kernel k = Kernels.bootManual(new ManualClock(), 1);
        try {
            Proc p = k.newProcess("receiver", Cred.ROOT);
            Proc other = k.newProcess("other", Cred.ROOT);
            Syscalls sys = p.syscalls();
            Scheduler s = k.scheduler();
            long sink = 0;
            long allocated;
            try (UserCpu u = p.userCpu().enter()) {
                for (int i = 0; i < ROUNDS; i++) {
                    sink += round(sys, s, u, other);
                }
                long tid = Thread.currentThread().getId();
                long before = counter.getThreadAllocatedBytes(tid);
                for (int i = 0; i < ROUNDS; i++) {
                    sink += round(sys, s, u, other);
                }
                allocated = counter.getThreadAllocatedBytes(tid) - before;
            }
            assertTrue(sink > 0);
            assertTrue(other.protoNanos() > 0);
            assertTrue(allocated < ROUNDS / 10, allocated + " bytes allocated for " + ROUNDS + " rounds");
        } finally {
            k.halt();
        }
    }

    private static long round(Syscalls sys, Scheduler s, UserCpu u, Proc other) throws Exception {
        long r = sys.getpid();
        try (ProtoCharge c = s.chargeProto(other)) {
            s.preemptionPoint();
        }
        u.preemptionPoint();
        return r;
    }
}
