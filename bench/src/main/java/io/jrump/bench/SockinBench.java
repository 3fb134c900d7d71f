package io.jrump.bench;

import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code bench/run sockin} (issue 8): TCP through {@code rumpnet_sockin} beside plain Java NIO on the
 * host's loopback, in the same run and against the same host servers. Echo: one connection, 64-byte
 * request and response, round trips per second. Bulk: 64 KB writes to a host sink (send) and reads
 * of what a host source writes (receive), bytes per second. The sockin client goes through the rump
 * syscall interface ({@code Syscalls.write}/{@code read}) of a one-CPU kernel; the baseline is a
 * blocking {@link SocketChannel} with the same heap buffers. Each figure is the best of five runs.
 */
public final class SockinBench {
    private static final int ECHO_BYTES = 64;
    private static final int BULK_CHUNK = 64 * 1024;
    /** Alternating runs per figure; the best counts, as the one least disturbed by other load. */
    private static final int ROUNDS = 5;

    private SockinBench() {
    }

    /** One TCP client: a rump socket or a host channel. */
    private interface Client extends AutoCloseable {
        int write(ByteBuffer b) throws Exception;

        int read(ByteBuffer b) throws Exception;

        @Override
        void close() throws Exception;
    }

    private static Client host(int port) throws IOException {
        SocketChannel c = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return new Client() {
            public int write(ByteBuffer b) throws IOException {
                return c.write(b);
            }

            public int read(ByteBuffer b) throws IOException {
                return c.read(b);
            }

            public void close() throws IOException {
                c.close();
            }
        };
    }

    private static Client rump(Kernel k, int port) throws ErrnoException {
        Syscalls s = k.syscalls();
        int fd = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
        s.setsockopt(fd, SocketDefs.IPPROTO_TCP, SocketDefs.TCP_NODELAY, 1);
        s.connect(fd, SockAddr.in("127.0.0.1", port));
        return new Client() {
            public int write(ByteBuffer b) throws ErrnoException {
                return s.write(fd, b);
            }

            public int read(ByteBuffer b) throws ErrnoException {
                return s.read(fd, b);
            }

            public void close() throws ErrnoException {
                s.close(fd);
            }
        };
    }

    @FunctionalInterface
    private interface Connector {
        Client connect(int port) throws Exception;
    }

