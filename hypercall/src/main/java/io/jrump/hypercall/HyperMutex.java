package io.jrump.hypercall;

/**
 * {@code rumpuser_mutex}: a non-recursive host lock. Entering a mutex the caller already holds is a
 * kernel bug ("locking against myself") and panics instead of deadlocking.
 */
public interface HyperMutex {
    void enter();

    /** Takes the mutex if it is free; never blocks. */
    boolean tryEnter();

    void exit();

    /** Whether the calling thread holds it (NetBSD's {@code mutex_owned}). */
    boolean owned();
}
