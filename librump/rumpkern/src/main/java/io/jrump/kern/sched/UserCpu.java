package io.jrump.kern.sched;

import io.jrump.hypercall.HyperThreads;

/**
 * User-level code of a process holding a virtual CPU, as a program on a real machine holds the processor
 * between its system calls. A rump kernel's callers normally hold a CPU only inside a syscall, so their own
 * computing runs beside the kernel on a free host core; an experiment that compares where receive work runs
 * (LRP against eager interrupt-driven input, issue 18, seed 003) needs the application's work to compete for
 * the same CPUs as protocol processing, at its process's priority, and to be preempted by interrupts.
 *
 * <p>{@link #enter} binds the calling host thread to an lwp of the process and takes a CPU at the process's
 * {@linkplain Proc#priority priority}; the time until {@link #close} is charged to the process as user time
 * ({@link Proc#userNanos}), except the syscalls it makes meanwhile, which run on the same lwp and CPU and are
 * charged as system time. Each syscall boundary is a preemption point, and so is {@link #preemptionPoint},
 * which a long computation calls now and then: there the CPU goes to pending interrupt work or to a waiting
 * lwp of higher priority ({@link Scheduler#preemptionPoint}). Between preemption points nothing takes the
 * CPU away; a sleep inside a syscall gives it up as usual.
 *
 * <pre>{@code
 * UserCpu u = proc.userCpu();            // the calling thread's, made once
 * try (UserCpu cpu = u.enter()) {
 *     for (;;) {
 *         int n = proc.syscalls().recvfrom(s, buf, 0, null);
 *         for (...) { work(); cpu.preemptionPoint(); }
 *     }
 * }
 * }</pre>
 * One per host thread and process; not for use from another thread. Entries nest.
 */
public final class UserCpu implements AutoCloseable {
    private final Lwp lwp;
    private final Scheduler sched;
    private final HyperThreads threads;
    private Object saved;
    private int entries;

    UserCpu(Proc p, String name) {
        this.lwp = p.newLwp(name);
        this.sched = p.kernel().scheduler();
        this.threads = p.kernel().hypercall().threads();
    }

    /** The lwp this thread's user code runs as. */
    public Lwp lwp() {
        return lwp;
    }

    /** Takes a virtual CPU (waiting for one at the process's priority) and enters user mode on it. */
    public UserCpu enter() {
        if (entries++ > 0) {
            return this;
        }
        saved = threads.curLwp();
        threads.setCurLwp(lwp);
        lwp.userMode = true;
        sched.schedule(lwp, null);
        lwp.userNow = true;
        return this;
    }

    /**
     * Gives the CPU to pending interrupt work or a waiting lwp of higher priority, if any, and waits to get
     * one back; else returns at once (a volatile read or two). Returns whether it gave the CPU up.
     */
    public boolean preemptionPoint() {
        return sched.preemptionPoint(lwp);
    }

    /** Leaves user mode and gives the CPU back; the thread is bound again to whatever it was before. */
    @Override
    public void close() {
        if (entries == 0) {
            throw new IllegalStateException("user CPU of " + lwp + " closed more than entered");
        }
        if (--entries > 0) {
            return;
        }
        sched.unschedule(lwp);
        lwp.userNow = false;
        lwp.userMode = false;
        threads.setCurLwp(saved);
        saved = null;
    }
}
