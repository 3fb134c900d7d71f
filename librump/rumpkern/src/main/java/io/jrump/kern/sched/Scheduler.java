package io.jrump.kern.sched;

import io.jrump.hypercall.HyperClock;
import io.jrump.hypercall.HyperCondVar;
import io.jrump.hypercall.HyperMutex;
import io.jrump.hypercall.Hypercall;
import io.jrump.kern.Kernel;
import io.jrump.kern.intr.Callout;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Hands virtual CPUs to lwps ({@code rump_schedule}/{@code rump_unschedule}), by priority. An lwp takes a
 * CPU when it enters the kernel and gives it back when it leaves or sleeps, so a sleeping lwp never keeps
 * another from running. The CPU time between the two is charged to the lwp's process (or to the process it
 * does protocol work for, {@link #chargeProto}), which is how LRP bills receive processing to the receiving
 * application (seed 003).
 *
 * <p>The rule, which makes a comparison of receive-processing disciplines on few virtual CPUs honest:
 * <ul>
 * <li><b>Priorities.</b> Every lwp has a {@linkplain Lwp#priority priority} (lower is more urgent,
 * {@link Priority}): {@link Priority#INTERRUPT} for softints and the clock, a fixed one for kernel threads,
 * and for a process's lwps the process's own, which decays with its CPU use by 4.4BSD's {@code estcpu} rule
 * ({@link Proc#priority}, recomputed once a second by {@code schedcpu} here). A free CPU goes to the most
 * urgent waiting lwp, first come first served among waiting equals; an lwp that arrives while others wait
 * queues behind them unless it is at least as urgent as all of them.</li>
 * <li><b>Interrupts first.</b> Interrupt-level work (a softint thread, an interrupt tail, the clock) takes a
 * free CPU before any lwp, and when none is free it marks a CPU as wanted ({@link Cpu#interruptPending}); the
 * lwp holding that CPU gives it up at its next preemption point. An lwp in user mode ({@link UserCpu}) does
 * more: at its next preemption point it takes the softints pending on its CPU on its own thread, in an
 * interrupt lwp's context, and resumes when none is left, as a processor takes an interrupt between two
 * instructions of a program, so that an interrupt does not wait for the host to wake the CPU's softint
 * thread while the program runs on (see {@link #preemptionPoint(Lwp)}). Once on a CPU, a softint keeps it while
 * work keeps arriving, as a hardware interrupt would: under eager, interrupt-driven receive processing that
 * is what produces receive livelock. Work that should not have that precedence (LRP's protocol processing)
 * runs instead on an lwp at a process's priority: {@link Kernel#createKThread(String, Proc, Runnable)}, or
 * {@link #chargeProto} on the receiver's own lwp.</li>
 * <li><b>Preemption points.</b> A Java thread cannot be stopped from outside, so an lwp gives its CPU up only
 * at preemption points: every syscall entry and return ({@code rump_schedule}/{@code rump_unschedule}, and a
 * syscall made from {@link UserCpu} user mode), and {@link #preemptionPoint()}, which code with a long loop
 * calls (the network half once per packet it processes). There the CPU goes to pending interrupt work, to a
 * waiting lwp of higher priority, or, once the lwp has held it for {@link #QUANTUM_NANOS}, to one of equal
 * priority (4.4BSD's round robin); the lwp then waits for a CPU again at its own priority. A preemption point
 * must not be reached holding a host lock ({@code synchronized}, a hypercall mutex): a kernel mutex is fine,
 * since a contender sleeps and gives its CPU up. An lwp that keeps its CPU is charged for it at its next
 * preemption point after each {@code schedcpu}, so its {@code estcpu} grows while it runs.</li>
 * </ul>
 *
 * <p>The common path is as cheap as before: while nobody waits, taking a CPU is one compare-and-set and a
 * preemption point is a few volatile reads. Waiting lwps queue under one lock; whoever frees a CPU wakes
 * them, and only the most urgent one that can use it takes it. A newcomer takes a free CPU at once only if
 * it is at least as urgent as every waiter: among equals that lets a thread that leaves the kernel and comes
 * straight back keep going, where a strict hand-over would make every such return wait for another thread
 * to wake up (a convoy).
 */
public final class Scheduler {
    /** How long an lwp keeps a CPU against waiters of equal priority (4.4BSD's {@code roundrobin}, hz/10). */
    public static final long QUANTUM_NANOS = 100_000_000L;
    /** The load average's time constants in seconds, as {@code vm.loadavg}: 1, 5 and 15 minutes. */
    private static final double[] LOAD_PERIODS = {60, 300, 900};

    private final Cpu[] cpus;
    private final HyperMutex lock;
    private final HyperCondVar handed;
    private final HyperClock clock;
    /** Lwps waiting for a CPU, guarded by {@link #lock}. */
    private final ArrayList<Lwp> waiting = new ArrayList<>();
    private long nextSeq;
    /** How many lwps wait; read without the lock by the fast paths. */
    private volatile int nwaiting;
    /** The most urgent priority among waiting lwps that are not interrupts, or {@link Integer#MAX_VALUE}. */
    private volatile int bestWaiting = Integer.MAX_VALUE;
    private final LongAdder preemptions = new LongAdder();
    private final LongAdder interruptsTaken = new LongAdder();
    private final AtomicBoolean decaying = new AtomicBoolean();
    private Kernel kernel;
    private Callout schedcpu;
    /** 1, 5 and 15 minute load averages, guarded by {@code this}. */
    private final double[] loadavg = new double[3];
    private long lastSample;

    public Scheduler(Hypercall hc, Cpu[] cpus) {
        this.cpus = cpus;
        this.lock = hc.sync().newMutex();
        this.handed = hc.sync().newCondVar();
        this.clock = hc.clock();
    }

    /** Connects the scheduler to its kernel's clock and processes, for the once-a-second {@code schedcpu}. */
    public void attach(Kernel k) {
        this.kernel = k;
        this.schedcpu = k.callouts().create("schedcpu", this::schedcpu);
        this.lastSample = clock.monotonicNanos();
    }

    /**
     * Whether the kernel is doing nothing this instant: no lwp holds a virtual CPU and no softint is
     * pending. A test that drives a {@link io.jrump.hypercall.ManualClock} moves time only when every
     * kernel is idle, as a discrete-event simulation would.
     */
    public boolean idle() {
        for (int i = 0; i < ncpu(); i++) {
            Cpu c = cpu(i);
            if (c.owner() != null || c.softints.busy()) {
                return false;
            }
        }
        return true;
    }

    public int ncpu() {
        return cpus.length;
    }

    public Cpu cpu(int i) {
        return cpus[i];
    }

    /** The clock CPU time is measured on ({@link HyperClock#runtimeNanos}). */
    public long cpuClock() {
        return clock.runtimeNanos();
    }

    /** How many times an lwp gave its CPU up at a preemption point. */
    public long preemptions() {
        return preemptions.sum();
    }

    /** How many lwps wait for a CPU now. */
    public int waiting() {
        return nwaiting;
    }

    /**
     * Gives {@code l} a CPU: {@code bound} if not null (softint threads are bound to theirs), else the
     * CPU it last ran on if free, else any free one, else it waits its turn by priority. Nested entries by
     * an lwp that already holds a CPU only count; one from {@link UserCpu} user mode is a syscall boundary,
     * a preemption point.
     */
    public void schedule(Lwp l, Cpu bound) {
        if (l.cpu() != null) {
            if (l.userNow) {
                l.account(clock.runtimeNanos());
                l.userNow = false;
                preemptionPoint(l);
            }
            l.setNesting(l.nesting() + 1);
            return;
        }
        Cpu c = nwaiting == 0 || l.interrupt() || l.priority() <= bestWaiting ? tryAny(l, bound) : null;
        if (c == null) {
            c = await(l, bound);
        }
        l.onCpu(c, clock.runtimeNanos());
        if (!decaying.get() && l.proc().pid() != 0) {
            charged();
        }
    }

    /**
     * Takes a free CPU without waiting: an lwp at least as urgent as every waiter may (so that a thread that
     * leaves the kernel and comes straight back does not queue behind an equal one, which would convoy), but
     * not a CPU that interrupt work waits for.
     */
    private Cpu tryAny(Lwp l, Cpu bound) {
        boolean intr = l.interrupt();
        if (bound != null) {
            return (intr || !bound.interruptWanted) && bound.tryTake(l) ? bound : null;
        }
        Cpu last = l.lastCpu();
        if (last != null && (intr || !last.interruptWanted) && last.tryTake(l)) {
            return last;
        }
        for (Cpu c : cpus) {
            if ((intr || !c.interruptWanted) && c.tryTake(l)) {
                return c;
            }
        }
        return null;
    }

    /**
     * Queues {@code l} and waits until it is the most urgent waiter that can use a free CPU (first come first
     * served among equals), then takes it. Whoever frees a CPU wakes the waiters to look.
     */
    private Cpu await(Lwp l, Cpu bound) {
        lock.enter();
        try {
            enqueue(l, bound);
            return waitTurn(l);
        } finally {
            lock.exit();
        }
    }

    /** Under {@link #lock}: puts {@code l} in line. */
    private void enqueue(Lwp l, Cpu bound) {
        l.waitBound = bound;
        l.waitSeq = nextSeq++;
        waiting.add(l);
        refresh();
    }

    /** Under {@link #lock}: waits until {@code l} comes first for a free CPU, takes it and leaves the line. */
    private Cpu waitTurn(Lwp l) {
        Cpu c;
        while ((c = takeIfFirst(l)) == null) {
            handed.await(lock);
        }
        waiting.remove(l);
        l.waitBound = null;
        refresh();
        if (!waiting.isEmpty() && anyFree()) {
            handed.broadcast(); // two CPUs came free at once: the next waiter looks too
        }
        return c;
    }

    /** Under {@link #lock}: a free CPU for {@code l} if no other waiter that could use it comes first. */
    private Cpu takeIfFirst(Lwp l) {
        if (l.waitBound != null) {
            return takeIfFirst(l, l.waitBound) ? l.waitBound : null;
        }
        Cpu last = l.lastCpu();
        if (last != null && takeIfFirst(l, last)) {
            return last;
        }
        for (Cpu c : cpus) {
            if (takeIfFirst(l, c)) {
                return c;
            }
        }
        return null;
    }

    private boolean takeIfFirst(Lwp l, Cpu c) {
        if (c.owner() != null || c.interruptWanted && !l.interrupt()) {
            return false;
        }
        int p = l.priority();
        for (int i = 0; i < waiting.size(); i++) {
            Lwp w = waiting.get(i);
            if (w == l || w.waitBound != null && w.waitBound != c) {
                continue;
            }
            int q = w.priority();
            if (q < p || q == p && w.waitSeq < l.waitSeq) {
                return false;
            }
        }
        return c.tryTake(l);
    }

    private boolean anyFree() {
        for (Cpu c : cpus) {
            if (c.owner() == null) {
                return true;
            }
        }
        return false;
    }

    /** Under {@link #lock}: what the fast paths and preemption points look at, from the waiters. */
    private void refresh() {
        nwaiting = waiting.size();
        int bw = Integer.MAX_VALUE;
        for (Cpu c : cpus) {
            c.interruptWanted = false;
        }
        for (int i = 0; i < waiting.size(); i++) {
            Lwp w = waiting.get(i);
            if (w.interrupt()) {
                if (w.waitBound != null) {
                    w.waitBound.interruptWanted = true;
                } else {
                    for (Cpu c : cpus) {
                        c.interruptWanted = true;
                    }
                }
            } else {
                bw = Math.min(bw, w.priority());
            }
        }
        bestWaiting = bw;
    }

    /**
     * Gives the CPU back and charges the time used. A return from a syscall made in {@link UserCpu} user
     * mode keeps the CPU and is a preemption point.
     */
    public void unschedule(Lwp l) {
        if (l.nesting() > 0) {
            l.setNesting(l.nesting() - 1);
            if (l.nesting() == 0 && l.userMode) {
                l.account(clock.runtimeNanos());
                l.userNow = true;
                preemptionPoint(l);
            }
            return;
        }
        Cpu c = l.cpu();
        if (c == null) {
            throw new IllegalStateException(l + " unscheduled without a CPU");
        }
        l.offCpu(clock.runtimeNanos());
        release(c, l);
    }

    private void release(Cpu c, Lwp l) {
        c.free(l);
        if (c.softints.raised()) {
            c.softints.kick(); // its softint thread may be leaving them to the holder that just left
        }
        if (nwaiting > 0) {
            lock.enter();
            try {
                handed.broadcast();
            } finally {
                lock.exit();
            }
        }
    }

    /**
     * A preemption point for the calling thread's lwp ({@code preempt()} / {@code yield} when wanted): if
     * interrupt work waits for its CPU, or an lwp of higher priority (or of equal priority, once this one
     * has had its {@link #QUANTUM_NANOS}) waits for a CPU, the lwp gives its CPU up and waits for one again
     * at its own priority. Returns whether it did. Costs two volatile reads when nobody waits. Call it from
     * long loops of kernel work, holding no host lock (see the class comment); a thread that holds no CPU,
     * and interrupt-level code, return at once.
     */
    public boolean preemptionPoint() {
        Lwp l = kernel.curlwp();
        return l != null && preemptionPoint(l);
    }

    /** {@link #preemptionPoint()} under the name of NetBSD's {@code preempt_needed()}-then-{@code yield()}. */
    public boolean yieldIfWanted() {
        return preemptionPoint();
    }

    /**
     * {@link #preemptionPoint()} for lwp {@code l}, which must be the calling thread's. At a user-mode
     * preemption point (a syscall boundary of {@link UserCpu} code, or {@link UserCpu#preemptionPoint}),
     * where {@code l} holds no lock, softints pending on its CPU run first on this thread ({@link
     * #takeInterrupts}); that counts as giving the CPU up.
     */
    public boolean preemptionPoint(Lwp l) {
        Cpu c = l.cpu();
        if (c == null) {
            return false;
        }
        boolean gave = false;
        if (l.userMode && l.nesting() == 0 && c.softints.raised()) {
            c = takeInterrupts(l, c);
            gave = true;
        }
        if (!wantsCpu(l, c)) {
            return gave;
        }
        int depth = l.nesting();
        l.offCpu(clock.runtimeNanos());
        preemptions.increment();
        Cpu n;
        lock.enter();
        try {
            enqueue(l, null); // in line before the CPU is free, so that it counts as runnable throughout
            c.free(l);
            handed.broadcast();
            n = waitTurn(l);
        } finally {
            lock.exit();
        }
        l.onCpu(n, clock.runtimeNanos());
        l.setNesting(depth);
        return true;
    }

    /**
     * The CPU {@code c} held by {@code l} at a user-mode preemption point (a syscall boundary or
     * {@link UserCpu#preemptionPoint}, where it holds no lock) has softints pending: the CPU takes the
     * interrupt there and then, on {@code l}'s thread, as a processor does between two instructions of a
     * program, instead of waiting until the CPU's softint thread has been woken by the host. The CPU passes
     * to its interrupt lwp, whose context the handlers run in (charged to process 0, not to {@code l}), and
     * comes back to {@code l} when no handler is pending; work that keeps arriving keeps it, which under
     * eager receive processing is receive livelock. Returns the CPU {@code l} holds afterwards (another one
     * if a handler slept and woke elsewhere).
     */
    private Cpu takeInterrupts(Lwp l, Cpu c) {
        Lwp il = c.intrLwp;
        if (il == null) {
            il = kernel.proc0().newLwp("intr/" + c.index());
            il.setPriority(Priority.INTERRUPT);
            c.intrLwp = il;
        }
        long since = l.onCpuSince;
        long now = clock.runtimeNanos();
        l.offCpu(now);
        c.handOver(l, il);
        il.onCpu(c, now);
        interruptsTaken.increment();
        io.jrump.hypercall.HyperThreads threads = kernel.hypercall().threads();
        Object saved = threads.curLwp();
        threads.setCurLwp(il);
        try {
            kernel.softints().runInterrupted(c);
        } finally {
            threads.setCurLwp(saved);
            Cpu back = il.cpu();
            if (back == null) {
                throw new IllegalStateException(il + " ended its handlers without a CPU");
            }
            now = clock.runtimeNanos();
            il.offCpu(now);
            back.handOver(il, l);
            l.onCpu(back, now);
            l.onCpuSince = since;
            c = back;
        }
        return c;
    }

    /** How many times a CPU took pending softints on the thread of the lwp it interrupted ({@link #takeInterrupts}). */
    public long interruptsTaken() {
        return interruptsTaken.sum();
    }

    /**
     * Whether someone should have {@code l}'s CPU {@code c} rather than {@code l}; first charges the time
     * {@code l} has held it if {@code schedcpu} asked for that, so that an lwp that keeps its CPU for long
     * still has its use counted in its process's {@code estcpu}, as 4.4BSD's statclock counts the running
     * process.
     */
    private boolean wantsCpu(Lwp l, Cpu c) {
        if (c.accountWanted) {
            c.accountWanted = false;
            l.account(clock.runtimeNanos());
        }
        if (l.interrupt()) {
            return false;
        }
        if (c.interruptWanted) {
            return true;
        }
        int bw = bestWaiting;
        if (bw == Integer.MAX_VALUE) {
            return false;
        }
        int mine = l.priority();
        return bw < mine || bw == mine && clock.runtimeNanos() - l.onCpuSince >= QUANTUM_NANOS;
    }

    /**
     * Opens a span of protocol processing that the calling thread's lwp does for {@code p}: until it is
     * closed, the lwp's CPU time is charged to {@code p} as protocol time and the lwp competes for CPUs at
     * {@code p}'s priority (see {@link ProtoCharge}; use it with try-with-resources). The calling thread must
     * run kernel code as an lwp (a syscall, a kernel thread, a softint).
     */
    public ProtoCharge chargeProto(Proc p) {
        Lwp l = kernel.curlwp();
        if (l == null) {
            throw new IllegalStateException("chargeProto(" + p.pid() + ") from a thread that is not an lwp");
        }
        return l.protoCharge().begin(p, clock.runtimeNanos());
    }

    /**
     * Gives the CPU up for a sleep, whatever the nesting, and returns the depth to restore with
     * {@link #wake}.
     */
    public int sleep(Lwp l) {
        l.beforeSleep();
        int depth = l.nesting();
        l.setNesting(0);
        if (l.cpu() != null) {
            unschedule(l);
        }
        return depth;
    }

    public void wake(Lwp l, int depth) {
        schedule(l, null);
        l.setNesting(depth);
    }

    /**
     * Gives up {@code l}'s CPU, whatever its nesting, before kernel code blocks in the host (NetBSD's
     * {@code rumpkern_unsched}, which {@code rumpuser} calls around every hypercall that may block), so
     * that the other lwps of a kernel with few CPUs run meanwhile. {@code waker}, if not null, is how
     * {@link Lwp#kill} interrupts the host wait; it is set before this returns, so a caller that checks
     * {@link Lwp#killed()} afterwards and before it blocks misses no kill. Returns what
     * {@link #schedAfterHost} needs: -1 if {@code l} held no CPU.
     */
    public int unschedForHost(Lwp l, Runnable waker) {
        if (waker != null) {
            l.setWaker(waker);
        }
        return l.cpu() != null ? sleep(l) : -1;
    }

    /** Takes a CPU again after {@link #unschedForHost} ({@code rumpkern_sched}) and clears the waker. */
    public void schedAfterHost(Lwp l, int depth) {
        l.setWaker(null);
        if (depth >= 0) {
            wake(l, depth);
        }
    }

    /** A charge was made or a CPU taken: makes sure {@code schedcpu} runs within a second. */
    void charged() {
        if (!decaying.get() && decaying.compareAndSet(false, true)) {
            Callout c = schedcpu;
            Kernel k = kernel;
            if (c != null && k != null && !k.halting()) {
                c.schedule(k.hz());
            }
        }
    }

    /**
     * The 1, 5 and 15 minute load averages: the number of lwps holding or waiting for a CPU (interrupt work
     * not counted), sampled once a second while anything is charged and averaged exponentially, as 4.4BSD's
     * {@code averunnable}.
     */
    public synchronized double[] loadAverage() {
        return loadavg.clone();
    }

    /** Lwps that hold or wait for a CPU now, interrupt work left out. */
    private int runnable() {
        int n = 0;
        for (Cpu c : cpus) {
            Lwp o = c.owner();
            if (o != null && !o.interrupt()) {
                n++;
            }
        }
        lock.enter();
        try {
            for (int i = 0; i < waiting.size(); i++) {
                if (!waiting.get(i).interrupt()) {
                    n++;
                }
            }
        } finally {
            lock.exit();
        }
        return n;
    }

    /**
     * 4.4BSD's {@code schedcpu}, once a second: samples the load, then decays every process's {@code estcpu}
     * by {@code 2*load/(2*load+1)} ({@link Priority#decay}). It stops re-arming once nothing is left to decay,
     * so an idle kernel takes no clock interrupts for it.
     */
    private void schedcpu() {
        int n = runnable();
        double load;
        synchronized (this) {
            long now = clock.monotonicNanos();
            double secs = Math.max(0, (now - lastSample) / 1e9);
            lastSample = now;
            for (int i = 0; i < loadavg.length; i++) {
                double e = Math.exp(-secs / LOAD_PERIODS[i]);
                loadavg[i] = loadavg[i] * e + n * (1 - e);
            }
            load = loadavg[0];
        }
        boolean more = n > 0;
        for (Cpu c : cpus) {
            c.accountWanted = true;
        }
        for (Proc p : kernel.procs()) {
            more |= p.schedcpu(load);
        }
        if (nwaiting > 0) {
            lock.enter();
            try {
                refresh(); // the waiters' priorities moved: what preemption points compare against moves too
                handed.broadcast();
            } finally {
                lock.exit();
            }
        }
        if (more && !kernel.halting()) {
            schedcpu.schedule(kernel.hz());
            return;
        }
        decaying.set(false);
        for (Proc p : kernel.procs()) {
            if (p.hasEstcpu()) {
                charged();
                return;
            }
        }
    }
}
