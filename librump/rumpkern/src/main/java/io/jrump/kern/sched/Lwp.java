package io.jrump.kern.sched;

import io.jrump.kern.file.SelInfo;
import io.jrump.kern.intr.Softints;
import io.jrump.kern.syscall.SyscallArgs;

/**
 * A light-weight process ({@code struct lwp}): the kernel's view of one host thread while it runs
 * kernel code for a process. It is bound to its host thread through the hypercall layer
 * ({@code rumpuser_curlwpop}), holds at most one virtual CPU, and may be killed while it sleeps.
 */
public final class Lwp {
    /**
     * What one lwp of a client process costs the host: the {@code Lwp}, its reusable syscall argument
     * block and the thread-local entry that binds it to its host thread. Measured as 354 bytes per lwp
     * over 50,000 ({@code KernelMemoryFootprintTest} checks it).
     */
    public static final long KMEM_BYTES = 352;
    /** The kernel memory account of lwps. */
    public static final String KMEM_TYPE = "lwp";

    private final Proc proc;
    /** Whether this lwp's memory is charged to its process's kernel; guarded by the process's lwp set. */
    boolean charged;
    private final int lid;
    private final String name;
    private Cpu cpu;
    private Cpu lastCpu;
    private int nesting;
    private long chargeStart;
    private volatile boolean killed;
    private volatile Runnable waker;
    /** This lwp's reusable syscall argument block. */
    public final SyscallArgs args = new SyscallArgs();
    /** The binding the host thread had before this lwp entered the kernel, restored on return. */
    public Object saved;
    private SelInfo.Waiter pollWaiter;
    /** Set on an interrupt thread's lwp whose softints run at its tail ({@link Softints.InterruptTail}). */
    public volatile Softints.InterruptTail tail;

    Lwp(Proc proc, int lid, String name) {
        this.proc = proc;
        this.lid = lid;
        this.name = name;
    }

    public Proc proc() {
        return proc;
    }

    public int lid() {
        return lid;
    }

    public String name() {
        return name;
    }

    /** The virtual CPU this lwp holds, or null while it is not running kernel code. */
    public Cpu cpu() {
        return cpu;
    }

    public boolean killed() {
        return killed;
    }

    /** Marks the lwp as killed and wakes it if it sleeps; its sleep returns EINTR. */
    public void kill() {
        killed = true;
        Runnable w = waker;
        if (w != null) {
            w.run();
        }
    }

    /**
     * Set while the lwp sleeps: how to wake it if it is killed. The sleeper sets it before it checks
     * {@link #killed()}, and {@link #kill()} sets the flag before it reads the waker, so one of the two
     * always sees the other.
     */
    public void setWaker(Runnable w) {
        this.waker = w;
    }

    /**
     * Whether the lwp sleeps in the kernel now (on a condition variable, in {@code poll}, or in a host
     * call that may block), where {@link #kill} would wake it: what a test probes for "blocked".
     */
    public boolean sleeping() {
        return waker != null;
    }

    /** The lwp's {@code poll} sleep, reused so that repeated polls register one waiter per file. */
    public SelInfo.Waiter pollWaiter() {
        if (pollWaiter == null) {
            pollWaiter = new SelInfo.Waiter(proc.kernel().hypercall().sync());
        }
        return pollWaiter;
    }

    Cpu lastCpu() {
        return lastCpu;
    }

    void onCpu(Cpu c, long cpuClock) {
        this.cpu = c;
        this.lastCpu = c;
        this.chargeStart = cpuClock;
    }

    /** Leaves the CPU and returns the CPU time used since {@link #onCpu}. */
    long offCpu(long cpuClock) {
        this.cpu = null;
        return cpuClock - chargeStart;
    }

    public int nesting() {
        return nesting;
    }

    void setNesting(int n) {
        this.nesting = n;
    }

    @Override
    public String toString() {
        return proc.pid() + "." + lid + " (" + name + ")";
    }
}
