package io.jrump.bench;

import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.virtif.Hub;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Part 3 of {@code bench/run dart}: 60 KB UDP datagrams from one kernel onto the hub with 1500-byte
 * MTUs, each cut into 42 IP fragments, sent by one thread through the syscall interface, with the fragment
 * boundaries precomputed by the socket layer ({@code net.inet.udp.fragprecompute=1}: the chain is built one
 * fragment per mbuf, slices of shared 16 KB jumbo clusters with header room before each, and IP output only writes
 * headers into that room) against fragmenting after the fact (0: IP output cuts a
 * chain of 16 KB jumbo clusters, a new header mbuf and a shared copy of the data for each fragment).
 *
 * <p>The figure is the sending thread's CPU time per datagram ({@code ThreadMXBean}): the socket layer, UDP, IP
 * and the adapter putting each frame on the hub, from a kernel alone on the hub whose peer address has a permanent
 * ARP entry, so no receiver's or link emulator's work runs on the sending thread. Each setting is measured
 * {@value #ROUNDS} times over {@value #COUNT} datagrams after a warm-up, alternating, and the lowest figure of each is
 * kept. The ratio is after the fact over precomputed.
 */
final class DartUdpFrag implements DartBench.Part {
    private static final int SIZE = 60 << 10;
    private static final int WARMUP = 3000;
    private static final int COUNT = 50000;
    private static final int ROUNDS = 5;

    @Override
    public String name() {
        return "udp";
    }

    @Override
    public Map<String, String> run() throws Exception {
        System.out.println("part 3: " + COUNT + " UDP datagrams of " + (SIZE >> 10) + " KB (42 fragments each at MTU"
                + " 1500) from a kernel alone on the hub, sender thread's CPU per datagram");
        double pre = Double.MAX_VALUE;
        double after = Double.MAX_VALUE;
        for (int round = 0; round < ROUNDS; round++) {
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

    /**
     * Nanoseconds of the sending thread's CPU per datagram, on a fresh kernel alone on a hub: the peer's address
     * has a permanent ARP entry ({@code arp -s}) and no kernel behind it, so the frames leave the adapter and go
     * nowhere. What is measured is the sending path itself (socket layer, UDP, IP, fragmentation, Ethernet), not a
     * receiver's or a link emulator's copies of 42 frames, which cost both settings the same and hid the difference.
     */
    private static double measure(boolean precompute) throws Exception {
        Hub hub = new Hub("dart-udp");
        Kernel a = boot("tx");
        try {
            DartCpuPerByte.up(a, hub.attach(), "198.18.0.1", true);
            Syscalls sa = a.syscalls();
            sa.sysctlWrite("net.inet.udp.fragprecompute", precompute ? "1" : "0");
            int s = sa.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            sa.setsockopt(s, SocketDefs.SOL_SOCKET, SocketDefs.SO_SNDBUF, 128 << 10);
            sa.ioctl(s, io.jrump.net.IfIoctl.SIOCSARP, new io.jrump.netinet.arp.ArpReq(
                    io.jrump.wire.Ipv4Address.parse("198.18.0.2"), 0x02_00_5e_00_00_02L));
            sa.connect(s, SockAddr.in("198.18.0.2", 9));
            ByteBuffer out = ByteBuffer.allocate(SIZE);
            send(sa, s, out, WARMUP);
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long cpu0 = mx.getCurrentThreadCpuTime();
            long sent = send(sa, s, out, COUNT);
            long cpu1 = mx.getCurrentThreadCpuTime();
            String frag = precompute ? "precomputed" : "after the fact";
            System.out.printf("  %-15s %.3f s sender CPU for %d datagrams (%d sent whole)%n", frag,
                    (cpu1 - cpu0) / 1e9, COUNT, sent);
            sa.close(s);
            return (double) (cpu1 - cpu0) / COUNT;
        } finally {
            a.halt();
        }
    }

    /** Sends {@code n} datagrams; returns how many went out whole (ENOBUFS loses one, as UDP's are lost). */
    private static long send(Syscalls sa, int s, ByteBuffer out, int n) throws ErrnoException {
        long ok = 0;
        for (int i = 0; i < n; i++) {
            out.clear();
            try {
                sa.write(s, out);
                ok++;
            } catch (ErrnoException e) {
                // ENOBUFS under a burst
            }
        }
        return ok;
    }
}
