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
import io.jrump.wire.Ipv4Address;
import io.jrump.virtif.EtherIfs;
import io.jrump.virtif.EtherSegment;
import io.jrump.virtif.Hub;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * UDP datagrams per second between two kernels on the in-process hub (issue 3), for 64- and
 * 1472-byte payloads, beside plain {@code DatagramChannel}s over the host's loopback in the same run,
 * plus the bytes allocated per datagram across every thread of the JVM while the kernels run.
 */
public final class UdpPpsBench {
    private UdpPpsBench() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = Double.parseDouble(System.getProperty("seconds", "4"));
        double[] host = new double[2];
        double[] rump = new double[2];
        double alloc = 0;
        int[] sizes = {64, 1472};
        for (int i = 0; i < sizes.length; i++) {
            host[i] = HostUdpBaseline.pps(sizes[i], seconds);
            double[] r = rumpPps(sizes[i], seconds);
            rump[i] = r[0];
            if (sizes[i] == 64) {
                alloc = r[1];
            }
        }
        System.out.println("command: bench/run udp-pps");
        System.out.println("two kernels (1 cpu each) on the in-process hub, one sender and one receiver thread,"
                + " through the syscall interface; baseline: DatagramChannel over host loopback");
        for (int i = 0; i < sizes.length; i++) {
            System.out.printf("  payload %4d: rump %,10.0f pps   host %,10.0f pps   ratio %.2f%n", sizes[i], rump[i],
                    host[i], rump[i] / host[i]);
        }
        System.out.printf("  allocated per datagram (all threads, 64-byte run): %.1f bytes%n", alloc);
        System.out.printf("RESULT udp-pps pps_64=%.0f host_pps_64=%.0f ratio_64=%.2f pps_1472=%.0f host_pps_1472=%.0f"
                        + " ratio_1472=%.2f alloc_bytes_per_pkt=%.1f%n", rump[0], host[0], rump[0] / host[0], rump[1],
                host[1], rump[1] / host[1], alloc);
    }

    private static Kernel boot(String name) throws Exception {
        return Kernel.boot(KernelConfig.builder().hostname(name).ncpu(1)
                .hypercall(HostHypercall.builder().environment(Map.of()).build())
                .component("rumpnet_netinet").build());
    }

    /** Attaches {@code shmif0} to {@code seg}, gives it {@code addr}/{@code prefix} and brings it up. */
    static void up(Kernel k, EtherSegment seg, String addr, int prefix) throws ErrnoException {
        EtherIfs.attach(k, "shmif0", seg.attach(), 1500);
        Interfaces ifs = k.service(Interfaces.class);
        IfReq r = new IfReq("shmif0");
        r.addr = Ipv4Address.parse(addr);
        r.netmask = Ipv4Address.netmask(prefix);
        ifs.ioctl(IfIoctl.SIOCAIFADDR, r, Cred.ROOT);
        r.flags = Ifnet.IFF_UP;
        ifs.ioctl(IfIoctl.SIOCSIFFLAGS, r, Cred.ROOT);
    }

    /** Returns {pps, bytes allocated per datagram}. */
    private static double[] rumpPps(int payload, double seconds) throws Exception {
        Hub hub = new Hub("bench");
        Kernel a = boot("tx");
        Kernel b = boot("rx");
        try {
            up(a, hub, "198.18.0.1", 24);
            up(b, hub, "198.18.0.2", 24);
            Syscalls sa = a.syscalls();
            Syscalls sb = b.syscalls();
            int rx = sb.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            sb.setsockopt(rx, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVBUF, 256 << 10);
            sb.bind(rx, SockAddr.in("198.18.0.2", 9));
            int tx = sa.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            sa.connect(tx, SockAddr.in("198.18.0.2", 9));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong received = new AtomicLong();
            Thread r = new Thread(() -> {
                ByteBuffer buf = ByteBuffer.allocate(65536);
                SockAddr from = new SockAddr();
                try {
                    sb.setsockopt(rx, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 200);
                    while (!stop.get()) {
                        buf.clear();
                        try {
                            sb.recvfrom(rx, buf, 0, from);
                            received.incrementAndGet();
                        } catch (ErrnoException e) {
                            if (e.errno() != io.jrump.hypercall.Errno.EAGAIN) {
                                throw e;
                            }
                        }
                    }
                } catch (ErrnoException e) {
                    System.err.println("receiver: " + e.getMessage());
                }
            }, "rump-rx");
            r.setDaemon(true);
            r.start();
            ByteBuffer p = ByteBuffer.allocate(payload);
            // resolve ARP and warm up
            long warmEnd = System.nanoTime() + (long) (seconds * 0.3e9);
            while (System.nanoTime() < warmEnd) {
                p.clear();
                send(sa, tx, p);
            }
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long alloc0 = totalAllocated(mx);
            long c0 = received.get();
            long t0 = System.nanoTime();
            long end = t0 + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                p.clear();
                send(sa, tx, p);
            }
            long got = received.get() - c0;
            double dt = (System.nanoTime() - t0) / 1e9;
            long alloc1 = totalAllocated(mx);
            stop.set(true);
            r.join(2000);
            sa.close(tx);
            sb.close(rx);
            return new double[] {got / dt, got == 0 ? 0 : (double) (alloc1 - alloc0) / got};
        } finally {
            a.halt();
            b.halt();
        }
    }

    private static void send(Syscalls s, int fd, ByteBuffer p) throws ErrnoException {
        try {
            s.sendto(fd, p, 0, null);
        } catch (ErrnoException e) {
            if (e.errno() != io.jrump.hypercall.Errno.ENOBUFS) {
                throw e;
            }
        }
    }

    private static long totalAllocated(com.sun.management.ThreadMXBean mx) {
        long sum = 0;
        for (long v : mx.getThreadAllocatedBytes(mx.getAllThreadIds())) {
            if (v > 0) {
                sum += v;
            }
        }
        return sum;
    }
}
