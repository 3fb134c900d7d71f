package io.jrump.bench;

import io.jrump.sysproxy.RumpServer;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.rumpclient.RumpClient;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The sysproxy round-trip benchmark ({@code bench/run sysproxy-rtt}): {@code getpid} through
 * {@code unix://} against a bare ping-pong of frames of the same sizes over a JDK Unix socket, in the
 * same JVM and the same run, so the ratio shows what the protocol, the server's dispatch and the kernel
 * entry add to the transport. The two are measured in alternating blocks so that drift in the machine's
 * load falls on both, and, unless {@code --no-pin} is given, on one CPU ({@link io.jrump.hypercall.sp.HostCpu} says why).
 * {@code sysctl_median_us} is a {@code sysctl} read, a call that may sleep and so takes the general path,
 * where the server hands the reading of the connection to another of its threads before running it.
 *
 * <p>Usage: {@code RttBench [--no-pin] [calls [warmup]]}; prints
 * {@code RESULT sysproxy-rtt median_us=... p99_us=... bare_median_us=... ratio=... cpu=...}.
 */
public final class RttBench {
    /** Frame sizes of a getpid request and its reply, so the bare ping-pong moves the same bytes. */
    private static final int REQUEST_BYTES = 13;
    private static final int REPLY_BYTES = 20;
    private static final int BLOCK = 1000;

    private RttBench() {
    }

    public static void main(String[] args) throws Exception {
        boolean pin = args.length == 0 || !args[0].equals("--no-pin");
        int first = pin ? 0 : 1;
        int calls = args.length > first ? Integer.parseInt(args[first]) : 20000;
        int warmup = args.length > first + 1 ? Integer.parseInt(args[first + 1]) : 20000;
        int cpu = pin ? io.jrump.hypercall.sp.HostCpu.pinToCurrentCpu() : -1;
        Path dir = Files.createTempDirectory("rttbench");
        Kernel k = Kernel.boot(KernelConfig.builder().build());
        long[] sp = new long[calls];
        long[] bare = new long[calls];
        long[] sysctl = new long[calls];
        try (RumpServer server = RumpServer.start(k, "unix://" + dir.resolve("rump.sock"));
             RumpClient client = RumpClient.connect(server.url(), "rttbench");
             BarePingPong pp = new BarePingPong(dir.resolve("bare.sock"))) {
            for (int i = 0; i < warmup; i++) {
                client.getpid();
                pp.roundTrip();
                client.sysctlRead("kern.ostype");
            }
            for (int done = 0; done < calls; done += BLOCK) {
                int n = Math.min(BLOCK, calls - done);
                for (int i = 0; i < n; i++) {
                    long t0 = System.nanoTime();
                    client.getpid();
                    sp[done + i] = System.nanoTime() - t0;
                }
                for (int i = 0; i < n; i++) {
                    long t0 = System.nanoTime();
                    pp.roundTrip();
                    bare[done + i] = System.nanoTime() - t0;
                }
                for (int i = 0; i < n; i++) {
                    long t0 = System.nanoTime();
                    client.sysctlRead("kern.ostype");
                    sysctl[done + i] = System.nanoTime() - t0;
                }
            }
        } finally {
            k.halt();
            Files.deleteIfExists(dir.resolve("rump.sock"));
            Files.deleteIfExists(dir.resolve("bare.sock"));
            Files.deleteIfExists(dir);
        }
        Arrays.sort(sp);
        Arrays.sort(bare);
        Arrays.sort(sysctl);
        double median = sp[calls / 2] / 1000.0;
        double p99 = sp[(int) (calls * 0.99)] / 1000.0;
        double bareMedian = bare[calls / 2] / 1000.0;
        System.out.printf("RESULT sysproxy-rtt median_us=%.1f p99_us=%.1f bare_median_us=%.1f bare_p99_us=%.1f ratio=%.2f"
                        + " sysctl_median_us=%.1f calls=%d cpu=%s%n", median, p99, bareMedian,
                bare[(int) (calls * 0.99)] / 1000.0, median / bareMedian, sysctl[calls / 2] / 1000.0, calls,
                cpu >= 0 ? Integer.toString(cpu) : "any");
    }

    /** The baseline: a thread that answers each fixed-size request with a fixed-size reply. */
    private static final class BarePingPong implements AutoCloseable {
        private final ServerSocketChannel server;
        private final SocketChannel client;
        private final Thread echo;
        private final ByteBuffer req = ByteBuffer.allocateDirect(REQUEST_BYTES);
        private final ByteBuffer rep = ByteBuffer.allocateDirect(REPLY_BYTES);

        BarePingPong(Path path) throws IOException {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
            client = SocketChannel.open(UnixDomainSocketAddress.of(path));
            SocketChannel peer = server.accept();
            echo = new Thread(() -> serve(peer), "rttbench-bare");
            echo.setDaemon(true);
            echo.start();
        }

        private static void serve(SocketChannel peer) {
            ByteBuffer in = ByteBuffer.allocateDirect(REQUEST_BYTES);
            ByteBuffer out = ByteBuffer.allocateDirect(REPLY_BYTES);
            try (peer) {
                for (;;) {
                    in.clear();
                    while (in.hasRemaining()) {
                        if (peer.read(in) < 0) {
                            return;
                        }
                    }
                    out.clear();
                    out.putInt(0, in.getInt(0));
                    while (out.hasRemaining()) {
                        peer.write(out);
                    }
                }
            } catch (IOException e) {
                // the benchmark closed the connection
            }
        }

        void roundTrip() throws IOException {
            req.clear();
            while (req.hasRemaining()) {
                client.write(req);
            }
            rep.clear();
            while (rep.hasRemaining()) {
                if (client.read(rep) < 0) {
                    throw new IOException("echo thread ended");
                }
            }
        }

        @Override
        public void close() throws IOException {
            client.close();
            server.close();
            try {
                echo.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
