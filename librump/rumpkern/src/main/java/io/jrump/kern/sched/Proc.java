package io.jrump.kern.sched;

import io.jrump.kern.Cred;
import io.jrump.kern.Kernel;
import io.jrump.kern.file.FileTable;
import io.jrump.kern.syscall.ProcSyscalls;
import io.jrump.kern.syscall.Syscalls;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A process in the rump kernel ({@code struct proc}): a pid, credentials, a descriptor table, its lwps
 * and the CPU time the kernel spent on its behalf. Local callers share process 1; each remote client
 * is a process of its own (ARCHITECTURE.md section 3).
 *
 * <p>A process made for a client is kernel memory ({@link Kernel#createProcess}): it is charged
 * {@link #KMEM_BYTES} to the kernel's limit, and each of its lwps {@link Lwp#KMEM_BYTES}, until it exits.
 * Processes 0 and 1 belong to the kernel itself, as NetBSD's statically allocated {@code proc0} does,
 * and are not charged.
 *
 * <p>Scheduling and accounting. The CPU time the kernel's virtual CPUs spent for the process is kept in
 * three counters, read by {@code kern.proc.all} and {@code rump.ps}: all of it ({@link #cpuNanos}), the
 * part spent in user mode holding a CPU ({@link #userNanos}, see {@link UserCpu}), and the part spent on
 * protocol processing done for it ({@link #protoNanos}: LRP seed 003, "CPU usage is charged back to that
 * application"), which the network half charges through {@link Scheduler#chargeProto} or a kernel thread
 * created with {@link Kernel#createKThread(String, Proc, Runnable)}. Every charge also feeds
 * {@link #estcpu}, from which the process's {@link #priority} follows 4.4BSD's rule ({@link Priority}).
 * The counters are plain longs updated through a {@link VarHandle}: a charge costs one atomic add and
 * no allocation.
 */
public final class Proc {
    /**
     * What one process costs the host: the {@code Proc}, its descriptor table with its first 16 slots,
     * its syscall interface and its sets, CPU counters and scheduling state. Measured as 587 bytes per
     * process over 20,000 (heap growth after GC, compressed references); {@code KernelMemoryFootprintTest}
     * checks it.
     */
    public static final long KMEM_BYTES = 584;
    /** How a process's memory was charged: not at all, within the limit, or past it. */
    public static final int CHARGE_NONE = 0;
    public static final int CHARGE_LIMITED = 1;
    public static final int CHARGE_FORCED = 2;

    private final Kernel kernel;
    private final int pid;
    private final int ppid;
    private final String name;
    private volatile Cred cred;
    private final FileTable files;
    private final Set<Lwp> lwps = ConcurrentHashMap.newKeySet();
    private final AtomicInteger nextLid = new AtomicInteger(1);
    /** Charge kinds ({@link #charge(int, long)}): kernel time for a syscall, user mode, protocol processing. */
    public static final int SYS = 0;
    public static final int USER = 1;
    public static final int PROTO = 2;
    private static final VarHandle CPU;
    private static final VarHandle USER_NS;
    private static final VarHandle PROTO_NS;
    private static final VarHandle ESTCPU;

    static {
        try {
            MethodHandles.Lookup lk = MethodHandles.lookup();
            CPU = lk.findVarHandle(Proc.class, "cpuNanos", long.class);
            USER_NS = lk.findVarHandle(Proc.class, "userNanos", long.class);
            PROTO_NS = lk.findVarHandle(Proc.class, "protoNanos", long.class);
            ESTCPU = lk.findVarHandle(Proc.class, "estcpuNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through CPU
    private volatile long cpuNanos;
    @SuppressWarnings("unused") // through USER_NS
    private volatile long userNanos;
    @SuppressWarnings("unused") // through PROTO_NS
    private volatile long protoNanos;
    /** {@code p_estcpu} in nanoseconds of CPU: {@link #estcpu} ticks are this over the tick length. */
    @SuppressWarnings("unused") // through ESTCPU
    private volatile long estcpuNanos;
    private final long tickNanos;
    private volatile int nice;
    private volatile ThreadLocal<UserCpu> userCpus;
    private final Syscalls syscalls;
    private final Map<ProcSpecificKey<?>, Object> specific = new ConcurrentHashMap<>();
    private volatile boolean exiting;
    private final int charge;
    private boolean released;

    /**
     * A process whose own memory the caller charged as {@code charge} ({@link #CHARGE_NONE},
     * {@link #CHARGE_LIMITED} or {@link #CHARGE_FORCED}); {@link #release} gives it back, with its
     * lwps'.
     */
    public Proc(Kernel kernel, int pid, int ppid, String name, Cred cred, FileTable files, int charge) {
        this.kernel = kernel;
        this.pid = pid;
        this.ppid = ppid;
        this.name = name;
        this.cred = cred;
        this.files = files;
        this.charge = charge;
        this.syscalls = new ProcSyscalls(kernel, this);
        this.tickNanos = 1_000_000_000L / Math.max(1, kernel.hz());
    }

    public Kernel kernel() {
        return kernel;
    }

    public int pid() {
        return pid;
    }

    public int ppid() {
        return ppid;
    }

    public String name() {
        return name;
    }

    public Cred cred() {
        return cred;
    }

    public FileTable files() {
        return files;
    }

    /** The syscall interface as this process: what a program running in it calls. */
    public Syscalls syscalls() {
        return syscalls;
    }

    /**
     * Nanoseconds of virtual CPU spent for this process: its syscalls, its user-mode time holding a CPU
     * ({@link UserCpu}) and protocol work charged to it.
     */
    public long cpuNanos() {
        return (long) CPU.getVolatile(this);
    }

    /** The part of {@link #cpuNanos} spent in user mode holding a virtual CPU ({@link UserCpu}). */
    public long userNanos() {
        return (long) USER_NS.getVolatile(this);
    }

    /** The part of {@link #cpuNanos} spent on protocol processing for this process (LRP). */
    public long protoNanos() {
        return (long) PROTO_NS.getVolatile(this);
    }

    /** Charges kernel (syscall) time done on this process's behalf. */
    public void charge(long nanos) {
        charge(SYS, nanos);
    }

    /**
     * Charges protocol processing done for this process outside of its own lwps' accounting, measured by
     * the caller (LRP seed 003: protocol processing is charged to the application that receives). Code
     * that runs on an lwp should rather use {@link Scheduler#chargeProto}, which measures for it.
     */
    public void chargeProto(long nanos) {
        charge(PROTO, nanos);
    }

    /** Charges {@code nanos} of CPU of kind {@link #SYS}, {@link #USER} or {@link #PROTO}; no allocation. */
    public void charge(int kind, long nanos) {
        if (nanos <= 0) {
            return;
        }
        CPU.getAndAdd(this, nanos);
        if (kind == USER) {
            USER_NS.getAndAdd(this, nanos);
        } else if (kind == PROTO) {
            PROTO_NS.getAndAdd(this, nanos);
        }
        if (pid == 0) {
            return; // the kernel's own lwps run at fixed priorities; their use needs no decay
        }
        if ((long) ESTCPU.getOpaque(this) < (Priority.ESTCPU_MAX + 1L) * tickNanos) {
            ESTCPU.getAndAdd(this, nanos);
        }
        kernel.scheduler().charged();
    }

    /**
     * 4.4BSD's {@code p_estcpu}: one per clock tick ({@code kern.hz}) of CPU charged to the process,
     * decayed once a second by the load ({@link Priority#decay}), at most {@link Priority#ESTCPU_MAX}.
     */
    public int estcpu() {
        return (int) Math.min(Priority.ESTCPU_MAX, (long) ESTCPU.getVolatile(this) / tickNanos);
    }

    /** {@code nice}: {@link Priority#NICE_MIN} (most favoured) to {@link Priority#NICE_MAX}. */
    public int nice() {
        return nice;
    }

    /** {@code setpriority(PRIO_PROCESS)}: sets {@code nice}, clamped to its range. */
    public void setNice(int n) {
        this.nice = Priority.clampNice(n);
    }

    /**
     * The priority this process's lwps compete for a virtual CPU at, lower first: {@link Priority#KERNEL} for
     * process 0, whose lwps are the kernel's own; else 4.4BSD's user priority from {@link #estcpu} and
     * {@link #nice} ({@link Priority#user}).
     */
    public int priority() {
        return pid == 0 ? Priority.KERNEL : Priority.user(estcpu(), nice);
    }

    /** Whether any {@code estcpu} is left to decay, even less than a tick. */
    boolean hasEstcpu() {
        return (long) ESTCPU.getVolatile(this) != 0;
    }

    /**
     * One second's decay of {@code estcpu} at load average {@code load} (4.4BSD's {@code schedcpu});
     * returns whether anything is left to decay.
     */
    boolean schedcpu(double load) {
        for (;;) {
            long v = (long) ESTCPU.getVolatile(this);
            if (v == 0) {
                return false;
            }
            double ticks = Math.min((double) v / tickNanos, Priority.ESTCPU_MAX);
            long nv = (long) (Priority.decay(ticks, load, nice) * tickNanos);
            if (ESTCPU.compareAndSet(this, v, nv)) {
                return nv != 0;
            }
        }
    }

    /**
     * The calling host thread's {@link UserCpu} for this process, made on first use: how the thread runs its
     * own (user-level) work holding a virtual CPU at this process's priority.
     */
    public UserCpu userCpu() {
        ThreadLocal<UserCpu> t = userCpus;
        if (t == null) {
            synchronized (lwps) {
                if (userCpus == null) {
                    userCpus = new ThreadLocal<>();
                }
                t = userCpus;
            }
        }
        UserCpu u = t.get();
        if (u == null) {
            u = new UserCpu(this, Thread.currentThread().getName());
            t.set(u);
        }
        return u;
    }

    /** This process's data under {@code key}, made by the key's initialiser on first use. */
    public <T> T specific(ProcSpecificKey<T> key) {
        @SuppressWarnings("unchecked")
        T v = (T) specific.computeIfAbsent(key, k -> key.init().apply(this));
        return v;
    }

    /** This process's data under {@code key}, or null if it has none. */
    public <T> T specificIfPresent(ProcSpecificKey<T> key) {
        @SuppressWarnings("unchecked")
        T v = (T) specific.get(key);
        return v;
    }

    /** Removes and returns this process's data under {@code key} (a component detaching); null if none. */
    public <T> T removeSpecific(ProcSpecificKey<T> key) {
        @SuppressWarnings("unchecked")
        T v = (T) specific.remove(key);
        return v;
    }

    /** {@code fork}: gives this new process its parent's data, for every key that is inherited. */
    public void inheritSpecific(Proc parent) {
        for (Map.Entry<ProcSpecificKey<?>, Object> e : parent.specific.entrySet()) {
            inherit(e.getKey(), e.getValue());
        }
    }

    @SuppressWarnings("unchecked")
    private <T> void inherit(ProcSpecificKey<T> key, Object parentValue) {
        if (key.onFork() != null) {
            specific.put(key, key.onFork().apply((T) parentValue));
        }
    }

    @SuppressWarnings("unchecked")
    private <T> void release(ProcSpecificKey<T> key, Object value) {
        if (key.onExit() != null) {
            key.onExit().accept((T) value);
        }
    }

    public List<Lwp> lwps() {
        return List.copyOf(lwps);
    }

    /** How many lwps the process has ({@code p_nlwps}). */
    public int lwpCount() {
        return lwps.size();
    }

    public boolean exiting() {
        return exiting;
    }

    /**
     * A new lwp of this process. A charged process's lwp is charged too, past the limit if need be: a
     * host thread that enters a system call needs one, and refusing it there is not possible (see
     * {@link io.jrump.kern.mem.Kmem#allocNoFail}); the next process or socket is refused instead.
     */
    public Lwp newLwp(String lwpName) {
        Lwp l = new Lwp(this, nextLid.getAndIncrement(), lwpName);
        synchronized (lwps) {
            if (charge != CHARGE_NONE && !released) {
                kernel.kmem().allocNoFail(kernel.kmem().type(Lwp.KMEM_TYPE), Lwp.KMEM_BYTES);
                l.charged = true;
            }
            lwps.add(l);
        }
        return l;
    }

    public void lwpExit(Lwp l) {
        synchronized (lwps) {
            if (lwps.remove(l)) {
                uncharge(l);
            }
        }
    }

    private void uncharge(Lwp l) {
        if (l.charged) {
            l.charged = false;
            kernel.kmem().freeNoFail(kernel.kmem().type(Lwp.KMEM_TYPE), Lwp.KMEM_BYTES);
        }
    }

    /**
     * Gives back the memory charged for this process and its lwps, once it has exited; lwps a thread
     * still holds are no longer charged. Called by the kernel as the process leaves its table.
     */
    public void release() {
        synchronized (lwps) {
            if (released) {
                return;
            }
            released = true;
            for (Lwp l : lwps) {
                uncharge(l);
            }
        }
        var kmem = kernel.kmem();
        if (charge == CHARGE_LIMITED) {
            kmem.free(kmem.type(KMEM_TYPE), KMEM_BYTES);
        } else if (charge == CHARGE_FORCED) {
            kmem.freeNoFail(kmem.type(KMEM_TYPE), KMEM_BYTES);
        }
    }

    /** The kernel memory account of processes. */
    public static final String KMEM_TYPE = "proc";

    /**
     * Ends the process: its blocked lwps are woken with EINTR, its descriptors closed and the data
     * components keep for it released. Used when a remote client's connection goes away.
     */
    public void exit() {
        exiting = true;
        for (Lwp l : lwps) {
            l.kill();
        }
        files.closeAll();
        for (ProcSpecificKey<?> key : List.copyOf(specific.keySet())) {
            Object v = specific.remove(key);
            if (v != null) {
                release(key, v);
            }
        }
    }
}
