package io.jrump.bench;

import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Boot time and retained heap of a bare kernel in a warm JVM (issue 2). The baseline measured in the
 * same run is the cost of starting and joining one host thread, the one thing a kernel boot cannot
 * avoid (its softint thread); NetBSD's figures (about 10 ms and 0.7 to 1.5 MB) are printed for scale.
 */
public final class BootBench {
    private BootBench() {
    }

    public static void main(String[] args) throws Exception {
        int warm = Integer.getInteger("warmup", 3000);
        int n = Integer.getInteger("iterations", 2000);
        int keep = Integer.getInteger("retained", 500);

        for (int i = 0; i < warm; i++) {
            bootOnce().halt();
        }
        long[] boot = new long[n];
        long[] halt = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            Kernel k = bootOnce();
            long t1 = System.nanoTime();
            HaltReport r = k.halt();
            long t2 = System.nanoTime();
            if (!r.clean()) {
                throw new IllegalStateException(r.toString());
            }
            boot[i] = t1 - t0;
            halt[i] = t2 - t1;
        }
        long[] thread = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            Thread t = new Thread(() -> { });
            t.start();
            t.join();
            thread[i] = System.nanoTime() - t0;
        }

        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long before = usedAfterGc(mem);
        List<Kernel> live = new ArrayList<>(keep);
        for (int i = 0; i < keep; i++) {
            live.add(bootOnce());
        }
        long after = usedAfterGc(mem);
        long retainedBytes = (after - before) / keep;
        for (Kernel k : live) {
            k.halt();
        }

        double medianMs = pct(boot, 50) / 1e6;
        double p99Ms = pct(boot, 99) / 1e6;
        double threadMs = pct(thread, 50) / 1e6;
        System.out.println("command: bench/run boot   (java -cp bench/target/classes:bench/target/lib/* io.jrump.bench.BootBench)");
        System.out.printf("bare kernel (1 cpu, default host hypercall, components from ServiceLoader), %d boots after %d warm-up%n", n, warm);
        System.out.printf("  boot  median %.3f ms  p99 %.3f ms%n", medianMs, p99Ms);
        System.out.printf("  halt  median %.3f ms  p99 %.3f ms%n", pct(halt, 50) / 1e6, pct(halt, 99) / 1e6);
        System.out.printf("  baseline: start+join of one host thread, median %.3f ms (boot/thread = %.1fx)%n",
                threadMs, medianMs / threadMs);
        System.out.printf("  retained heap per live kernel: %d bytes (%d kernels alive at once)%n", retainedBytes, keep);
        System.out.printf("  targets: median < 1 ms, retained < 1024 KB; NetBSD rump: ~10 ms, 700-1500 KB%n");
        System.out.printf("RESULT boot median_ms=%.3f p99_ms=%.3f retained_kb=%.1f thread_ms=%.3f ratio_vs_thread=%.2f%n",
                medianMs, p99Ms, retainedBytes / 1024.0, threadMs, medianMs / threadMs);
    }

    private static Kernel bootOnce() throws Exception {
        return Kernel.boot(KernelConfig.builder().ncpu(1).hostname("bench")
                .hypercall(HostHypercall.builder().environment(Map.of()).build()).build());
    }

    /** Heap in use once repeated collections stop freeing anything. */
    static long usedAfterGc(MemoryMXBean mem) throws InterruptedException {
        long prev = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            Thread.sleep(20);
            long u = mem.getHeapMemoryUsage().getUsed();
            if (Math.abs(prev - u) < 4096) {
                return u;
            }
            prev = u;
        }
        return prev;
    }

    private static long pct(long[] v, int p) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)];
    }
}
