package io.jrump.kern.intr;

import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Cpu;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.sched.Scheduler;
import io.jrump.hypercall.HyperClock;
import io.jrump.hypercall.HyperTimer;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The kernel's clock: ticks at {@code kern.hz}, per-CPU callout wheels, and one hypercall timer armed
 * for the earliest pending callout ("tickless": an idle kernel takes no clock interrupts). When the
 * timer fires, each CPU's due callouts run on that CPU, in expiry order, on the timer's thread; under
 * a {@link io.jrump.hypercall.ManualClock} that is the test's own thread, so when the test's
 * {@code advance} returns, every callout that was due has run.
 */
public final class Callouts {
    private final Kernel kernel;
    private final HyperClock clock;
    private final int hz;
    private final long bootNanos;
    private final HyperTimer timer;
    private final Lwp clockLwp;
    private final ThreadLocal<Callout> runningHere = new ThreadLocal<>();
    private long armedTick = Long.MAX_VALUE;
    /**
     * Callouts run. The timer runs them on one thread at a time, but not always the same thread (under a
     * manual clock, whichever thread advances it); an adder keeps the count exact without relying on that.
     */
    private final LongAdder fired = new LongAdder();

    public Callouts(Kernel kernel, int hz) {
        this.kernel = kernel;
        this.clock = kernel.hypercall().clock();
        this.hz = hz;
        this.bootNanos = clock.monotonicNanos();
        this.timer = clock.newTimer(kernel.id() + "/hardclock", this::hardclock);
        this.clockLwp = kernel.proc0().newLwp("hardclock");
        clockLwp.setPriority(io.jrump.kern.sched.Priority.INTERRUPT);
    }

    public long bootMonotonic() {
        return bootNanos;
    }

    public int hz() {
        return hz;
    }

    /** Ticks since boot. */
    public long ticks() {
        return (clock.monotonicNanos() - bootNanos) * hz / 1_000_000_000L;
    }

    /** Callouts that have run since boot. */
    public long fired() {
        return fired.sum();
    }

    long nanosToTicks(long nanos) {
        return Math.max(1, (nanos * hz + 999_999_999L) / 1_000_000_000L);
    }

    private long tickDeadline(long tick) {
        return bootNanos + (tick * 1_000_000_000L + hz - 1) / hz;
    }

    /** {@code callout_init} + {@code callout_setfunc}, on the caller's CPU (CPU 0 if it holds none). */
    public Callout create(String name, Runnable func) {
        Lwp l = kernel.curlwp();
        Cpu c = l != null && l.cpu() != null ? l.cpu() : kernel.scheduler().cpu(0);
        return new Callout(this, c.callouts, name, func);
    }

    void schedule(Callout c, long ticks) {
        long when = ticks() + Math.max(1, ticks);
        c.wheel.insert(c, when);
        rearm(when);
    }

    public boolean stop(Callout c) {
        return c.wheel.remove(c);
    }

    boolean runningOnThisThread(Callout c) {
        return runningHere.get() == c;
    }

    private synchronized void rearm(long tick) {
        if (tick < armedTick) {
            armedTick = tick;
            timer.arm(tickDeadline(tick));
        }
    }

    private void hardclock() {
        synchronized (this) {
            armedTick = Long.MAX_VALUE;
        }
        long now = ticks();
        Scheduler sched = kernel.scheduler();
        kernel.hypercall().threads().setCurLwp(clockLwp);
        try {
            for (int i = 0; i < sched.ncpu(); i++) {
                Cpu cpu = sched.cpu(i);
                List<Callout> due = cpu.callouts.expire(now);
                if (due.isEmpty()) {
                    continue;
                }
                Callout[] batch = due.toArray(new Callout[0]);
                sched.schedule(clockLwp, cpu);
                try {
                    for (Callout c : batch) {
                        run(c);
                    }
                } finally {
                    sched.unschedule(clockLwp);
                }
            }
        } finally {
            kernel.hypercall().threads().setCurLwp(null);
        }
        long next = Long.MAX_VALUE;
        for (int i = 0; i < sched.ncpu(); i++) {
            next = Math.min(next, sched.cpu(i).callouts.earliest());
        }
        if (next != Long.MAX_VALUE) {
            rearm(next);
        }
    }

    private void run(Callout c) {
        runningHere.set(c);
        try {
            fired.increment();
            c.func().run();
        } catch (RuntimeException | StackOverflowError e) {
            kernel.log("callout " + c.name() + ": " + e);
        } finally {
            c.running = false;
            runningHere.remove();
        }
    }

    /** Callouts pending on all CPUs. */
    public int pending() {
        int n = 0;
        for (int i = 0; i < kernel.scheduler().ncpu(); i++) {
            n += kernel.scheduler().cpu(i).callouts.count();
        }
        return n;
    }

    public void stop() {
        timer.close();
    }
}