    private static double echo(Connector connector, int port, double seconds) throws Exception {
        try (Client c = connector.connect(port)) {
            ByteBuffer req = ByteBuffer.allocate(ECHO_BYTES);
            ByteBuffer resp = ByteBuffer.allocate(ECHO_BYTES);
            long warmEnd = System.nanoTime() + (long) (seconds * 0.2e9);
            while (System.nanoTime() < warmEnd) {
                roundTrip(c, req, resp);
            }
            long n = 0;
            long t0 = System.nanoTime();
            long end = t0 + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                roundTrip(c, req, resp);
                n++;
            }
            return n / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static void roundTrip(Client c, ByteBuffer req, ByteBuffer resp) throws Exception {
        req.clear();
        while (req.hasRemaining()) {
            c.write(req);
        }
        resp.clear();
        while (resp.hasRemaining()) {
            if (c.read(resp) <= 0) {
                throw new IllegalStateException("echo server closed");
            }
        }
    }

    private static double bulkSend(Connector connector, int port, double seconds) throws Exception {
        try (Client c = connector.connect(port)) {
            ByteBuffer b = ByteBuffer.allocate(BULK_CHUNK);
            long warmEnd = System.nanoTime() + (long) (seconds * 0.2e9);
            while (System.nanoTime() < warmEnd) {
                c.write(b.clear());
            }
            long bytes = 0;
            long t0 = System.nanoTime();
            long end = t0 + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                b.clear();
                while (b.hasRemaining()) {
                    bytes += c.write(b);
                }
            }
            return bytes / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static double bulkReceive(Connector connector, int port, double seconds) throws Exception {
        try (Client c = connector.connect(port)) {
            ByteBuffer b = ByteBuffer.allocate(BULK_CHUNK);
            long warmEnd = System.nanoTime() + (long) (seconds * 0.2e9);
            while (System.nanoTime() < warmEnd) {
                c.read(b.clear());
            }
            long bytes = 0;
            long t0 = System.nanoTime();
            long end = t0 + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                int n = c.read(b.clear());
                if (n <= 0) {
                    throw new IllegalStateException("source closed");
                }
                bytes += n;
            }
            return bytes / ((System.nanoTime() - t0) / 1e9);
        }
    }

    @FunctionalInterface
    private interface Measure {
        double run(Connector c, int port, double seconds) throws Exception;
    }

    /** Best of {@link #ROUNDS} alternating runs of each client: {sockin, host}. */
    private static double[] compare(Measure m, Kernel k, int port, double seconds) throws Exception {
        double[] best = new double[2];
        for (int i = 0; i < ROUNDS; i++) {
            best[0] = Math.max(best[0], m.run(p -> rump(k, p), port, seconds));
            best[1] = Math.max(best[1], m.run(SockinBench::host, port, seconds));
        }
        return best;
    }

    public static void main(String[] args) throws Exception {
        double seconds = Double.parseDouble(System.getProperty("seconds", "1"));
        String load0 = loadavg();
        Kernel k = Kernel.boot(KernelConfig.builder().hostname("sockin").ncpu(Integer.getInteger("ncpu", 1))
                .hypercall(HostHypercall.builder().environment(Map.of()).build())
                .component("rumpnet_sockin").build());
        double[] echo;
        double[] send;
        double[] recv;
        try (HostTcpPeers echoServer = new HostTcpPeers(HostTcpPeers.Mode.ECHO);
             HostTcpPeers sink = new HostTcpPeers(HostTcpPeers.Mode.SINK);
             HostTcpPeers source = new HostTcpPeers(HostTcpPeers.Mode.SOURCE)) {
            echo = compare(SockinBench::echo, k, echoServer.port(), seconds);
            send = compare(SockinBench::bulkSend, k, sink.port(), seconds);
            recv = compare(SockinBench::bulkReceive, k, source.port(), seconds);
        } finally {
            var report = k.halt();
            if (!report.clean()) {
                System.out.println("halt: " + report);
            }
        }
        double echoRatio = echo[0] / echo[1];
        double sendRatio = send[0] / send[1];
        double recvRatio = recv[0] / recv[1];
        double bulkRatio = Math.min(sendRatio, recvRatio);
        System.out.println("command: bench/run sockin   (-Dseconds=" + seconds + " per run, best of " + ROUNDS + ")");
        System.out.println("client: a rump socket of a 1-CPU kernel with rumpnet_sockin, through Syscalls;"
                + " baseline: a blocking SocketChannel; both against the same host servers on 127.0.0.1");
        System.out.printf("  echo %d B    sockin %,10.0f rt/s   nio %,10.0f rt/s   ratio %.2f%n", ECHO_BYTES, echo[0],
                echo[1], echoRatio);
        System.out.printf("  bulk send    sockin %,10.1f MB/s   nio %,10.1f MB/s   ratio %.2f%n", send[0] / 1e6,
                send[1] / 1e6, sendRatio);
        System.out.printf("  bulk receive sockin %,10.1f MB/s   nio %,10.1f MB/s   ratio %.2f%n", recv[0] / 1e6,
                recv[1] / 1e6, recvRatio);
        System.out.println("  bulk_ratio is the lower of the send and receive ratios; the target for both ratios is 0.8");
        String load1 = loadavg();
        System.out.println("host: " + Runtime.getRuntime().availableProcessors() + " cpus; load average before " + load0
                + ", after " + load1 + " (other work on the machine lowers every figure; the echo ratio most, as it"
                + " counts thread wakeups)");
        System.out.printf("RESULT sockin echo_ratio=%.2f bulk_ratio=%.2f echo_rtps=%.0f nio_echo_rtps=%.0f"
                        + " send_mbps=%.1f nio_send_mbps=%.1f recv_mbps=%.1f nio_recv_mbps=%.1f load1=%s%n", echoRatio,
                bulkRatio, echo[0], echo[1], send[0] / 1e6, send[1] / 1e6, recv[0] / 1e6, recv[1] / 1e6,
                load1.split(" ")[0]);
    }

    /** The host's 1, 5 and 15 minute load averages, for the report. */
    private static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
