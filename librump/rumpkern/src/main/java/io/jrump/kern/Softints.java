package io.jrump.kern;

import io.jrump.hypercall.HyperThread;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The kernel's software interrupts: a thread per virtual CPU that runs the CPU's pending handlers while
 * holding that CPU. A handler that throws is reported on the console and counted; the thread goes on,
 * so one bad packet cannot stop the network bottom half.
 */
public final class Softints {
    private final Kernel kernel;
    private final List<HyperThread> threads = new ArrayList<>();
    private final List<Softint> established = new ArrayList<>();
    private volatile long failures;

    Softints(Kernel kernel) {
        this.kernel = kernel;
    }

    void start() {
        Scheduler sched = kernel.scheduler();
        for (int i = 0; i < sched.ncpu(); i++) {
            Cpu cpu = sched.cpu(i);
            Lwp l = kernel.proc0().newLwp("softint/" + i);
            threads.add(kernel.hypercall().threads().create(
                    kernel.id() + "/softint/cpu" + i, () -> loop(cpu, l)));
        }
    }

    /** {@code softint_establish}. */
    public synchronized Softint establish(String name, int level, Runnable handler) {
        Softint s = new Softint(name, level, handler, kernel.scheduler().ncpu());
        established.add(s);
        return s;
    }

    /** {@code softint_disestablish}: the handler will not run again once pending runs finish. */
    public synchronized void disestablish(Softint s) {
        s.disestablish();
        established.remove(s);
    }

    /**
     * {@code softint_schedule}: runs {@code s} soon on the caller's CPU, or on CPU 0 if the caller holds
     * none (a backend's receive thread, which is an interrupt, not an lwp).
     */
    public void schedule(Softint s) {
        Lwp l = kernel.curlwp();
        Cpu c = l != null && l.cpu() != null ? l.cpu() : kernel.scheduler().cpu(0);
        c.softints.schedule(s);
    }

    /** Schedules {@code s} on a chosen CPU (receive-side steering). */
    public void scheduleOn(Softint s, int cpu) {
        kernel.scheduler().cpu(cpu).softints.schedule(s);
    }

    /** Waits until no softint is pending or running on any CPU. */
    public void drain() {
        Scheduler sched = kernel.scheduler();
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < sched.ncpu(); i++) {
                sched.cpu(i).softints.drain();
            }
        }
    }

    /** Handler runs that ended in an exception. */
    public long failures() {
        return failures;
    }

    private void loop(Cpu cpu, Lwp l) {
        kernel.hypercall().threads().setCurLwp(l);
        Scheduler sched = kernel.scheduler();
        for (;;) {
            Softint s = cpu.softints.take();
            if (s == null) {
                return;
            }
            sched.schedule(l, cpu);
            try {
                do {
                    run(s);
                } while ((s = cpu.softints.poll()) != null);
            } finally {
                sched.unschedule(l);
            }
        }
    }

    private void run(Softint s) {
        if (s.disestablished()) {
            return;
        }
        try {
            s.runs++;
            s.handler().run();
        } catch (RuntimeException | StackOverflowError e) {
            failures++;
            kernel.log("softint " + s.name() + ": " + e);
        }
    }

    void stop() {
        Scheduler sched = kernel.scheduler();
        for (int i = 0; i < sched.ncpu(); i++) {
            sched.cpu(i).softints.stop();
        }
        for (HyperThread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toNanos(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
