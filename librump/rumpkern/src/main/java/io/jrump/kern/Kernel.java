package io.jrump.kern;

import io.jrump.kern.file.FileTable;
import io.jrump.kern.intr.CalloutWheel;
import io.jrump.kern.intr.Callouts;
import io.jrump.kern.intr.SoftintQueue;
import io.jrump.kern.intr.Softints;
import io.jrump.kern.mem.Kmem;
import io.jrump.kern.mem.Pool;
import io.jrump.kern.module.ComponentRegistry;
import io.jrump.kern.module.Modules;
import io.jrump.kern.sched.Cpu;
import io.jrump.kern.sched.KThread;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.sched.Priority;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.sched.Scheduler;
import io.jrump.kern.sync.KCondVar;
import io.jrump.kern.sync.KMutex;
import io.jrump.kern.sync.KRwLock;
import io.jrump.kern.syscall.KernSyscalls;
import io.jrump.kern.syscall.SyscallTable;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.kern.sysctl.Sysctl;
import io.jrump.kern.sysctl.SysctlNode;
import io.jrump.kern.sysctl.SysctlType;
import io.jrump.hypercall.HostHypercall;
import io.jrump.hypercall.HyperParams;
import io.jrump.hypercall.HyperThread;
import io.jrump.hypercall.Hypercall;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A rump kernel instance ({@code rump_init} to {@code rump_sys_reboot}). Everything a kernel has hangs
 * off this object, nothing off static fields, so one JVM runs as many kernels as it likes: a test
 * boots three hosts and a router, a benchmark boots a thousand.
 *
 * <p>Boot builds the core (CPUs, scheduler, clock, softints, sysctl tree, syscall table, processes 0
 * and 1) and attaches the configured components by level. Halt detaches them, stops every thread the
 * kernel started and reports what was left behind.
 */
public final class Kernel {
    /** The hypercall revision this kernel was written against ({@code RUMPUSER_VERSION}). */
    public static final int RUMPUSER_VERSION = 1;
    public static final String OSTYPE = "NetBSD";
    public static final String OSRELEASE = "10.0";

    private final Hypercall hc;
    private final String id;
    private final KernelConfig config;
    private final Sysctl sysctl = new Sysctl();
    private final Kmem kmem;
    private final Scheduler scheduler;
    private final SyscallTable syscalls = new SyscallTable();
    private final Map<Class<?>, Object> services = new ConcurrentHashMap<>();
    private final Map<Integer, Proc> procs = new ConcurrentHashMap<>();
    private final AtomicInteger nextPid = new AtomicInteger(2);
    private final List<Pool<?>> pools = new CopyOnWriteArrayList<>();
    private final List<KThread> kthreads = new CopyOnWriteArrayList<>();
    private final List<String> bootLog = new CopyOnWriteArrayList<>();
    private final List<Runnable> haltHooks = new CopyOnWriteArrayList<>();
    private final Proc proc0;
    private final Proc proc1;
    private final Softints softints;
    private final Callouts callouts;
    private final Modules modules;
    private final long bootStartNanos;
    /** {@code MAXHOSTNAMELEN} less the terminating NUL. */
    public static final int MAXHOSTNAMELEN = 255;
    private final String hostnameInit;
    private SysctlNode hostnameNode;
    private volatile boolean halting;
    private volatile HaltReport haltReport;
    private long bootNanos;

    private Kernel(KernelConfig cfg, Hypercall hc, ComponentRegistry registry) throws BootException {
        this.bootStartNanos = hc.clock().monotonicNanos();
        this.config = cfg;
        this.hc = hc;
        this.id = "rump-" + Integer.toHexString(System.identityHashCode(this));
        HyperParams params = hc.params();
        this.hostnameInit = cfg.hostname != null ? cfg.hostname
                : params.get("RUMP_HOSTNAME").or(() -> params.get(HyperParams.HOSTNAME)).orElse("rump");
        int ncpu = cfg.ncpu > 0 ? cfg.ncpu : intParam(params, "RUMP_NCPU",
                intParam(params, HyperParams.NCPU, 1));
        long memLimit = cfg.memoryLimit > 0 ? cfg.memoryLimit
                : params.get("RUMP_MEMLIMIT").map(KernelConfig::parseSize).orElse(0L);
        this.kmem = new Kmem(hc.memory(), memLimit > 0 ? memLimit : Long.MAX_VALUE);

        Cpu[] cpus = new Cpu[ncpu];
        long tick0 = 0;
        for (int i = 0; i < ncpu; i++) {
            cpus[i] = new Cpu(i, new SoftintQueue(i, hc.sync()), new CalloutWheel(tick0));
        }
        this.scheduler = new Scheduler(hc, cpus);
        this.proc0 = new Proc(this, 0, 0, "system", Cred.ROOT, new FileTable(cfg.maxFilesPerProc, kmem),
                Proc.CHARGE_NONE);
        this.proc1 = new Proc(this, 1, 0, "init", Cred.ROOT, new FileTable(cfg.maxFilesPerProc, kmem),
                Proc.CHARGE_NONE);
        procs.put(0, proc0);
        procs.put(1, proc1);
        this.callouts = new Callouts(this, cfg.hz);
        this.softints = new Softints(this);
        scheduler.attach(this);
        this.modules = new Modules(this, registry);
        createBaseSysctls(ncpu, memLimit, hostnameInit);
        KernSyscalls.register(this, syscalls);
    }

