package io.jrump.kern.sched;

import io.jrump.kern.Cred;
import io.jrump.kern.Kernel;
import io.jrump.kern.file.FileTable;
import io.jrump.kern.syscall.ProcSyscalls;
import io.jrump.kern.syscall.Syscalls;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A process in the rump kernel ({@code struct proc}): a pid, credentials, a descriptor table, its lwps
 * and the CPU time the kernel spent on its behalf. Local callers share process 1; each remote client
 * is a process of its own (ARCHITECTURE.md section 3).
 *
 * <p>A process made for a client is kernel memory ({@link Kernel#createProcess}): it is charged
 * {@link #KMEM_BYTES} to the kernel's limit, and each of its lwps {@link Lwp#KMEM_BYTES}, until it exits.
 * Processes 0 and 1 belong to the kernel itself, as NetBSD's statically allocated {@code proc0} does,
 * and are not charged.
 */
public final class Proc {
    /**
     * What one process costs the host: the {@code Proc}, its descriptor table with its first 16 slots,
     * its syscall interface and its sets and counters. Measured as 444 bytes per process over 50,000
     * (heap growth after GC, compressed references); {@code KernelMemoryFootprintTest} checks it.
     */
    public static final long KMEM_BYTES = 448;
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
    private final AtomicLong cpuNanos = new AtomicLong();
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

    /** Nanoseconds of CPU the kernel spent for this process, including protocol work charged to it. */
    public long cpuNanos() {
        return cpuNanos.get();
    }

    /** Charges kernel work done on this process's behalf (LRP seed: charged to the receiving application). */
    public void charge(long nanos) {
        if (nanos > 0) {
            cpuNanos.addAndGet(nanos);
        }
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
