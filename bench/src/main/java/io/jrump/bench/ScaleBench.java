package io.jrump.bench;

import io.jrump.hypercall.HostHypercall;
import io.jrump.hypercall.HyperClock;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.module.ComponentRegistry;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.virtif.EtherSegment;
import io.jrump.virtif.Hub;
import io.jrump.virtif.LearningSwitch;
import io.jrump.wire.Ipv4Address;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Thousands of kernels with {@code rumpnet_netinet} on one in-process segment in one JVM (issue 15, "Scale"):
 * N = 1,000 and 5,000 on a {@link LearningSwitch} with ARP suppression. Per kernel it measures setup (boot, attach
 * {@code shmif0}, give it an address, bring it up, bind a UDP socket), the heap that stays (GC'd heap after setup
 * less before, over N) and the threads; then kernel 0 exchanges one datagram with every other kernel through real
 * sockets (a request to the other kernel's socket, which this thread reads there and answers from there, and the
 * answer read at kernel 0) and the time per exchange; then the time to halt them all. Linear growth means the
 * per-kernel figures at 5,000 stay within 1.5x of those at 1,000. The JVM's CPU and GC time per kernel are printed
 * beside the wall-clock times, since on a shared machine the wall clock also measures the other work.
 *
 * <p>A warm-up run of 2,000 kernels comes first, so that the JIT has compiled boot, ARP and UDP before the 1,000
 * are measured (otherwise compilation inflates the smaller run and flatters the ratio). Then each size runs twice,
 * alternating, and each figure is the better of its two: on a shared machine the load of the moment moves the wall
 * clock more than N does. All kernels share one host clock ({@link HostHypercall#sharedClock()}), so their
 * callouts run on one timer thread rather than one each. The baselines, measured in
 * the same run at a smaller N ({@code -Dbaseline=}, 500 by default, since they grow with N squared), are the
 * {@link Hub}, where every frame reaches every kernel, and the switch without ARP suppression, where every ARP
 * request and every gratuitous ARP still does.
 */
public final class ScaleBench {
    private static final int PORT = 7;

    /** What one size measured, per kernel. */
    private record Run(int n, double setupMs, double exchangeMs, double haltMs, double heapKb, double threads,
            double threadsAfterExchange) {
        /** Each time of the faster of two runs of one size; heap and threads of the one that kept more. */
        static Run faster(Run x, Run y) {
            return new Run(x.n, Math.min(x.setupMs, y.setupMs), Math.min(x.exchangeMs, y.exchangeMs),
                    Math.min(x.haltMs, y.haltMs), Math.max(x.heapKb, y.heapKb), Math.max(x.threads, y.threads),
                    Math.max(x.threadsAfterExchange, y.threadsAfterExchange));
        }
    }

    /** The JVM's CPU and GC time so far, to tell work that grows with N from a busy machine. */
    private record Cost(long cpuNanos, long gcMillis) {
        static Cost now() {
            long ms = 0;
            for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                ms += Math.max(0, gc.getCollectionTime());
            }
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            return new Cost(os.getProcessCpuTime(), ms);
        }

        String since(Cost c, int per) {
            return String.format("cpu %.3f ms, gc %.3f ms", (cpuNanos - c.cpuNanos) / 1e6 / per,
                    (gcMillis - c.gcMillis) / (double) per);
        }
    }

    private ScaleBench() {
    }

    public static void main(String[] args) throws Exception {
        int small = Integer.getInteger("small", 1000);
        int large = Integer.getInteger("large", 5000);
        int base = Integer.getInteger("baseline", 500);
        // one host clock for all kernels: their callouts share one timer thread instead of starting one each
        HyperClock clock = HostHypercall.sharedClock();
        Function<String, EtherSegment> suppressing = name -> {
            LearningSwitch s = new LearningSwitch(name, clock);
            s.setArpSuppression(true);
            return s;
        };
        run(2 * small, clock, suppressing, "warm-up");
        // each size twice, alternating, and the faster of the two kept: on a shared machine the load of the moment
        // moves the wall clock more than N does
        Run a1 = run(small, clock, suppressing, "switch");
        Run b1 = run(large, clock, suppressing, "switch");
        Run a2 = run(small, clock, suppressing, "switch");
        Run b2 = run(large, clock, suppressing, "switch");
        Run a = Run.faster(a1, a2);
        Run b = Run.faster(b1, b2);
        Run hub = run(base, clock, Hub::new, "hub");
        Run plain = run(base, clock, name -> new LearningSwitch(name, clock), "switch without ARP suppression");
        Run sw = run(base, clock, suppressing, "switch");

        System.out.println("command: bench/run scale");
        System.out.println("N kernels (1 cpu, rumpnet_netinet, shmif0 on one in-process segment) in one JVM; kernel 0"
                + " exchanges one UDP datagram (request and reply) with each other kernel");
        for (Run r : List.of(a1, b1, a2, b2)) {
            System.out.printf("  switch N=%5d: setup %.3f ms/kernel, exchange %.3f ms/kernel, halt %.3f ms/kernel,"
                    + " heap %.1f KB/kernel, threads %.2f/kernel (%.2f after the exchange)%n", r.n, r.setupMs,
                    r.exchangeMs, r.haltMs, r.heapKb, r.threads, r.threadsAfterExchange);
        }
        System.out.printf("  5k/1k: setup %.2fx, exchange %.2fx (targets <= 1.5x); heap target <= 128 KB/kernel%n",
                b.setupMs / a.setupMs, b.exchangeMs / a.exchangeMs);
        System.out.printf("  baseline N=%d, exchange per kernel: hub %.3f ms, switch without ARP suppression %.3f ms,"
                + " switch %.3f ms (hub/switch %.1fx); setup per kernel: hub %.3f ms, switch without suppression %.3f ms,"
                + " switch %.3f ms%n", base, hub.exchangeMs, plain.exchangeMs, sw.exchangeMs,
                hub.exchangeMs / sw.exchangeMs, hub.setupMs, plain.setupMs, sw.setupMs);
        System.out.printf("RESULT scale setup_ms_per_kernel_1k=%.3f setup_ms_per_kernel_5k=%.3f"
                        + " exchange_ms_per_kernel_1k=%.3f exchange_ms_per_kernel_5k=%.3f heap_kb_per_kernel=%.1f"
                        + " threads_per_kernel=%.2f threads_per_kernel_after_exchange=%.2f halt_ms_per_kernel_5k=%.3f"
                        + " baseline_n=%d hub_setup_ms_per_kernel=%.3f hub_exchange_ms_per_kernel=%.3f"
                        + " switch_exchange_ms_per_kernel=%.3f hub_over_switch=%.1f%n",
                a.setupMs, b.setupMs, a.exchangeMs, b.exchangeMs, Math.max(a.heapKb, b.heapKb),
                Math.max(a.threads, b.threads), Math.max(a.threadsAfterExchange, b.threadsAfterExchange), b.haltMs,
                base, hub.setupMs, hub.exchangeMs, sw.exchangeMs, hub.exchangeMs / sw.exchangeMs);
    }

    private static Run run(int n, HyperClock clock, Function<String, EtherSegment> segments, String what)
            throws Exception {
        var mem = ManagementFactory.getMemoryMXBean();
        var threads = ManagementFactory.getThreadMXBean();
        long heap0 = BootBench.usedAfterGc(mem);
        int threads0 = threads.getThreadCount();
        EtherSegment seg = segments.apply("scale");
        // as an embedder that boots many kernels would: the class path is scanned for components once
        ComponentRegistry components = ComponentRegistry.load();
        Kernel[] k = new Kernel[n];
        int[] sock = new int[n];
        Cost c0 = Cost.now();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            k[i] = Kernel.boot(KernelConfig.builder().hostname("k" + i).ncpu(1).registry(components)
                    .hypercall(HostHypercall.builder().environment(Map.of()).clock(clock).build())
                    .component("rumpnet_netinet").build());
            UdpPpsBench.up(k[i], seg, address(i), 15);
            Syscalls s = k[i].syscalls();
            sock[i] = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            s.setsockopt(sock[i], SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 20_000);
            s.bind(sock[i], SockAddr.in(address(i), PORT));
        }
        long setup = System.nanoTime() - t0;
        Cost c1 = Cost.now();
        long heap1 = BootBench.usedAfterGc(mem);
        int threads1 = threads.getThreadCount();

        Cost c2 = Cost.now();
        long t1 = System.nanoTime();
        exchange(k, sock);
        long exchange = System.nanoTime() - t1;
        Cost c3 = Cost.now();
        int threads2 = threads.getThreadCount();

        long t2 = System.nanoTime();
        List<String> dirty = new ArrayList<>();
        for (Kernel kk : k) {
            HaltReport r = kk.halt();
            if (!r.clean()) {
                dirty.add(kk.hostname() + ": " + r);
            }
        }
        long halt = System.nanoTime() - t2;
        if (!dirty.isEmpty()) {
            throw new IllegalStateException(dirty.size() + " kernels did not halt clean, first: " + dirty.get(0));
        }
        Run r = new Run(n, setup / 1e6 / n, exchange / 1e6 / (n - 1), halt / 1e6 / n, (heap1 - heap0) / 1024.0 / n,
                (threads1 - threads0) / (double) n, (threads2 - threads0) / (double) n);
        System.out.printf("  %s N=%d: setup %.1f s (%s per kernel), exchange %.1f s (%s per kernel), halt %.1f s;"
                        + " %.1f KB and %.2f threads per kernel%n", what, n, setup / 1e9, c1.since(c0, n),
                exchange / 1e9, c3.since(c2, n - 1), halt / 1e9, r.heapKb, r.threads);
        return r;
    }

    /** Kernel 0 sends "ping i" to kernel i, which reads it and answers "pong i"; kernel 0 reads the answer. */
    private static void exchange(Kernel[] k, int[] sock) throws Exception {
        Syscalls s0 = k[0].syscalls();
        ByteBuffer buf = ByteBuffer.allocate(64);
        SockAddr from = new SockAddr();
        for (int i = 1; i < k.length; i++) {
            String req = "ping " + i;
            s0.sendto(sock[0], ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII)), 0, SockAddr.in(address(i), PORT));
            Syscalls si = k[i].syscalls();
            buf.clear();
            int len = si.recvfrom(sock[i], buf, 0, from);
            String got = new String(buf.array(), 0, len, StandardCharsets.US_ASCII);
            if (!got.equals(req)) {
                throw new IllegalStateException("kernel " + i + " received '" + got + "', not '" + req + "'");
            }
            String answer = "pong " + i;
            si.sendto(sock[i], ByteBuffer.wrap(answer.getBytes(StandardCharsets.US_ASCII)), 0, from);
            buf.clear();
            len = s0.recvfrom(sock[0], buf, 0, null);
            got = new String(buf.array(), 0, len, StandardCharsets.US_ASCII);
            if (!got.equals(answer)) {
                throw new IllegalStateException("kernel 0 received '" + got + "', not '" + answer + "'");
            }
        }
    }

    /** 198.18.0.0/15 is the benchmarking range (RFC 2544 appendix C.2.2); kernel i gets 198.18.0.1 + i. */
    private static String address(int i) {
        return Ipv4Address.format(Ipv4Address.parse("198.18.0.1") + i);
    }
}
