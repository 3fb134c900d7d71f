package io.jrump.netinet.lrp;

import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Proc;

/**
 * Where Lazy Receiver Processing bills protocol work and learns whom to serve first: the seam between
 * the network stack and the kernel's scheduler. Protocol processing done for a socket is charged to the
 * process that owns it, and asynchronous processing serves the socket whose owner has the best priority
 * first, so that a process that floods itself decays and falls behind (seed 003, with 4.4BSD's
 * {@code estcpu} rule deciding the priority).
 */
public interface LrpAccounting {
    /**
     * {@code nanos} of protocol processing done for process {@code pid}; {@code onItsLwp} when it ran on
     * that process's own lwp (UDP inside {@code recv}), whose CPU time the scheduler already charges, so
     * that only the protocol share is to be recorded.
     */
    void protocolTime(int pid, long nanos, boolean onItsLwp);

    /** The scheduling priority of process {@code pid}: lower is better, as in BSD. */
    int priority(int pid);

    /** The accounting a kernel without a priority scheduler has: CPU time charged to the process. */
    static LrpAccounting basic(Kernel k) {
        return new LrpAccounting() {
            @Override
            public void protocolTime(int pid, long nanos, boolean onItsLwp) {
                if (onItsLwp) {
                    return;
                }
                Proc p = k.proc(pid);
                if (p != null) {
                    p.charge(nanos);
                }
            }

            @Override
            public int priority(int pid) {
                return 0;
            }
        };
    }
}
