package io.jrump.kern.sched;

import io.jrump.kern.Kernel;
import io.jrump.kern.intr.CalloutWheel;
import io.jrump.kern.intr.SoftintQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A virtual CPU ({@code struct cpu_info}). Kernel code runs only while its lwp holds one, so
 * {@code -c ncpu} bounds how much kernel code runs at once, as in NetBSD's rump scheduler. A CPU owns
 * per-CPU state that its holder may touch without locks: the pool caches; the softint queue and callout
 * wheel are per CPU too but take their own locks, since interrupts reach them from other threads.
 */
public final class Cpu {
    private final int index;
    private final AtomicReference<Lwp> owner = new AtomicReference<>();
    public final SoftintQueue softints;
    public final CalloutWheel callouts;
    private Object[] poolCaches = new Object[8];
    /**
     * Written only by the thread that has just taken this CPU, so no update is lost: the owner's
     * compare-and-set orders one holder's increment before the next's. A plain field keeps
     * {@code rump_schedule}, which every syscall takes, free of a second atomic; a reader on another
     * thread may see a count a few schedules old.
     */
    private long schedules;
    /**
     * Set while interrupt-level work waits for this CPU: its holder gives it up at its next preemption point
     * ({@link Scheduler}). Written under the scheduler's lock, read by the holder without it.
     */
    volatile boolean interruptWanted;
    /** Set once a second by {@code schedcpu}: the holder charges the time it has used at its next preemption point. */
    volatile boolean accountWanted;

    /**
     * The interrupt lwp whose context handlers run in when this CPU takes them on the thread of the lwp it
     * interrupted ({@link Scheduler#preemptionPoint}); made by the first holder that needs it.
     */
    Lwp intrLwp;

    public Cpu(int index, SoftintQueue softints, CalloutWheel callouts) {
        this.index = index;
        this.softints = softints;
        this.callouts = callouts;
    }

    public int index() {
        return index;
    }

    /** The lwp running on this CPU, or null if it is idle. */
    public Lwp owner() {
        return owner.get();
    }

    /**
     * Whether the CPU is held by an lwp in user mode ({@link UserCpu}, outside a syscall), which takes pending
     * softints at its next preemption point, or by the interrupt lwp such an lwp is taking them as. Read from
     * other threads without synchronisation: a hint.
     */
    public boolean heldInUserMode() {
        Lwp o = owner.get();
        return o != null && (o.userNow || o == intrLwp);
    }

    /** Whether interrupt-level work waits for this CPU, which its holder then gives up at a preemption point. */
    public boolean interruptPending() {
        return interruptWanted;
    }

    /** How many times an lwp was scheduled onto this CPU. */
    public long schedules() {
        return schedules;
    }

    boolean tryTake(Lwp l) {
        if (owner.compareAndSet(null, l)) {
            schedules++;
            return true;
        }
        return false;
    }

    /** Passes the CPU from its holder {@code from} straight to {@code to}, with no moment free between. */
    void handOver(Lwp from, Lwp to) {
        if (!owner.compareAndSet(from, to)) {
            throw new IllegalStateException("cpu" + index + " handed over by " + from + " but held by " + owner.get());
        }
    }

    void free(Lwp l) {
        if (!owner.compareAndSet(l, null)) {
            throw new IllegalStateException("cpu" + index + " released by " + l + " but held by " + owner.get());
        }
    }

    /** The per-CPU cache slot of pool {@code id}; only the CPU's holder may use it. */
    public Object poolCache(int id) {
        return id < poolCaches.length ? poolCaches[id] : null;
    }

    public void setPoolCache(int id, Object cache) {
        if (id >= poolCaches.length) {
            poolCaches = java.util.Arrays.copyOf(poolCaches, Math.max(id + 1, poolCaches.length * 2));
        }
        poolCaches[id] = cache;
    }

    @Override
    public String toString() {
        return "cpu" + index;
    }
}
