package io.jrump.bench;

import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.virtif.Hub;
import io.jrump.virtif.LinkEmulator;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Part 3 of {@code bench/run dart}: 60 KB UDP datagrams from one kernel to another on the hub with 1500-byte
 * MTUs, each cut into 42 IP fragments, sent by one thread through the syscall interface, with the fragment
 * boundaries precomputed by the socket layer ({@code net.inet.udp.fragprecompute=1}: the chain is built one
 * fragment per mbuf and IP output only adds headers) against fragmenting after the fact (0: IP output cuts a
 * chain of 16 KB jumbo clusters, a new header mbuf and a shared copy of the data for each fragment).
 *
 * <p>The figure is the sending thread's CPU time per datagram ({@code ThreadMXBean}): the socket layer, UDP, IP
 * and the adapter putting each frame on the hub. The receiver sits behind a link emulator with a 1 ms delay on
 * its side, so its adapter's work and reassembly run on the emulator's timer thread and are not counted. Each
 * setting is measured three times after a warm-up, alternating, and the lower figure of each is kept. The ratio is
 * after the fact over precomputed.
 */
final class DartUdpFrag implements DartBench.Part {
    private static final int SIZE = 60 << 10;
    private static final int WARMUP = 3000;
    private static final int COUNT = 10000;

    @Override
    public String name() {
        return "udp";
    }

    @Override
    public Map<String, String> run() throws Exception {
        System.out.println("part 3: " + COUNT + " UDP datagrams of " + (SIZE >> 10) + " KB (42 fragments each at MTU"
                + " 1500) between two kernels on the hub, sender thread's CPU per datagram");
        double pre = Double.MAX_VALUE;
        double after = Double.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            pre = Math.min(pre, measure(true));
            after = Math.min(after, measure(false));
        }
        double ratio = after / pre;
        System.out.printf("  boundaries precomputed: %.1f us CPU per datagram%n", pre / 1e3);
        System.out.printf("  fragmented after the fact: %.1f us CPU per datagram%n", after / 1e3);
        System.out.printf("  udp_frag_cpu_ratio (after the fact / precomputed) %.2f (target > 1)%n", ratio);
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("udp_us_per_dgram_precomputed", String.format("%.1f", pre / 1e3));
        keys.put("udp_us_per_dgram_after", String.format("%.1f", after / 1e3));
        keys.put("udp_frag_cpu_ratio", String.format("%.2f", ratio));
        return keys;
    }

    private static Kernel boot(String name) throws Exception {
        return Kernel.boot(KernelConfig.builder().hostname(name).ncpu(1).memoryLimit(256 << 20)
                .hypercall(HostHypercall.builder().environment(Map.of()).build())
                .component("rumpnet_netinet").build());
    }

    /** Nanoseconds of the sending thread's CPU per datagram, on a fresh pair of kernels. */
    private static double measure(boolean precompute) throws Exception {
        Hub hub = new Hub("dart-udp");
        Kernel a = boot("tx");
        Kernel b = boot("rx");
        try {
            DartCpuPerByte.up(a, hub.attach(), "198.18.0.1", true);
            // The receiver behind a 1 ms delay: its adapter and reassembly run on the emulator's timer thread, not
            // on the sender's, so the sender's thread time is the sending path alone.
            DartCpuPerByte.up(b, new LinkEmulator(b.hypercall(), hub.attach(), "in.delay=1ms,limit=100000,"
                    + "limit-bytes=200000000"), "198.18.0.2", true);
            Syscalls sa = a.syscalls();
            Syscalls sb = b.syscalls();
            sa.sysctlWrite("net.inet.udp.fragprecompute", precompute ? "1" : "0");
            int r = sb.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            sb.setsockopt(r, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVBUF, 256 << 10);
            sb.setsockopt(r, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 200);
            sb.bind(r, SockAddr.in("198.18.0.2", 9));
            int s = sa.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            sa.setsockopt(s, SocketDefs.SOL_SOCKET, SocketDefs.SO_SNDBUF, 128 << 10);
            sa.connect(s, SockAddr.in("198.18.0.2", 9));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong received = new AtomicLong();
            Thread reader = new Thread(() -> {
                ByteBuffer buf = ByteBuffer.allocate(SIZE);
                while (!stop.get()) {
                    try {
                        sb.read(r, buf.clear());
                        received.incrementAndGet();
                    } catch (ErrnoException e) {
                        // a timeout: look at stop again
                    }
                }
            }, "dart udp reader");
            reader.start();
            ByteBuffer out = ByteBuffer.allocate(SIZE);
            send(sa, s, out, WARMUP);
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long got0 = received.get();
            long cpu0 = mx.getCurrentThreadCpuTime();
            send(sa, s, out, COUNT);
            long cpu1 = mx.getCurrentThreadCpuTime();
            stop.set(true);
            reader.join();
            String frag = precompute ? "precomputed" : "after the fact";
            System.out.printf("  %-15s %.2f s sender CPU for %d datagrams (%d reassembled by the receiver, whose one CPU drops what it cannot keep up with)%n", frag,
                    (cpu1 - cpu0) / 1e9, COUNT, received.get() - got0);
            sa.close(s);
            sb.close(r);
            return (double) (cpu1 - cpu0) / COUNT;
        } finally {
            a.halt();
            b.halt();
        }
    }

    private static void send(Syscalls sa, int s, ByteBuffer out, int n) throws ErrnoException {
        for (int i = 0; i < n; i++) {
            out.clear();
            try {
                sa.write(s, out);
            } catch (ErrnoException e) {
                // ENOBUFS under a burst: the datagram is lost, as UDP's are
            }
        }
    }
}
