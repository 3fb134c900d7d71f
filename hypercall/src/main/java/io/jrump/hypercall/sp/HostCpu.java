package io.jrump.hypercall.sp;

import jnr.ffi.LibraryLoader;

/**
 * Pins the calling thread, and so every thread it starts afterwards, to the CPU it runs on
 * ({@code sched_setaffinity(2)}), for the sysproxy round-trip benchmark. On a host with few CPUs a
 * ping-pong's round trip is decided by where the scheduler puts its two threads (a hand-off on one CPU, or
 * a wake-up of an idle one, which in a VM costs several times more), and two ping-pongs in one run can land
 * differently; on one CPU both pay the same hand-offs, and the ratio measures the protocol, not the placement.
 */
public final class HostCpu {
    /** The libc calls used. */
    public interface LibC {
        int sched_getcpu();

        int sched_setaffinity(int pid, long cpusetsize, long[] mask);
    }

    private HostCpu() {
    }

    /** Pins to the current CPU and returns its number, or -1 if the host does not allow it. */
    public static int pinToCurrentCpu() {
        try {
            LibC libc = LibraryLoader.create(LibC.class).load("c");
            int cpu = libc.sched_getcpu();
            if (cpu < 0) {
                return -1;
            }
            long[] mask = new long[16];
            mask[cpu / 64] = 1L << (cpu % 64);
            return libc.sched_setaffinity(0, mask.length * 8L, mask) == 0 ? cpu : -1;
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }
}
