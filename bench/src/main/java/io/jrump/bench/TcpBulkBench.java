package io.jrump.bench;

import io.jrump.hypercall.Errno;
import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.sysctl.SysctlEntry;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.wire.Ipv4Address;
import io.jrump.virtif.EtherIfs;
import io.jrump.virtif.Hub;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bench/run tcp-bulk} (issue 5): the throughput of one TCP connection between two kernels on the
 * in-process hub, with 65535- and 1500-byte MTUs (set with SIOCSIFMTU, as {@code ifconfig mtu} does),
 * beside two plain {@code SocketChannel}s over the host's loopback in the same run; and the bytes
 * allocated per TCP segment in steady state.
 *
 * <p>Each side is one writer thread and one reader thread moving 64 KiB per call through the syscall
 * interface; the hub delivers synchronously on the sender's thread, so the sending thread also runs
 * the receiving kernel's input. Each measurement starts after a warm-up on the same connection. The
 * allocation figure is the growth of {@code ThreadMXBean}'s allocated bytes over every thread of the
 * JVM but the one that measures (the kernels' own threads and the two threads whose syscalls run kernel
 * code; nothing else runs meanwhile) during the 64 KiB-MTU window, divided by the segments both kernels sent and received in it
 * (TCP's "packets sent" and "packets received" counters). The host baseline is measured before and
 * after the kernels, and its mean is the ratio's denominator.
 */
public final class TcpBulkBench {
    private static final int CHUNK = 64 << 10;

    private TcpBulkBench() {
    }

    /** One measurement: throughput, and for the kernels the segments and allocation seen. */
    private record Result(double gbps, long bytes, long segments, long dataSegments, long allocated,
                          String topAllocators) {
        double allocPerSegment() {
            return segments == 0 ? Double.NaN : (double) allocated / segments;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        for (String a : args) {
            String[] kv = a.replaceFirst("^-+", "").split("=", 2);
            if (kv.length != 2 || !(kv[0].equals("warmup") || kv[0].equals("seconds"))) {
                System.err.println("usage: bench/run tcp-bulk [warmup=SECONDS] [seconds=SECONDS]");
                System.exit(2);
            }
            opt.put(kv[0], kv[1]);
        }
        double warmup = Double.parseDouble(opt.getOrDefault("warmup", System.getProperty("warmup", "3")));
        double seconds = Double.parseDouble(opt.getOrDefault("seconds", System.getProperty("seconds", "5")));
        String only = System.getProperty("only");
        if (only != null) {
            // For profiling one path: -Donly=MTU runs only that rump transfer, with no baseline and no RESULT.
            Result r = rump(Integer.parseInt(only), warmup, seconds);
            print("rump MTU " + only, r, Double.NaN);
            System.out.println("  threads that allocated most: " + r.topAllocators);
            return;
        }
        String load0 = loadavg();
        Result host1 = host(warmup, seconds);
        Result big = rump(65535, warmup, seconds);
        Result small = rump(1500, warmup, seconds);
        Result host2 = host(warmup, seconds);
        double hostGbps = (host1.gbps + host2.gbps) / 2;
        System.out.println("command: bench/run tcp-bulk warmup=" + warmup + " seconds=" + seconds);
        System.out.println("one TCP connection, 64 KiB writes and reads through the syscall interface, two kernels"
                + " (1 cpu each) on the in-process hub; baseline: two SocketChannels over host loopback (MTU 65536)");
        System.out.println("host: " + Runtime.getRuntime().availableProcessors() + " cpus; load average before "
                + load0 + ", after " + loadavg() + " (other work on the machine lowers every figure, the ratios less)");
        System.out.printf("  host loopback: %6.2f Gbit/s (before %.2f, after %.2f)%n", hostGbps, host1.gbps, host2.gbps);
        print("rump MTU 65535", big, hostGbps);
        print("rump MTU  1500", small, hostGbps);
        System.out.printf("  allocated per segment (MTU 65535 window, all threads): %.1f bytes%n", big.allocPerSegment());
        System.out.println("  threads that allocated most in that window: " + big.topAllocators);
        System.out.printf("RESULT tcp-bulk gbps_64k=%.3f gbps_1500=%.3f host_gbps=%.3f ratio_64k=%.3f ratio_1500=%.3f"
                        + " alloc_bytes_per_seg=%.1f%n", big.gbps, small.gbps, hostGbps, big.gbps / hostGbps,
                small.gbps / hostGbps, big.allocPerSegment());
    }

    private static void print(String what, Result r, double hostGbps) {
        System.out.printf("  %s: %6.2f Gbit/s  ratio %.3f  (%,d segments sent and received, %.0f payload bytes per data"
                        + " segment, %.1f bytes allocated per segment)%n", what, r.gbps, r.gbps / hostGbps, r.segments,
                r.dataSegments == 0 ? 0.0 : (double) r.bytes / r.dataSegments, r.allocPerSegment());
    }

    private static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    // ---- the baseline: plain host TCP over loopback ----

    private static Result host(double warmup, double seconds) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel client = SocketChannel.open(server.getLocalAddress());
            SocketChannel peer = server.accept();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong received = new AtomicLong();
            Thread writer = new Thread(() -> {
                ByteBuffer b = ByteBuffer.allocateDirect(CHUNK);
                try {
                    while (!stop.get()) {
                        b.clear();
                        client.write(b);
                    }
                } catch (IOException e) {
                    // closed at the end of the run
                }
            }, "host writer");
            Thread reader = new Thread(() -> {
                ByteBuffer b = ByteBuffer.allocateDirect(CHUNK);
                try {
                    int n;
                    while ((n = peer.read(b.clear())) > 0) {
                        received.addAndGet(n);
                    }
                } catch (IOException e) {
                    // closed at the end of the run
                }
            }, "host reader");
            writer.start();
            reader.start();
            Thread.sleep((long) (warmup * 1000));
            long b0 = received.get();
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            long b1 = received.get();
            long t1 = System.nanoTime();
            stop.set(true);
            client.close();
            writer.join(5000);
            reader.join(5000);
            peer.close();
            return new Result((b1 - b0) * 8 / ((t1 - t0) / 1e9) / 1e9, b1 - b0, 0, 0, 0, "");
        }
    }

    // ---- two kernels on the hub ----

    private static Kernel boot(String name) throws Exception {
        return Kernel.boot(KernelConfig.builder().hostname(name).ncpu(1).memoryLimit(256 << 20)
                .hypercall(HostHypercall.builder().environment(Map.of()).build())
                .component("rumpnet_netinet").build());
    }

    private static void up(Kernel k, Hub hub, String addr, int mtu) throws ErrnoException {
        // The driver is made for the largest frame; the MTU under test is then set as ifconfig sets it.
        EtherIfs.attach(k, "shmif0", hub.attach(), 65535);
        Interfaces ifs = k.service(Interfaces.class);
        IfReq r = new IfReq("shmif0");
        r.mtu = mtu;
        ifs.ioctl(IfIoctl.SIOCSIFMTU, r, Cred.ROOT);
        r = new IfReq("shmif0");
        r.addr = Ipv4Address.parse(addr);
        r.netmask = Ipv4Address.netmask(24);
        ifs.ioctl(IfIoctl.SIOCAIFADDR, r, Cred.ROOT);
        r.flags = Ifnet.IFF_UP;
        ifs.ioctl(IfIoctl.SIOCSIFFLAGS, r, Cred.ROOT);
    }

    /** The sum of the TCP counters described as {@code names} in {@code k}. */
    private static long counters(Kernel k, String... names) throws ErrnoException {
        long n = 0;
        for (SysctlEntry e : k.syscalls().sysctlList("net.inet.tcp.stats")) {
            if (List.of(names).contains(e.description())) {
                n += Long.parseLong(e.value().trim());
            }
        }
        return n;
    }

    private static Result rump(int mtu, double warmup, double seconds) throws Exception {
        Hub hub = new Hub("bench");
        Kernel a = boot("tx");
        Kernel b = boot("rx");
        try {
            up(a, hub, "198.18.0.1", mtu);
            up(b, hub, "198.18.0.2", mtu);
            Syscalls sa = a.syscalls();
            Syscalls sb = b.syscalls();
            String space = System.getProperty("space");
            if (space != null) {
                for (Syscalls x : List.of(sa, sb)) {
                    x.sysctlWrite("kern.sbmax", String.valueOf(2 * Long.parseLong(space)));
                    x.sysctlWrite("net.inet.tcp.sendspace", space);
                    x.sysctlWrite("net.inet.tcp.recvspace", space);
                }
            }
            int l = sb.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            sb.bind(l, SockAddr.in("198.18.0.2", 5001));
            sb.listen(l, 1);
            int c = sa.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            sa.connect(c, SockAddr.in("198.18.0.2", 5001));
            int s = sb.accept(l, null);
            sa.setsockopt(c, SocketDefs.SOL_SOCKET, SocketDefs.SO_SNDTIMEO, 200);
            sb.setsockopt(s, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 200);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong received = new AtomicLong();
            AtomicLong failures = new AtomicLong();
            Thread writer = new Thread(() -> {
                ByteBuffer buf = ByteBuffer.allocate(CHUNK);
                try {
                    while (!stop.get()) {
                        buf.clear();
                        try {
                            sa.write(c, buf);
                        } catch (ErrnoException e) {
                            if (e.errno() != Errno.EAGAIN) {
                                throw e;
                            }
                        }
                    }
                } catch (ErrnoException e) {
                    failures.incrementAndGet();
                    System.err.println("writer: " + e.getMessage());
                }
            }, "rump writer");
            Thread reader = new Thread(() -> {
                ByteBuffer buf = ByteBuffer.allocate(CHUNK);
                try {
                    while (!stop.get()) {
                        buf.clear();
                        try {
                            int n = sb.read(s, buf);
                            if (n == 0) {
                                break;
                            }
                            received.addAndGet(n);
                        } catch (ErrnoException e) {
                            if (e.errno() != Errno.EAGAIN) {
                                throw e;
                            }
                        }
                    }
                } catch (ErrnoException e) {
                    failures.incrementAndGet();
                    System.err.println("reader: " + e.getMessage());
                }
            }, "rump reader");
            writer.start();
            reader.start();
            Thread.sleep((long) (warmup * 1000));
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long seg0 = counters(a, "packets sent", "packets received") + counters(b, "packets sent", "packets received");
            long data0 = counters(a, "data packets sent");
            String mb0 = System.getProperty("only") != null ? sa.sysctlRead("kern.mbuf.stats") + sb.sysctlRead("kern.mbuf.stats") : "";
            Map<Long, Long> alloc0 = allocated(mx);
            long b0 = received.get();
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            long b1 = received.get();
            long t1 = System.nanoTime();
            Map<Long, Long> alloc1 = allocated(mx);
            if (System.getProperty("only") != null) {
                for (SysctlEntry e : sa.sysctlList("net.inet.tcp.stats")) {
                    if (!e.value().trim().equals("0") && (e.description().contains("retransmit") || e.description().contains("timeout")
                            || e.description().contains("probe") || e.description().contains("window"))) {
                        System.out.println("  sender " + e.description() + ": " + e.value().trim());
                    }
                }
                System.out.println("buffers: sender SO_SNDBUF " + sa.getsockopt(c, SocketDefs.SOL_SOCKET, SocketDefs.SO_SNDBUF)
                        + ", receiver SO_RCVBUF " + sb.getsockopt(s, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVBUF));
                System.out.println("mbufs at the window's start:\n" + mb0 + "and end:\n" + sa.sysctlRead("kern.mbuf.stats")
                        + sb.sysctlRead("kern.mbuf.stats"));
            }
            Map<Long, String> names = new HashMap<>();
            for (var info : mx.getThreadInfo(alloc1.keySet().stream().mapToLong(Long::longValue).toArray())) {
                if (info != null) {
                    names.put(info.getThreadId(), info.getThreadName());
                }
            }
            long seg1 = counters(a, "packets sent", "packets received") + counters(b, "packets sent", "packets received");
            long data1 = counters(a, "data packets sent");
            stop.set(true);
            writer.join(5000);
            reader.join(5000);
            if (failures.get() > 0 || b1 == b0) {
                System.err.println("tcp-bulk: MTU " + mtu + ": the transfer failed or stalled; connections:\n"
                        + sa.sysctlRead("net.inet.tcp.pcblist") + sb.sysctlRead("net.inet.tcp.pcblist"));
            }
            long allocated = 0;
            List<long[]> perThread = new ArrayList<>();
            for (Map.Entry<Long, Long> e : alloc1.entrySet()) {
                long d = e.getValue() - alloc0.getOrDefault(e.getKey(), 0L);
                if (d > 0) {
                    allocated += d;
                    perThread.add(new long[] {e.getKey(), d});
                }
            }
            perThread.sort((x, y) -> Long.compare(y[1], x[1]));
            StringBuilder top = new StringBuilder();
            for (int i = 0; i < Math.min(4, perThread.size()); i++) {
                top.append(i == 0 ? "" : ", ").append(names.getOrDefault(perThread.get(i)[0], "#" + perThread.get(i)[0]))
                        .append(' ').append(perThread.get(i)[1] / 1024).append(" KiB");
            }
            sa.close(c);
            sb.close(s);
            sb.close(l);
            return new Result((b1 - b0) * 8 / ((t1 - t0) / 1e9) / 1e9, b1 - b0, seg1 - seg0, data1 - data0, allocated,
                    top.length() == 0 ? "none" : top.toString());
        } finally {
            a.halt();
            b.halt();
        }
    }

    private static Map<Long, Long> allocated(com.sun.management.ThreadMXBean mx) {
        long[] ids = mx.getAllThreadIds();
        long[] bytes = mx.getThreadAllocatedBytes(ids);
        Map<Long, Long> m = new HashMap<>();
        long self = Thread.currentThread().getId();
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] > 0 && ids[i] != self) {
                m.put(ids[i], bytes[i]);
            }
        }
        return m;
    }
}
