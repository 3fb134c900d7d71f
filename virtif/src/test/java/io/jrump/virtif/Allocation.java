package io.jrump.virtif;

import java.lang.management.ManagementFactory;

/** Bytes a thread has allocated, from HotSpot's per-thread counter, for the no-garbage tests. */
final class Allocation {
    private Allocation() {
    }

    static com.sun.management.ThreadMXBean bean() {
        return (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    }

    static long ofCurrentThread() {
        return bean().getCurrentThreadAllocatedBytes();
    }

    static long ofThread(long id) {
        return bean().getThreadAllocatedBytes(id);
    }
}