    private static int intParam(HyperParams p, String name, int dflt) {
        return p.get(name).map(v -> {
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                return dflt;
            }
        }).filter(v -> v > 0).orElse(dflt);
    }

    /**
     * Boots a kernel. Fails with a {@link BootException} naming the problem: a hypercall revision
     * mismatch, an unknown component, a missing requirement, a conflict, a component that failed to
     * attach. A failed boot leaves no thread running.
     */
    public static Kernel boot(KernelConfig cfg) throws BootException {
        Hypercall hc = cfg.hypercall;
        if (hc == null) {
            HostHypercall.Builder b = HostHypercall.builder();
            hc = b.build();
        }
        if (hc.version() != RUMPUSER_VERSION) {
            throw new BootException("hypercall interface mismatch: this kernel needs rumpuser version "
                    + RUMPUSER_VERSION + ", the host provides version " + hc.version());
        }
        ComponentRegistry registry = cfg.registry != null ? cfg.registry : ComponentRegistry.load();
        Kernel k = new Kernel(cfg, hc, registry);
        k.softints.start();
        try {
            k.modules.boot(cfg.components);
        } catch (BootException | RuntimeException e) {
            k.halt();
            throw e;
        }
        k.bootLog(k.syscalls.fillReport());
        k.bootNanos = hc.clock().monotonicNanos() - k.bootStartNanos;
        k.bootLog(String.format("%s: rump kernel booted in %d us (%d cpu%s)", k.hostname(),
                k.bootNanos / 1000, k.scheduler.ncpu(), k.scheduler.ncpu() == 1 ? "" : "s"));
        if (cfg.verbose) {
            for (String line : k.bootLog) {
                hc.console().println(line);
            }
        }
        return k;
    }

    /** Boots a kernel with just these components and everything else from the environment. */
    public static Kernel boot(String... components) throws BootException {
        return boot(KernelConfig.builder().component(components).build());
    }

    private void createBaseSysctls(int ncpu, long memLimit, String hostname) {
        sysctl.node("kern", "High kernel");
        sysctl.createString("kern.ostype", "Operating system type", OSTYPE, 0, null);
        sysctl.createString("kern.osrelease", "Operating system release", OSRELEASE, 0, null);
        sysctl.createString("kern.version", "Kernel version",
                "jrump 0.1 (NetBSD " + OSRELEASE + " rump kernel in "
                        + hc.params().get(HyperParams.PLATFORM).orElse("Java") + ")", 0, null);
        hostnameNode = sysctl.createString("kern.hostname", "System host name", hostname, SysctlNode.READWRITE,
                h -> !h.isEmpty() && h.length() <= MAXHOSTNAMELEN && h.chars().noneMatch(Character::isWhitespace));
        sysctl.createInt("kern.hz", "Clock ticks per second", config.hz, 0, null);
        sysctl.createInt("kern.maxfiles", "Descriptors per process", config.maxFilesPerProc, 0, null);
        sysctl.createDynamic("kern.boottime", "Boot time, ns since the epoch", SysctlType.QUAD,
                () -> hc.clock().wallNanos() - (hc.clock().monotonicNanos() - callouts.bootMonotonic()));
        sysctl.createDynamic("kern.nprocs", "Processes", SysctlType.INT, procs::size);
        sysctl.createString("hw.machine", "Machine class", "jvm", 0, null);
        sysctl.createInt("hw.ncpu", "Number of CPUs", ncpu, 0, null);
        sysctl.createQuad("hw.physmem64", "Kernel memory limit in bytes",
                memLimit > 0 ? memLimit : hc.memory().physmem(), 0, null);
        sysctl.createDynamic("hw.usermem64", "Kernel memory in use", SysctlType.QUAD, kmem::used);
        sysctl.createTable("kern.kmem.stats", "Kernel memory by type, as vmstat -m lists pools",
                () -> String.join("\n", kmem.report()) + "\n");
        sysctl.createStruct(io.jrump.kern.file.OpenFilesTable.NAME, "Open descriptors, as kinfo records: owner, "
                + "descriptor, what the file is", io.jrump.kern.sysctl.KinfoFile.SIZE,
                out -> io.jrump.kern.file.OpenFilesTable.records(this, out));
        sysctl.createStruct(io.jrump.kern.sched.ProcTable.NAME, "Processes, as kinfo records: owner, lwps, "
                + "priority, CPU time and its protocol-processing part", io.jrump.kern.sysctl.KinfoProc.SIZE,
                out -> io.jrump.kern.sched.ProcTable.records(this, out));
        sysctl.createDynamic("vm.loadavg", "Load averages over 1, 5 and 15 minutes: lwps holding or waiting "
                + "for a virtual CPU", SysctlType.STRING, () -> {
                    double[] l = scheduler.loadAverage();
                    return String.format(java.util.Locale.ROOT, "%.2f %.2f %.2f", l[0], l[1], l[2]);
                });
    }

    /** Sets {@code kern.hostname} from kernel code; through sysctl only root may. */
    public void setHostname(String h) {
        hostnameNode.setString(h);
    }

    /** {@code kern.hostname}: the name this kernel's messages and listings carry. */
    public String hostname() {
        SysctlNode n = hostnameNode;
        return n == null ? hostnameInit : n.stringValue();
    }

    /** A name unique among kernels in this JVM, used in host thread names. */
    public String id() {
        return id;
    }

    public Hypercall hypercall() {
        return hc;
    }

    public Sysctl sysctl() {
        return sysctl;
    }

    public Kmem kmem() {
        return kmem;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    /** {@code kern.hz}: clock ticks per second, the unit of {@code estcpu} ({@link io.jrump.kern.sched.Priority}). */
    public int hz() {
        return config.hz;
    }

    public Softints softints() {
        return softints;
    }

    public Callouts callouts() {
        return callouts;
    }

    public Modules modules() {
        return modules;
    }

    public SyscallTable syscallTable() {
        return syscalls;
    }

    /** Time the last boot took, in nanoseconds of the kernel's clock (none passes on a manual clock). */
    public long bootNanos() {
        return bootNanos;
    }

    public List<String> bootLog() {
        return List.copyOf(bootLog);
    }

    public void bootLog(String line) {
        bootLog.add(line);
    }

    /** Kernel message ({@code printf}/{@code log}): always on the console, prefixed by the host name. */
    public void log(String msg) {
        hc.console().println(hostname() + ": " + msg);
    }

    /** The process that kernel threads belong to (pid 0). */
    public Proc proc0() {
        return proc0;
    }

    /** The process local callers run as (pid 1). */
    public Proc proc1() {
        return proc1;
    }

    /** The syscall interface for local callers (process 1, root). */
    public Syscalls syscalls() {
        return proc1.syscalls();
    }

    /** The lwp bound to the calling host thread, if it belongs to this kernel. */
    public Lwp curlwp() {
        Object o = hc.threads().curLwp();
        return o instanceof Lwp l && l.proc().kernel() == this ? l : null;
    }

    /** The CPU the calling thread holds, or null. */
    public Cpu curcpu() {
        Lwp l = curlwp();
        return l == null ? null : l.cpu();
    }

    public KMutex newMutex() {
        return new KMutex(this);
    }

    public KCondVar newCondVar() {
        return new KCondVar(this);
    }

    public KRwLock newRwLock() {
        return new KRwLock(this);
    }

    /** Creates a pool charged to this kernel's memory; {@code hardLimit} items at most. */
    public <T> Pool<T> createPool(String name, long itemSize, Supplier<T> ctor, Consumer<T> reset, int hardLimit) {
        synchronized (pools) {
            Pool<T> p = new Pool<>(this, pools.size(), name, itemSize, ctor, reset, hardLimit);
            pools.add(p);
            return p;
        }
    }

    public List<Pool<?>> pools() {
        return List.copyOf(pools);
    }

    /**
     * A new process ({@code fork} from nothing), as the remote server makes for each client. It is
     * kernel memory ({@link Proc#KMEM_BYTES}, and its lwps'): ENOMEM past the kernel's memory limit, as
     * {@code fork(2)} answers when the kernel cannot allocate a process.
     */
    public Proc createProcess(String name, Cred cred) throws ErrnoException {
        chargeProcess();
        return addProcess(new Proc(this, nextPid.getAndIncrement(), 1, name, cred,
                new FileTable(config.maxFilesPerProc, kmem), Proc.CHARGE_LIMITED));
    }

    /**
     * {@code fork}: a child with a copy of the parent's descriptors (the files themselves are shared);
     * ENOMEM past the kernel's memory limit.
     */
    public Proc forkProcess(Proc parent, String name) throws ErrnoException {
        chargeProcess();
        FileTable files;
        try {
            files = parent.files().fork(false);
        } catch (ErrnoException e) {
            kmem.free(kmem.type(Proc.KMEM_TYPE), Proc.KMEM_BYTES);
            throw e;
        }
        return addChild(parent, new Proc(this, nextPid.getAndIncrement(), parent.pid(), name, parent.cred(), files,
                Proc.CHARGE_LIMITED));
    }

    /**
     * {@link #createProcess} for a caller that has no way to report an error: the process is charged
     * even past the limit ({@link Kmem#allocNoFail}), so that what it then does is refused instead.
     */
    public Proc newProcess(String name, Cred cred) {
        kmem.allocNoFail(kmem.type(Proc.KMEM_TYPE), Proc.KMEM_BYTES);
        return addProcess(new Proc(this, nextPid.getAndIncrement(), 1, name, cred,
                new FileTable(config.maxFilesPerProc, kmem), Proc.CHARGE_FORCED));
    }

    /** {@link #forkProcess} for a caller that has no way to report an error, charged as {@link #newProcess} is. */
    public Proc fork(Proc parent, String name) {
        kmem.allocNoFail(kmem.type(Proc.KMEM_TYPE), Proc.KMEM_BYTES);
        FileTable files;
        try {
            files = parent.files().fork(true);
        } catch (ErrnoException e) {
            throw new IllegalStateException("a forced fork cannot fail", e);
        }
        return addChild(parent, new Proc(this, nextPid.getAndIncrement(), parent.pid(), name, parent.cred(), files,
                Proc.CHARGE_FORCED));
    }

    private void chargeProcess() throws ErrnoException {
        if (!kmem.alloc(kmem.type(Proc.KMEM_TYPE), Proc.KMEM_BYTES)) {
            throw new ErrnoException(io.jrump.hypercall.Errno.ENOMEM, "no kernel memory for a process ("
                    + kmem.used() + " of " + kmem.limit() + " bytes in use)");
        }
    }

    /** A forked child also gets a copy of the per-process data components keep (its current directory). */
    private Proc addChild(Proc parent, Proc p) {
        p.inheritSpecific(parent);
        return addProcess(p);
    }

    private Proc addProcess(Proc p) {
        procs.put(p.pid(), p);
        return p;
    }

    /**
     * Ends a process: wakes its sleeping lwps with EINTR, closes its descriptors and gives its memory
     * back.
     */
    public void exitProcess(Proc p) {
        if (p == proc0 || p == proc1) {
            throw new IllegalArgumentException("process " + p.pid() + " cannot exit");
        }
        p.exit();
        if (procs.remove(p.pid(), p)) {
            p.release();
        }
    }

    public Proc proc(int pid) {
        return procs.get(pid);
    }

    public List<Proc> procs() {
        List<Proc> l = new ArrayList<>(procs.values());
        l.sort((a, b) -> Integer.compare(a.pid(), b.pid()));
        return l;
    }

    /** Makes a per-kernel object available to other components, such as the network stack. */
    public <T> void registerService(Class<T> type, T service) {
        if (services.putIfAbsent(type, service) != null) {
            throw new IllegalStateException(type.getSimpleName() + " is already registered in " + hostname());
        }
    }

    public <T> void unregisterService(Class<T> type) {
        services.remove(type);
    }

    /** The service registered for {@code type}, or null. */
    public <T> T service(Class<T> type) {
        return type.cast(services.get(type));
    }

    /**
     * Runs {@code hook} when boot reaches {@code level} (see {@link Modules}); at once if the kernel is
     * already running.
     */
    public void atLevel(ComponentLevel level, String owner, Runnable hook) {
        modules.atLevel(level, owner, hook);
    }

    /** Runs at halt before components detach, in reverse order of registration. */
    public void onHalt(Runnable hook) {
        haltHooks.add(hook);
    }

    /**
     * {@code kthread_create}: a kernel thread, holding a CPU while it runs, at priority
     * {@link io.jrump.kern.sched.Priority#KERNEL}.
     */
    public KThread createKThread(String name, Runnable body) {
        return createKThread(name, Priority.KERNEL, body);
    }

    /**
     * A kernel thread at a fixed {@code priority} ({@link io.jrump.kern.sched.Priority}: lower is more urgent),
     * an lwp of process 0 whose CPU time is charged to process 0.
     */
    public KThread createKThread(String name, int priority, Runnable body) {
        Lwp l = proc0.newLwp(name);
        l.setPriority(priority);
        return startKThread(name, l, proc0, body);
    }

    /**
     * A kernel thread that works for process {@code owner}, as LRP's asynchronous protocol processing does
     * (seed 003, "TCP protocol processing": "This thread is scheduled at its process's priority and its CPU
     * usage is charged to its process"): an lwp of {@code owner} (it counts among its lwps in {@code rump.ps})
     * whose priority is always {@code owner}'s current {@link Proc#priority}, so it falls behind as the
     * process's {@code estcpu} grows, and all of whose CPU time is charged to {@code owner} as protocol time
     * ({@link Proc#protoNanos}). Its body must return when {@link #halting()} or when its lwp is
     * {@linkplain Lwp#killed() killed} (the owner exited); a sleep in {@link KCondVar#awaitSig} returns EINTR
     * then.
     */
    public KThread createKThread(String name, Proc owner, Runnable body) {
        Lwp l = owner.newLwp(name);
        l.setChargeKind(Proc.PROTO);
        return startKThread(name, l, owner, body);
    }

    private KThread startKThread(String name, Lwp l, Proc owner, Runnable body) {
        HyperThread t = hc.threads().create(id + "/" + name, () -> {
            hc.threads().setCurLwp(l);
            scheduler.schedule(l, null);
            try {
                body.run();
            } catch (RuntimeException e) {
                log("kthread " + name + ": " + e);
            } finally {
                scheduler.unschedule(l);
                owner.lwpExit(l);
            }
        });
        KThread kt = new KThread(name, t);
        kthreads.add(kt);
        return kt;
    }

    public boolean halting() {
        return halting;
    }

    /** Halts from inside the kernel (the {@code reboot} syscall) once the caller has returned. */
    public void haltAsync(String why) {
        log("halting: " + why);
        hc.threads().create(id + "/reboot", this::halt);
    }

    /**
     * Halts the kernel ({@code rump_sys_reboot}): ends processes, detaches components in reverse
     * order, stops the clock, softint and kernel threads, frees pooled memory, and reports what is left.
     * A second call returns the first report.
     */
    public synchronized HaltReport halt() {
        if (haltReport != null) {
            return haltReport;
        }
        long t0 = hc.clock().monotonicNanos();
        halting = true;
        for (Proc p : procs()) {
            if (p != proc0 && p != proc1) {
                exitProcess(p);
            }
        }
        proc1.exit();
        List<Runnable> hooks = new ArrayList<>(haltHooks);
        java.util.Collections.reverse(hooks);
        for (Runnable r : hooks) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log("halt hook: " + e);
            }
        }
        modules.detachAll();
        for (KThread t : kthreads) {
            t.interrupt();
        }
        List<String> left = new ArrayList<>();
        for (KThread t : kthreads) {
            try {
                if (!t.join(TimeUnit.SECONDS.toNanos(5))) {
                    left.add(t.name());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        callouts.stop();
        softints.stop();
        List<String> poolsOut = new ArrayList<>();
        long lentBytes = 0;
        for (Pool<?> p : pools) {
            // items another kernel holds come back when it frees them: not a leak of this kernel's
            lentBytes += p.lentItems() * p.itemSize();
            long out = p.outstanding() - p.lentItems();
            if (out != 0) {
                poolsOut.add(p.name() + " (" + out + ")");
            }
            p.drainAll();
        }
        hc.shutdown();
        String prefix = id + "/";
        for (String name : hc.threads().liveThreadNames()) {
            if (name.startsWith(prefix) && !name.equals(prefix + "reboot") && !left.contains(name)) {
                left.add(name);
            }
        }
        int open = 0;
        for (Proc p : procs.values()) {
            open += p.files().openCount();
        }
        haltReport = new HaltReport(hostname(), List.copyOf(left), kmem.used() - lentBytes, List.copyOf(poolsOut),
                open, hc.clock().monotonicNanos() - t0);
        return haltReport;
    }
}
