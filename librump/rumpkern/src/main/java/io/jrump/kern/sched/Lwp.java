package io.jrump.kern.sched;

import io.jrump.kern.file.SelInfo;
import io.jrump.kern.intr.Softints;
import io.jrump.kern.syscall.SyscallArgs;

/**
 * A light-weight process ({@code struct lwp}): the kernel's view of one host thread while it runs
 * kernel code for a process. It is bound to its host thread through the hypercall layer
 * ({@code rumpuser_curlwpop}), holds at most one virtual CPU, and may be killed while it sleeps.
 *
 * <p>It competes for a CPU at its {@link #priority}: interrupt level for softint and clock lwps, a fixed one
 * for kernel threads, else its process's ({@link Proc#priority}), or, while it does protocol work for another
 * process ({@link Scheduler#chargeProto}), that process's. The time it holds a CPU is charged to its process,
 * or to the one it works for, as system, user or protocol time ({@link Proc#charge(int, long)}).
 */
public final class Lwp {
    /**
     * What one lwp of a client process costs the host: the {@code Lwp}, its reusable syscall argument
     * block, its scheduling state and the thread-local entry that binds it to its host thread. Measured as
     * 398 bytes per lwp over 20,000 ({@code KernelMemoryFootprintTest} checks it).
     */
    public static final long KMEM_BYTES = 400;
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
    /** When it last took a CPU: its quantum among lwps of equal priority runs from here. */
    long onCpuSince;
    /** {@link Priority#INTERRUPT} for interrupt lwps, a kernel thread's fixed priority, or -1: its process's. */
    private volatile int fixedPriority = -1;
    /** While it works for another process ({@link Scheduler#chargeProto}): that process, whose priority it takes. */
    volatile Proc worksFor;
    /** How its CPU time is charged while it is not in user mode: {@link Proc#SYS} or {@link Proc#PROTO}. */
    int chargeKind = Proc.SYS;
    /** In user mode holding a CPU ({@link UserCpu}) and not inside a syscall: its time is user time. */
    boolean userNow;
    /** Holds a CPU through {@link UserCpu}, so that syscall boundaries are preemption points. */
    boolean userMode;
    /** The CPU it waits for, if bound; and its place in the line among equals (guarded by the scheduler's lock). */
    Cpu waitBound;
    long waitSeq;
    private ProtoCharge protoCharge;
    private volatile boolean killed;
    private volatile Runnable waker;
    /** This lwp's reusable syscall argument block. */
    public final SyscallArgs args = new SyscallArgs();
    /** The binding the host thread had before this lwp entered the kernel, restored on return. */
    public Object saved;
    private SelInfo.Waiter pollWaiter;
    /** Set on an interrupt thread's lwp whose softints run at its tail ({@link Softints.InterruptTail}). */
    public volatile Softints.InterruptTail tail;
    /** Inside an outermost system call entered through {@code ProcSyscalls}; its own thread only. */
    private boolean inSyscall;
    /** Interrupt tails its thread runs when that system call returns ({@link #runAtReturn}); its own thread only. */
    private Softints.InterruptTail[] atReturn;
    private int natReturn;

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

    /**
     * The priority it competes for a virtual CPU at; lower is more urgent ({@link Priority}): interrupt level
     * if it is an interrupt lwp, else that of the process it does protocol work for if any
     * ({@link Scheduler#chargeProto}, even on a kernel thread of a fixed priority), else its fixed priority,
     * else its process's. Read by other threads when they choose whom to hand a CPU to.
     */
    public int priority() {
        int f = fixedPriority;
        if (f == Priority.INTERRUPT) {
            return f;
        }
        Proc w = worksFor;
        if (w != null) {
            return w.priority();
        }
        return f >= 0 ? f : proc.priority();
    }

    /** Whether it runs at interrupt level (a softint or clock lwp): it takes a CPU before any other lwp. */
    public boolean interrupt() {
        return fixedPriority == Priority.INTERRUPT;
    }

    /**
     * Fixes its priority ({@link Priority}; {@link Priority#INTERRUPT} makes it an interrupt-level lwp), or with
     * -1 lets it follow its process's again.
     */
    public void setPriority(int priority) {
        if (priority < -1 || priority > Priority.MAXPRI) {
            throw new IllegalArgumentException("priority " + priority);
        }
        this.fixedPriority = priority;
    }

