package io.jrump.hypercall;

import jnr.ffi.LibraryLoader;

/**
 * Keeps thread hand-offs O(1) in a JVM that hosts thousands of kernels (one softint thread or more each).
 *
 * <p>Since Linux 6.16 a process gets a private futex hash whose size follows the number of CPUs, not threads
 * ({@code futex_hash_allocate_default}: four buckets per online CPU, at least 16), and a futex wake walks every
 * waiter in its bucket. Every parked Java thread waits on a futex of its own, so on a 2-CPU host with 10,000
 * parked threads each bucket holds some 600 waiters and every unpark costs tens of microseconds: a park/unpark
 * round trip measured 7 us with 100 idle threads, 20 us with 3,000 and 63 us with 10,000. Once the JVM has more
 * than {@link #THRESHOLD} threads the host layer moves the process to the system-wide hash
 * ({@code prctl(PR_FUTEX_HASH, PR_FUTEX_HASH_SET_SLOTS, 0)}), sized 256 buckets per possible CPU, which every
 * process used before 6.16; the round trip then stays at 6-7 us with 10,000 threads. On an older kernel, or
 * another OS, the call fails and nothing changes.
 *
 * <p>The switch is made once per process, when this class's holder is initialised; the outcome is a constant
 * from then on, so no state is shared between kernels.
 */
final class HostFutexHash {
    /** JVM threads past which the process's futex hash is widened; below it the private hash is not a cost. */
    static final int THRESHOLD = 256;

    private static final int PR_FUTEX_HASH = 78;
    private static final int PR_FUTEX_HASH_SET_SLOTS = 1;

    /** The libc call used. */
    public interface LibC {
        int prctl(int option, long arg2, long arg3, long arg4, long arg5);
    }

    private HostFutexHash() {
    }

    /** Widens the futex hash once the JVM runs more than {@link #THRESHOLD} threads. */
    static void threadsNow(int threads) {
        if (threads > THRESHOLD) {
            boolean ignored = Widened.DONE;
        }
    }

    /** Initialised, and so the hash widened, at most once per JVM. */
    private static final class Widened {
        static final boolean DONE = widen();

        private static boolean widen() {
            if (!System.getProperty("os.name", "").startsWith("Linux")) {
                return false;
            }
            try {
                LibC libc = LibraryLoader.create(LibC.class).load("c");
                return libc.prctl(PR_FUTEX_HASH, PR_FUTEX_HASH_SET_SLOTS, 0, 0, 0) == 0;
            } catch (RuntimeException | LinkageError e) {
                return false;
            }
        }
    }
}
