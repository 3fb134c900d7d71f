package io.jrump.kern.sched;

import io.jrump.hypercall.HyperClock;
import io.jrump.hypercall.HyperCondVar;
import io.jrump.hypercall.HyperMutex;
import io.jrump.hypercall.Hypercall;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hands virtual CPUs to lwps ({@code rump_schedule}/{@code rump_unschedule}). An lwp takes a CPU when
 * it enters the kernel and gives it back when it leaves or sleeps, so a sleeping lwp never keeps
 * another from running. The CPU time between the two is charged to the lwp's process, which is how
 * protocol work done on a process's behalf is billed to it (LRP seed).
 */
public final class Scheduler {
    private final Cpu[] cpus;
    private final HyperMutex lock;
    private final HyperCondVar freed;
    private final HyperClock clock;
    private final AtomicInteger waiters = new AtomicInteger();

    public Scheduler(Hypercall hc, Cpu[] cpus) {
        this.cpus = cpus;
        this.lock = hc.sync().newMutex();
        this.freed = hc.sync().newCondVar();
        this.clock = hc.clock();
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

    /**
     * Gives {@code l} a CPU: {@code bound} if not null (softint threads are bound to theirs), else the
     * CPU it last ran on if free, else any free one, else it waits. Nested entries by an lwp that
     * already holds a CPU only count.
     */
    public void schedule(Lwp l, Cpu bound) {
        if (l.cpu() != null) {
            l.setNesting(l.nesting() + 1);
            return;
        }
        Cpu c = tryAny(l, bound);
        if (c == null) {
            waiters.incrementAndGet();
            lock.enter();
            try {
                while ((c = tryAny(l, bound)) == null) {
                    freed.await(lock);
                }
            } finally {
                lock.exit();
                waiters.decrementAndGet();
            }
        }
        l.onCpu(c, clock.runtimeNanos());
    }

    private Cpu tryAny(Lwp l, Cpu bound) {
        if (bound != null) {
            return bound.tryTake(l) ? bound : null;
        }
        Cpu last = l.lastCpu();
        if (last != null && last.tryTake(l)) {
            return last;
        }
        for (Cpu c : cpus) {
            if (c.tryTake(l)) {
                return c;
            }
        }
        return null;
    }

    /** Gives the CPU back and charges the time used to the lwp's process. */
    public void unschedule(Lwp l) {
        if (l.nesting() > 0) {
            l.setNesting(l.nesting() - 1);
            return;
        }
        Cpu c = l.cpu();
        if (c == null) {
            throw new IllegalStateException(l + " unscheduled without a CPU");
        }
        l.proc().charge(l.offCpu(clock.runtimeNanos()));
        c.free(l);
        if (waiters.get() > 0) {
            lock.enter();
            try {
                freed.broadcast();
            } finally {
                lock.exit();
            }
        }
    }

    /**
     * Gives the CPU up for a sleep, whatever the nesting, and returns the depth to restore with
     * {@link #wake}.
     */
    public int sleep(Lwp l) {
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
}
