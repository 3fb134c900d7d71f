package io.jrump.bench;

import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.virtif.EtherIfs;
import io.jrump.virtif.Hub;
import io.jrump.wire.Ipv4Address;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Part 2 of {@code bench/run dart}: the CPU time per byte of one bulk TCP transfer between two kernels (one
 * virtual CPU each) on the in-process hub with 1500-byte MTUs, written and read 64 KiB per call through the
 * syscall interface, in two settings of the same pair of interfaces:
 *
 * <ul>
 * <li>{@code if_buflen} 64 KB (the hub adapter's default): the socket layer hands TCP 64 KB chains, TCP builds
 * packets of up to 64 KB, and the adapter model takes them whole with partial checksums (a peer kernel on the
 * hub takes them so too, as between virtio-net guests);
 * <li>segmentation at the MTU with offload off ({@code rump.ifconfig shmif0 buflen 1500} and no checksum
 * offload): the socket layer and TCP work per 1448-byte segment and every checksum is computed and verified in
 * software, BSD's path before DART.
 * </ul>
 *
 * <p>CPU time is the JVM process's ({@code OperatingSystemMXBean.getProcessCpuTime}: the kernels' threads, the
 * writer and reader threads whose syscalls run kernel code, and the collector), over the measured transfer only;
 * each setting is measured twice after a warm-up transfer, the settings alternating, and the lower CPU per byte
 * of each is kept. The ratio is MTU over {@code if_buflen}.
 */
final class DartCpuPerByte implements DartBench.Part {
    private static final int CHUNK = 64 << 10;
    private static final long WARMUP = 64L << 20;
    private static final long BYTES = 192L << 20;

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Map<String, String> run() throws Exception {
        System.out.println("part 2: CPU per byte, one TCP connection of " + (BYTES >> 20) + " MB between two kernels"
                + " (1 cpu each) on the hub, MTU 1500, 64 KiB writes and reads");
        double big = Double.MAX_VALUE;
        double small = Double.MAX_VALUE;
        for (int round = 0; round < 2; round++) {
            big = Math.min(big, measure(true));
            small = Math.min(small, measure(false));
        }
        double ratio = small / big;
        System.out.printf("  if_buflen 64 KB:             %.3f ns CPU per byte%n", big);
        System.out.printf("  MTU 1500 segmentation, offload off: %.3f ns CPU per byte%n", small);
        System.out.printf("  cpu_per_byte_ratio (MTU / if_buflen) %.2f (target >= 2)%n", ratio);
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("cpu_ns_per_byte_buflen", String.format("%.3f", big));
        keys.put("cpu_ns_per_byte_mtu", String.format("%.3f", small));
        keys.put("cpu_per_byte_ratio", String.format("%.2f", ratio));
        return keys;
    }

    private static Kernel boot(String name) throws Exception {
        return Kernel.boot(KernelConfig.builder().hostname(name).ncpu(1).memoryLimit(256 << 20)
                .hypercall(HostHypercall.builder().environment(Map.of()).build())
                .component("rumpnet_netinet").build());
    }

    /** An interface on the hub with a 1500-byte MTU; with {@code buflen} false, buflen at the MTU and no offload. */
    static Ifnet up(Kernel k, Hub hub, String addr, boolean buflen) throws ErrnoException {
        return up(k, hub.attach(), addr, buflen);
    }

    /** {@link #up(Kernel, Hub, String, boolean)} on any link. */
    static Ifnet up(Kernel k, io.jrump.virtif.EtherLink link, String addr, boolean buflen) throws ErrnoException {
        Ifnet ifp = EtherIfs.attach(k, "shmif0", link, 65535);
        Interfaces ifs = k.service(Interfaces.class);
        IfReq r = new IfReq("shmif0");
        r.mtu = 1500;
        ifs.ioctl(IfIoctl.SIOCSIFMTU, r, Cred.ROOT);
        if (!buflen) {
            r.buflen = 1500;
            ifs.ioctl(IfIoctl.SIOCSIFBUFLEN, r, Cred.ROOT);
            ifp.setCsumFlagsTx(0);
        }
        r = new IfReq("shmif0");
        r.addr = Ipv4Address.parse(addr);
        r.netmask = Ipv4Address.netmask(24);
        ifs.ioctl(IfIoctl.SIOCAIFADDR, r, Cred.ROOT);
        r.flags = Ifnet.IFF_UP;
        ifs.ioctl(IfIoctl.SIOCSIFFLAGS, r, Cred.ROOT);
        return ifp;
    }

    /** Nanoseconds of process CPU per byte of one measured transfer after a warm-up one, on a fresh pair. */
    private static double measure(boolean buflen) throws Exception {
        Hub hub = new Hub("dart");
        Kernel a = boot("tx");
        Kernel b = boot("rx");
        try {
            Ifnet ia = up(a, hub, "198.18.0.1", buflen);
            up(b, hub, "198.18.0.2", buflen);
            Syscalls sa = a.syscalls();
            Syscalls sb = b.syscalls();
            int l = sb.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            sb.bind(l, SockAddr.in("198.18.0.2", 5001));
            sb.listen(l, 1);
            int c = sa.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            sa.connect(c, SockAddr.in("198.18.0.2", 5001));
            int s = sb.accept(l, null);
            transfer(sa, c, sb, s, WARMUP);
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long large0 = ia.offloadStats().largeOut.get();
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            transfer(sa, c, sb, s, BYTES);
            long t1 = System.nanoTime();
            long cpu1 = os.getProcessCpuTime();
            long large = ia.offloadStats().largeOut.get() - large0;
            double perByte = (double) (cpu1 - cpu0) / BYTES;
            System.out.printf("  %-10s %.2f s CPU for %d MB in %.2f s (%.2f Gbit/s); packets built at buflen: %d%n",
                    buflen ? "buflen 64K" : "MTU 1500", (cpu1 - cpu0) / 1e9, BYTES >> 20, (t1 - t0) / 1e9,
                    BYTES * 8 / ((t1 - t0) / 1e9) / 1e9, large);
            sa.close(c);
            sb.close(s);
            sb.close(l);
            return perByte;
        } finally {
            a.halt();
            b.halt();
        }
    }

    /** Moves {@code n} bytes from {@code c} to {@code s}: a writer thread, the reader here. */
    static void transfer(Syscalls sa, int c, Syscalls sb, int s, long n) throws Exception {
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocate(CHUNK);
            long left = n;
            try {
                while (left > 0) {
                    buf.clear().limit((int) Math.min(CHUNK, left));
                    left -= sa.write(c, buf);
                }
            } catch (ErrnoException e) {
                failure.set(e);
            }
        }, "dart writer");
        writer.start();
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        long got = 0;
        while (got < n) {
            buf.clear();
            int r = sb.read(s, buf);
            if (r <= 0) {
                throw new IllegalStateException("connection ended after " + got + " of " + n + " bytes");
            }
            got += r;
        }
        writer.join();
        if (failure.get() != null) {
            throw failure.get();
        }
    }
}
