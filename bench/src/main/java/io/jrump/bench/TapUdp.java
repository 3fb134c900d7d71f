package io.jrump.bench;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.testkit.NetNs;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The UDP part of {@code bench/run tap}: goodput of 1472-byte datagrams blasted by {@code socat} into a
 * rump UDP socket through the tap, and by a rump UDP socket into {@code socat}, each beside the same
 * over the host's loopback ({@code socat} and a {@code DatagramChannel}). UDP has no flow control, so
 * these figures show how fast each side can push frames, not what arrives end to end under load.
 */
final class TapUdp {
    static final int PAYLOAD = 1472;

    private TapUdp() {
    }

    /** Goodput in Mbit/s: rump receiving, host receiving, rump sending, host sending. */
    static double[] measure(NetNs ns, Syscalls sys, String rump, String linux, double seconds) throws Exception {
        return new double[] {rumpReceives(ns, sys, rump, seconds), hostReceives(seconds),
            rumpSends(ns, sys, linux, seconds), hostSends(seconds)};
    }

    private static double mbps(long bytes, double seconds) {
        return bytes * 8 / seconds / 1e6;
    }

    /** Goodput into a rump UDP socket while socat in the namespace sends as fast as it can. */
    private static double rumpReceives(NetNs ns, Syscalls sys, String rump, double seconds) throws Exception {
        int s = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
        sys.setsockopt(s, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVBUF, 256 << 10);
        sys.setsockopt(s, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 200);
        sys.bind(s, SockAddr.in("0.0.0.0", 9));
        Process p = ns.spawn("timeout", Double.toString(seconds + 1), "socat", "-u", "-b", Integer.toString(PAYLOAD),
                "/dev/zero", "UDP4-SENDTO:" + rump + ":9");
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
    private static double rumpSends(NetNs ns, Syscalls sys, String linux, double seconds) throws Exception {
        Process p = ns.spawnData(null, "socat", "-u", "-b", "65536", "UDP4-RECV:9000", "-");
        Thread.sleep(300);
        int s = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
        sys.connect(s, SockAddr.in(linux, 9000));
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
