package io.jrump.kern.intr;

import java.util.concurrent.atomic.LongAdder;

/**
 * A software interrupt handler ({@code softint_establish}): deferred kernel work that runs soon, on a
 * CPU's softint thread, at one of NetBSD's four levels. The network "bottom half" (IP input, and the
 * AFPA hook later) runs at {@link #NET}. Scheduling a handler that is already pending on that CPU does
 * nothing, so a burst of packets costs one wakeup.
 */
public final class Softint {
    /** Levels, lowest priority first, as {@code SOFTINT_CLOCK < SOFTINT_BIO < SOFTINT_NET < SOFTINT_SERIAL}. */
    public static final int CLOCK = 0;
    public static final int BIO = 1;
    public static final int NET = 2;
    public static final int SERIAL = 3;
    static final int LEVELS = 4;

    private final String name;
    private final int level;
    private final Runnable handler;
    /** Per CPU, whether a run is queued there; read without the queue's lock, so volatile ({@link #pending}). */
    private final boolean[] pendingOn;
    private static final java.lang.invoke.VarHandle PENDING =
            java.lang.invoke.MethodHandles.arrayElementVarHandle(boolean[].class);
    private volatile boolean disestablished;
    /**
     * Runs of the handler. It may run on several CPUs at once (it is pending per CPU) and on interrupt
     * tails, so the count takes updates from many threads; a {@link LongAdder} loses none and keeps
     * them from contending on one word.
     */
    final LongAdder runs = new LongAdder();

    Softint(String name, int level, Runnable handler, int ncpu) {
        if (level < CLOCK || level > SERIAL) {
            throw new IllegalArgumentException("bad softint level " + level);
        }
        this.name = name;
        this.level = level;
        this.handler = handler;
        this.pendingOn = new boolean[ncpu];
    }

    static boolean pending(Softint s, int cpu) {
        return (boolean) PENDING.getVolatile(s.pendingOn, cpu);
    }

    static void setPending(Softint s, int cpu, boolean on) {
        PENDING.setVolatile(s.pendingOn, cpu, on);
    }

    public String name() {
        return name;
    }

    public int level() {
        return level;
    }

    /** How many times the handler has run. */
    public long runs() {
        return runs.sum();
    }

    Runnable handler() {
        return handler;
    }

    boolean disestablished() {
        return disestablished;
    }

    void disestablish() {
        disestablished = true;
    }
}