    /**
     * Charges all of its kernel time as {@code kind}: {@link Proc#PROTO} for a protocol thread, {@link Proc#SYS}
     * otherwise. Set by its own thread, or before it runs.
     */
    public void setChargeKind(int kind) {
        if (kind != Proc.SYS && kind != Proc.PROTO) {
            throw new IllegalArgumentException("charge kind " + kind);
        }
        this.chargeKind = kind;
    }

    /** Its reusable {@link Scheduler#chargeProto} scope; only its own thread uses it. */
    ProtoCharge protoCharge() {
        if (protoCharge == null) {
            protoCharge = new ProtoCharge(this);
        }
        return protoCharge;
    }

    void onCpu(Cpu c, long cpuClock) {
        this.cpu = c;
        this.lastCpu = c;
        this.chargeStart = cpuClock;
        this.onCpuSince = cpuClock;
    }

    /** Leaves the CPU, charging the time used since the last charge. */
    void offCpu(long cpuClock) {
        account(cpuClock);
        this.cpu = null;
    }

    /**
     * Charges the CPU time since the last charge to the process it works for (its own unless
     * {@link #worksFor}): as protocol time in a protocol span or on a protocol thread, else as user time in
     * user mode, else as system time.
     */
    void account(long cpuClock) {
        long d = cpuClock - chargeStart;
        chargeStart = cpuClock;
        if (d > 0) {
            Proc w = worksFor;
            int kind = chargeKind == Proc.PROTO ? Proc.PROTO : userNow ? Proc.USER : Proc.SYS;
            (w != null ? w : proc).charge(kind, d);
        }
    }

    /** Whether it is inside a system call that will run {@link #runAtReturn}'s tails when it returns. */
    public boolean inSyscall() {
        return inSyscall;
    }

    /**
     * Has its thread run {@code t} once its system call has returned and given its CPU up, holding no lock
     * of this kernel: what an in-memory wire handed another kernel on this thread, from inside this kernel's
     * output (its socket lock held), is processed there, on the sender's thread, as Linux runs the softirq a
     * veth or loopback transmit raised at the sender's {@code local_bh_enable}, instead of waking that
     * kernel's softint thread. Should the lwp sleep first, the tails' softints go to softint threads
     * instead ({@link #beforeSleep}), since what it waits for may need them. False when it is not in such a
     * system call (a softint, a kernel thread, a tail): the caller leaves the work to a softint thread.
     * Called on its own thread.
     */
    public boolean runAtReturn(Softints.InterruptTail t) {
        if (!inSyscall) {
            return false;
        }
        for (int i = 0; i < natReturn; i++) {
            if (atReturn[i] == t) {
                return true;
            }
        }
        if (atReturn == null) {
            atReturn = new Softints.InterruptTail[2];
        } else if (natReturn == atReturn.length) {
            atReturn = java.util.Arrays.copyOf(atReturn, natReturn * 2);
        }
        atReturn[natReturn++] = t;
        return true;
    }

    /** {@code ProcSyscalls}: an outermost system call begins. */
    public void syscallEntered() {
        inSyscall = true;
    }

    /**
     * {@code ProcSyscalls}: the outermost system call has returned, given its CPU up and unbound the thread;
     * runs the tails {@link #runAtReturn} kept. A tail that throws (a handler's panic) does not strand the
     * ones after it, whose frames would otherwise lie in their kernels' input queues until this thread sent
     * to them again: they run, and then the first throw goes on to the caller.
     */
    public void syscallReturned() {
        inSyscall = false;
        int n = natReturn;
        natReturn = 0;
        Throwable failed = null;
        for (int i = 0; i < n; i++) {
            Softints.InterruptTail t = atReturn[i];
            atReturn[i] = null;
            try {
                t.run();
            } catch (RuntimeException | Error e) {
                if (failed == null) {
                    failed = e;
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        if (failed instanceof RuntimeException e) {
            throw e;
        }
        if (failed instanceof Error e) {
            throw e;
        }
    }

    /** Before it sleeps: the tails {@link #runAtReturn} kept go to softint threads. */
    void beforeSleep() {
        int n = natReturn;
        natReturn = 0;
        for (int i = 0; i < n; i++) {
            Softints.InterruptTail t = atReturn[i];
            atReturn[i] = null;
            t.defer();
        }
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
