package io.jrump.kern.intr;

import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Cpu;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.sched.Priority;
import io.jrump.kern.sched.Scheduler;
import io.jrump.hypercall.HyperThread;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The kernel's software interrupts: a thread per virtual CPU that runs the CPU's pending handlers while
 * holding that CPU. A handler that throws is reported on the console and counted; the thread goes on,
 * so one bad packet cannot stop the network bottom half.
 *
 * <p>Softints run at interrupt level ({@link Priority#INTERRUPT}): their thread takes its CPU before any
 * waiting lwp, makes the lwp holding it give it up at its next preemption point, and keeps it while work
 * keeps arriving ({@link io.jrump.kern.sched.Scheduler}). Work that must not have that precedence, such as
 * LRP's protocol processing, belongs on an lwp instead ({@link Kernel#createKThread(String,
 * io.jrump.kern.sched.Proc, Runnable)}).
 */
public final class Softints {
    private final Kernel kernel;
    private final List<HyperThread> threads = new ArrayList<>();
    private final List<Softint> established = new ArrayList<>();
    /** Failed handler runs, counted by every CPU's softint thread and by interrupt tails. */
    private final LongAdder failures = new LongAdder();

    public Softints(Kernel kernel) {
        this.kernel = kernel;
    }

    public void start() {
        Scheduler sched = kernel.scheduler();
        for (int i = 0; i < sched.ncpu(); i++) {
            Cpu cpu = sched.cpu(i);
            cpu.softints.deferWhile(cpu::heldInUserMode, kernel.hypercall().clock());
            Lwp l = kernel.proc0().newLwp("softint/" + i);
            l.setPriority(Priority.INTERRUPT);
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
        InterruptTail t = l == null ? null : l.tail;
        if (t != null && l.cpu() == null && t.add(s)) {
            return;
        }
        Cpu c = l != null && l.cpu() != null ? l.cpu() : kernel.scheduler().cpu(0);
        c.softints.schedule(s);
    }

    /**
     * An interrupt tail for the calling thread, a backend's receive thread: the softints that thread
     * schedules are kept and run by {@link InterruptTail#run()} on that same thread, holding a free CPU,
     * when the thread has taken a burst of interrupts; no other thread is woken for them. This is Linux's
     * {@code irq_exit} running the softirqs its interrupt raised, and NetBSD's fast softints, which run on the
     * interrupted CPU: a frame goes from the device to the socket on one host thread, with no wakeup of a
     * second thread and no move of its data to another host CPU's cache.
     */
    public InterruptTail interruptTail(String name) {
        Lwp l = kernel.proc0().newLwp(name);
        l.setPriority(Priority.INTERRUPT);
        InterruptTail t = new InterruptTail(l, Thread.currentThread(), true);
        l.tail = t;
        kernel.hypercall().threads().setCurLwp(l);
        return t;
    }

    /**
     * An interrupt tail for the calling thread that is not its standing context, as {@link #interruptTail}'s
     * is: it keeps only the softints the thread schedules between {@link InterruptTail#beginCollect} and
     * {@link InterruptTail#endCollect}, and binds the thread to its lwp only then and while it
     * {@linkplain InterruptTail#run runs}. For a thread of another kernel that hands this one frames from
     * inside its own system call (an in-memory wire), and runs the tail once that call has returned
     * ({@link Lwp#runAtReturn}).
     */
    public InterruptTail senderTail(String name) {
        Lwp l = kernel.proc0().newLwp(name);
        l.setPriority(Priority.INTERRUPT);
        InterruptTail t = new InterruptTail(l, Thread.currentThread(), false);
        l.tail = t;
        return t;
    }

    /**
     * The softints one interrupt thread scheduled, run on that thread ({@link #interruptTail}). Whoever
     * reconfigures the thread's link may {@link #close} it from another thread meanwhile, so it is locked.
     */
    public final class InterruptTail {
        private final Lwp lwp;
        private final Thread owner;
        /** Whether the owner thread is bound to the lwp for good ({@link #interruptTail}) or only at times. */
        private final boolean bound;
        private final ArrayList<Softint> pending = new ArrayList<>();
        private boolean closed;

        private InterruptTail(Lwp lwp, Thread owner, boolean bound) {
            this.lwp = lwp;
            this.owner = owner;
            this.bound = bound;
        }

        /** Whether the calling thread is the one this tail was made on. */
        public boolean isOwner() {
            return Thread.currentThread() == owner;
        }

        /** Whether the thread this tail was made on still runs (a tail of one that ended can be closed). */
        public boolean ownerAlive() {
            return owner.isAlive();
        }

        public synchronized boolean isClosed() {
            return closed;
        }

        /**
         * A {@link #senderTail}'s owner, holding no lwp of this kernel: from here to {@link #endCollect} the
         * softints it schedules here are kept for the next {@link #run}. Returns the thread's binding, for
         * {@code endCollect}.
         */
        public Object beginCollect() {
            Object prev = kernel.hypercall().threads().curLwp();
            kernel.hypercall().threads().setCurLwp(lwp);
            return prev;
        }

        /** Ends {@link #beginCollect}, restoring the thread's binding {@code prev}. */
        public void endCollect(Object prev) {
            kernel.hypercall().threads().setCurLwp(prev);
        }

        /** Keeps {@code s} for the next {@link #run}; false once closed (the caller schedules it elsewhere). */
        synchronized boolean add(Softint s) {
            if (closed) {
                return false;
            }
            if (!pending.contains(s)) {
                pending.add(s);
            }
            return true;
        }

        /**
         * Runs the softints scheduled since the last run, holding a CPU; on the owner thread only. Handlers
         * that schedule softints meanwhile hold a CPU, so theirs go to that CPU's softint thread.
         */
        public synchronized void run() {
            if (pending.isEmpty() || closed) {
                return;
            }
            Scheduler sched = kernel.scheduler();
            Object prev = bound ? null : beginCollect();
            sched.schedule(lwp, null);
            try {
                for (int i = 0; i < pending.size(); i++) {
                    Softints.this.run(pending.get(i));
                }
            } finally {
                pending.clear();
                sched.unschedule(lwp);
                if (!bound) {
                    endCollect(prev);
                }
            }
        }

        /**
         * Hands what is pending to CPU 0's softint thread instead of running it here: for an interrupt thread
         * that has more interrupts waiting, so that its next burst and this one's protocol work overlap, as
         * Linux leaves softirqs to {@code ksoftirqd} when they keep coming.
         */
        public synchronized void defer() {
            for (Softint s : pending) {
                kernel.scheduler().cpu(0).softints.schedule(s);
            }
            pending.clear();
        }

        /**
         * Ends the tail, from any thread: what is still pending goes to CPU 0's softint thread, the lwp exits,
         * and the owner thread's later softints go to CPU 0 as any interrupt thread's do.
         */
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            lwp.tail = null;
            defer();
            kernel.proc0().lwpExit(lwp);
        }
    }

    /**
     * Runs the handlers pending on {@code c} on the calling thread, which holds {@code c} as an interrupt lwp
     * in place of the lwp it interrupted ({@link Scheduler#preemptionPoint}): a processor takes an interrupt
     * on the stack of whatever it was running, with no other thread to wake, and returns to it when the
     * handlers are done, as 4.4BSD runs {@code ipintr} on the interrupted process's way back to user mode.
     * Returns how many handlers ran.
     */
    public int runInterrupted(Cpu c) {
        int n = 0;
        Softint s;
        while ((s = c.softints.pollInterrupted()) != null) {
            try {
                run(s);
            } finally {
                c.softints.endInterrupted();
            }
            n++;
        }
        return n;
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
        return failures.sum();
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
            s.runs.increment();
            s.handler().run();
        } catch (RuntimeException | StackOverflowError e) {
            failures.increment();
            kernel.log("softint " + s.name() + ": " + e);
        }
    }

    public void stop() {
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
