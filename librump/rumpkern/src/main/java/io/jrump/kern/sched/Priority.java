package io.jrump.kern.sched;

/**
 * Scheduling priorities, in 4.4BSD's convention: a lower number is more urgent. Interrupt-level work
 * ({@link #INTERRUPT}: softints, the clock) is above everything, then kernel threads ({@link #KERNEL}),
 * then processes, whose priority is computed from their recent CPU use by 4.4BSD's rule ({@link #user}).
 *
 * <p>The rule, from McKusick, Bostic, Karels and Quarterman, <i>The Design and Implementation of the
 * 4.4BSD Operating System</i> (1996), section 4.4, "Process Scheduling": a process's {@code p_estcpu}
 * grows by one for each clock tick in which it held the CPU, and once a second it decays by the factor
 * {@code (2 * load) / (2 * load + 1)} ({@link #decayFactor}), {@code load} being the load average, so
 * that about 90% of the CPU use is forgotten in 5 seconds whatever the load; the user priority is
 * {@code PUSER + p_estcpu / 4 + 2 * p_nice}, at most {@link #MAXPRI}. A process that uses much CPU falls
 * behind one that uses little, which is what LRP (seed 003, "TCP protocol processing") relies on: the
 * protocol processing of an overloaded socket is charged to its process, whose priority decays, so it
 * falls behind, its channel fills and the interface drops the excess.
 */
public final class Priority {
    /** Interrupt level: softints, callouts. Takes a virtual CPU before any lwp (see {@link Scheduler}). */
    public static final int INTERRUPT = 0;
    /** Kernel threads unless created with another priority (4.4BSD's {@code PZERO}). */
    public static final int KERNEL = 22;
    /** The base of user priorities (4.4BSD's {@code PUSER}). */
    public static final int PUSER = 50;
    /** The least urgent priority (4.4BSD's {@code MAXPRI}). */
    public static final int MAXPRI = 127;
    /** The range of {@code nice}. */
    public static final int NICE_MIN = -20;
    public static final int NICE_MAX = 20;
    /** {@code p_estcpu} never grows past this (4.4BSD keeps it in an unsigned char). */
    public static final int ESTCPU_MAX = 255;

    private Priority() {
    }

    /** A process's user priority from its {@code estcpu} and {@code nice}: {@code PUSER + estcpu/4 + 2*nice}. */
    public static int user(int estcpu, int nice) {
        int p = PUSER + Math.min(estcpu, ESTCPU_MAX) / 4 + 2 * nice;
        return Math.max(KERNEL + 1, Math.min(MAXPRI, p));
    }

    /** The once-a-second decay of {@code estcpu} at load average {@code load}: {@code 2*load / (2*load + 1)}. */
    public static double decayFactor(double load) {
        double l = Math.max(0, load);
        return 2 * l / (2 * l + 1);
    }

    /**
     * {@code estcpu} after one second's decay ({@code schedcpu}): {@code decayFactor(load) * estcpu + nice},
     * within 0 and {@link #ESTCPU_MAX}.
     */
    public static double decay(double estcpu, double load, int nice) {
        double e = decayFactor(load) * Math.min(estcpu, ESTCPU_MAX) + nice;
        return Math.max(0, Math.min(ESTCPU_MAX, e));
    }

    /** {@code nice} brought into {@link #NICE_MIN}..{@link #NICE_MAX}, as {@code setpriority(2)} clamps it. */
    public static int clampNice(int nice) {
        return Math.max(NICE_MIN, Math.min(NICE_MAX, nice));
    }
}
