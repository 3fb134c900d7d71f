package io.jrump.bench;

import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.SockAddr;
import io.jrump.kern.SocketDefs;
import io.jrump.kern.Syscalls;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.net.wire.Ipv4Address;
import io.jrump.testkit.NetNs;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rump kernel and Linux as peers through a tap (issue 7): ping round trip from Linux to the rump
 * kernel, and UDP goodput of 1472-byte datagrams blasted by {@code socat} in each direction, beside
 * the same measurements over the host's loopback in the same run. Needs root (a namespace and a tap).
 * TCP figures join once the kernel has TCP.
 */
public final class TapBench {
    private static final String LINUX = "198.18.11.1";
    private static final String RUMP = "198.18.11.2";
    private static final int PAYLOAD = 1472;
    private static final Pattern RTT = Pattern.compile("= ([0-9.]+)/([0-9.]+)/([0-9.]+)/([0-9.]+) ms");

    private TapBench() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = Double.parseDouble(System.getProperty("seconds", "3"));
        String why = NetNs.unavailableReason();
        if (why != null) {
            System.err.println("bench/run tap: cannot run: " + why);
            System.exit(1);
        }
        Kernel k = Kernel.boot(KernelConfig.builder().hostname("rump").ncpu(2)
                .hypercall(HostHypercall.builder().environment(Map.of()).build())
                .component("rumpnet_netinet", "rumpnet_virtif").build());
        double[] r;
        NetNs ns = NetNs.open("bench");
        try {
            String tap = NetNs.tapName("jrb");
            attach(k, tap);
            ns.adoptTap(tap, LINUX + "/24");
            ns.check("ping", "-c", "3", "-i", "0.2", "-W", "5", RUMP);
            double rttRump = avgRtt(ns, RUMP);
            double rttHost = avgRtt(ns, "127.0.0.1");
            double rxRump = rumpReceives(ns, k.syscalls(), seconds);
            double rxHost = hostReceives(seconds);
            double txRump = rumpSends(ns, k.syscalls(), seconds);
            double txHost = hostSends(seconds);
            r = new double[] {rttRump, rttHost, rxRump, rxHost, txRump, txHost};
        } finally {
            k.halt();
            ns.close();
        }
        System.out.println("command: bench/run tap");
        System.out.println("a rump kernel (2 cpus) on a tap whose Linux side is in a namespace; baseline: the same"
                + " Linux tools over host loopback");
        System.out.printf("  ping RTT Linux -> rump      %8.3f ms   loopback %8.3f ms   ratio %.2f%n", r[0], r[1], r[0] / r[1]);
        System.out.printf("  UDP %d B socat -> rump    %8.1f Mbit/s  loopback %8.1f Mbit/s  ratio %.2f%n", PAYLOAD,
                r[2], r[3], r[2] / r[3]);
        System.out.printf("  UDP %d B rump -> socat    %8.1f Mbit/s  loopback %8.1f Mbit/s  ratio %.2f%n", PAYLOAD,
                r[4], r[5], r[4] / r[5]);
        System.out.printf("RESULT tap rtt_ms=%.3f host_rtt_ms=%.3f rtt_ratio=%.2f udp_rx_mbps=%.1f host_udp_rx_mbps=%.1f"
                        + " udp_rx_ratio=%.2f udp_tx_mbps=%.1f host_udp_tx_mbps=%.1f udp_tx_ratio=%.2f%n", r[0], r[1],
                r[0] / r[1], r[2], r[3], r[2] / r[3], r[4], r[5], r[4] / r[5]);
    }

    private static void attach(Kernel k, String tap) throws ErrnoException {
        Interfaces ifs = k.service(Interfaces.class);
        ifs.create("virt0");
        IfReq r = new IfReq("virt0");
        r.linkstr = tap;
        ifs.ioctl(IfIoctl.SIOCSLINKSTR, r, Cred.ROOT);
        r.addr = Ipv4Address.parse(RUMP);
        r.netmask = Ipv4Address.netmask(24);
        ifs.ioctl(IfIoctl.SIOCAIFADDR, r, Cred.ROOT);
        r.flags = Ifnet.IFF_UP;
        ifs.ioctl(IfIoctl.SIOCSIFFLAGS, r, Cred.ROOT);
    }

    /** Average RTT in ms of 500 pings 2 ms apart from inside the namespace. */
    private static double avgRtt(NetNs ns, String dst) {
        String out = ns.check("ping", "-q", "-c", "500", "-i", "0.002", dst).out();
        Matcher m = RTT.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no rtt in ping output: " + out);
        }
        return Double.parseDouble(m.group(2));
    }

    private static double mbps(long bytes, double seconds) {
        return bytes * 8 / seconds / 1e6;
    }

    /** Goodput into a rump UDP socket while socat in the namespace sends as fast as it can. */
    private static double rumpReceives(NetNs ns, Syscalls sys, double seconds) throws Exception {
        int s = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
        sys.setsockopt(s, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVBUF, 256 << 10);
        sys.setsockopt(s, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 200);
        sys.bind(s, SockAddr.in("0.0.0.0", 9));
        Process p = ns.spawn("timeout", Double.toString(seconds + 1), "socat", "-u", "-b", Integer.toString(PAYLOAD),
                "/dev/zero", "UDP4-SENDTO:" + RUMP + ":9");
        long bytes = countFor(seconds, buf -> {
            try {
                return sys.recvfrom(s, buf, 0, null);
            } catch (ErrnoException e) {
                return 0;
            }
        });
        p.waitFor();
        sys.close(s);
        return mbps(bytes, seconds);
    }

    /** The same socat sending to a DatagramChannel over the host's loopback. */
    private static double hostReceives(double seconds) throws Exception {
        try (DatagramChannel rx = DatagramChannel.open(StandardProtocolFamily.INET)) {
            rx.setOption(StandardSocketOptions.SO_RCVBUF, 256 << 10);
            rx.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) rx.getLocalAddress()).getPort();
            Process p = new ProcessBuilder("timeout", Double.toString(seconds + 1), "socat", "-u", "-b",
                    Integer.toString(PAYLOAD), "/dev/zero", "UDP4-SENDTO:127.0.0.1:" + port).start();
            Thread.sleep(100);
            long bytes = countFor(seconds, buf -> {
                try {
                    int before = buf.position();
                    rx.receive(buf);
                    return buf.position() - before;
                } catch (java.io.IOException e) {
                    return 0;
                }
            });
            p.destroy();
            p.waitFor();
            return mbps(bytes, seconds);
        }
    }

    private interface Receiver {
        int receive(ByteBuffer buf);
    }

    /** Bytes {@code r} returns over {@code seconds}, after a warm-up of a fifth of that. */
    private static long countFor(double seconds, Receiver r) {
        ByteBuffer buf = ByteBuffer.allocate(65536);
        long warm = System.nanoTime() + (long) (seconds * 0.2e9);
        while (System.nanoTime() < warm) {
            buf.clear();
            r.receive(buf);
        }
        long bytes = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            buf.clear();
            bytes += r.receive(buf);
        }
        return bytes;
    }

    /** Goodput into socat in the namespace while a rump UDP socket sends as fast as it can. */
    private static double rumpSends(NetNs ns, Syscalls sys, double seconds) throws Exception {
        Process p = ns.spawnData(null, "socat", "-u", "-b", "65536", "UDP4-RECV:9000", "-");
        Thread.sleep(300);
        int s = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
        sys.connect(s, SockAddr.in(LINUX, 9000));
        return blast(p, seconds, buf -> {
            try {
                return sys.sendto(s, buf, 0, null);
            } catch (ErrnoException e) {
                return 0;
            }
        });
    }

    /** The baseline of {@link #rumpSends}: a DatagramChannel sending to the same socat over the host's loopback. */
    private static double hostSends(double seconds) throws Exception {
        Process p = new ProcessBuilder("socat", "-u", "-b", "65536", "UDP4-RECV:0,bind=127.0.0.1", "-")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (DatagramChannel tx = DatagramChannel.open(StandardProtocolFamily.INET)) {
            int port = socatPort(p);
            tx.connect(new InetSocketAddress("127.0.0.1", port));
            return blast(p, seconds, buf -> {
                try {
                    return tx.write(buf);
                } catch (java.io.IOException e) {
                    return 0;
                }
            });
        }
    }

    private static int socatPort(Process p) throws Exception {
        long pid = p.pid();
        for (int i = 0; i < 50; i++) {
            Process ss = new ProcessBuilder("ss", "-Hulnp").redirectErrorStream(true).start();
            for (String line : new String(ss.getInputStream().readAllBytes()).split("\n")) {
                if (line.contains("pid=" + pid + ",")) {
                    String local = line.trim().split("\\s+")[3];
                    return Integer.parseInt(local.substring(local.lastIndexOf(':') + 1));
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("socat did not bind");
    }

    /** Sends from one thread for {@code seconds} and returns the goodput socat wrote to its stdout. */
    private static double blast(Process socat, double seconds, Receiver send) throws Exception {
        AtomicLong got = new AtomicLong();
        AtomicBoolean counting = new AtomicBoolean();
        Thread reader = new Thread(() -> {
            byte[] b = new byte[1 << 16];
            try (InputStream in = socat.getInputStream()) {
                for (int n; (n = in.read(b)) > 0; ) {
                    if (counting.get()) {
                        got.addAndGet(n);
                    }
                }
            } catch (java.io.IOException e) {
                // socat ended
            }
        }, "socat-reader");
        reader.setDaemon(true);
        reader.start();
        ByteBuffer payload = ByteBuffer.allocate(PAYLOAD);
        long warm = System.nanoTime() + (long) (seconds * 0.2e9);
        while (System.nanoTime() < warm) {
            send.receive(payload.clear());
        }
        counting.set(true);
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            send.receive(payload.clear());
        }
        counting.set(false);
        socat.destroy();
        socat.waitFor();
        return mbps(got.get(), seconds);
    }

}
