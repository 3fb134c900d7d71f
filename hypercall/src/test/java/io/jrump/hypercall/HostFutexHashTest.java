package io.jrump.hypercall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import jnr.ffi.LibraryLoader;
import org.junit.jupiter.api.Test;

/** A JVM whose kernels start hundreds of threads uses the system-wide futex hash (Linux 6.16 and later). */
class HostFutexHashTest {
    private static final int PR_FUTEX_HASH = 78;
    private static final int PR_FUTEX_HASH_GET_SLOTS = 2;

    @Test
    void pastTheThresholdTheProcessUsesTheGlobalFutexHash() throws Exception {
        assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "a Linux prctl");
        HostFutexHash.LibC libc = LibraryLoader.create(HostFutexHash.LibC.class).load("c");
        assumeTrue(libc.prctl(PR_FUTEX_HASH, PR_FUTEX_HASH_GET_SLOTS, 0, 0, 0) >= 0,
                "a kernel with per-process futex hashes (6.16 or later)");
        HostHypercall hc = HostHypercall.builder().environment(Map.of()).build();
        CountDownLatch done = new CountDownLatch(1);
        List<HyperThread> threads = new ArrayList<>();
        for (int i = 0; i <= HostFutexHash.THRESHOLD; i++) {
            threads.add(hc.threads().create("parked" + i, () -> {
                try {
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        try {
            assertEquals(0, libc.prctl(PR_FUTEX_HASH, PR_FUTEX_HASH_GET_SLOTS, 0, 0, 0),
                    "0 slots: the process uses the system-wide hash");
        } finally {
            done.countDown();
            for (HyperThread t : threads) {
                t.join(5_000_000_000L);
            }
        }
    }
}
