package io.jrump.bench;

import com.sun.net.httpserver.HttpServer;
import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.Cred;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.rumpnio.RumpSelectorProvider;
import io.jrump.virtif.EtherIfs;
import io.jrump.virtif.Hub;
import io.jrump.wire.Ipv4Address;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One side of {@code bench/run nio}'s HttpServer measurement, in a JVM of its own because the JDK's
 * {@code HttpServer} takes its channels from the JVM-wide provider. The server is the plain JDK program
 * ({@code HttpServer.create}, one context answering a fixed body, the default executor); only the JVM's
 * flags differ. {@code jdk}: the JDK's provider, client and server over host loopback. {@code rump}: the JVM
 * was started with {@code -Djava.nio.channels.spi.SelectorProvider=...RumpSelectorProvider} and
 * {@code -Drumpnio.kernel=...}; this harness puts that kernel on an in-process hub with a second kernel for
 * the clients. The clients are threads doing keep-alive GETs on blocking channels; the last line is
 * {@code RPS requests-per-second cpu-ns-per-request sleeps-per-request jit-ms} (the whole process, client threads and
 * both kernels included; jit-ms is the JIT's compile time during the measured window).
 */
public final class HttpServerSide {
    private HttpServerSide() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        double warmup = Double.parseDouble(args[1]);
        double seconds = Double.parseDouble(args[2]);
        int conns = Integer.parseInt(args[3]);
        int size = Integer.parseInt(args[4]);
        int ncpu = Integer.parseInt(args[5]);
        SelectorProvider clients;
        InetAddress addr;
        Kernel clientKernel = null;
        if (mode.equals("rump")) {
            if (!(SelectorProvider.provider() instanceof RumpSelectorProvider p)) {
                throw new IllegalStateException("started without the rump provider: " + SelectorProvider.provider());
            }
            Kernel server = p.kernel().orElseThrow();
            Hub hub = new Hub("http");
            up(server, hub, "198.18.0.1");
            clientKernel = Kernel.boot(KernelConfig.builder().hostname("clients").ncpu(ncpu).memoryLimit(256 << 20)
                    .hypercall(HostHypercall.builder().environment(Map.of()).build()).component("rumpnet_netinet")
                    .build());
            up(clientKernel, hub, "198.18.0.2");
            clients = RumpSelectorProvider.of(clientKernel);
            addr = InetAddress.getByName("198.18.0.1");
        } else {
            clients = SelectorProvider.provider();
            addr = InetAddress.getLoopbackAddress();
        }
        byte[] body = new byte[size];
        for (int i = 0; i < size; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        HttpServer server = serve(addr, body);
        double[] m = load(clients, server.getAddress(), conns, size, warmup, seconds);
        server.stop(0);
        System.out.println("provider " + SelectorProvider.provider());
        System.out.printf("RPS %.1f %.0f %.2f %.0f%n", m[0], m[1], m[2], m[3]);
        System.out.flush();
        if (clientKernel != null) {
            clientKernel.halt();
        }
        System.exit(0);
    }

    /** The program under test: the JDK's HttpServer as any program would start it. */
    static HttpServer serve(InetAddress addr, byte[] body) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(addr, 0), 0);
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        });
        server.start();
        return server;
    }

    static void up(Kernel k, Hub hub, String addr) throws Exception {
        EtherIfs.attach(k, "shmif0", hub.attach(), 1500);
        Interfaces ifs = k.service(Interfaces.class);
        IfReq r = new IfReq("shmif0");
        r.addr = Ipv4Address.parse(addr);
        r.netmask = Ipv4Address.netmask(24);
        ifs.ioctl(IfIoctl.SIOCAIFADDR, r, Cred.ROOT);
        r.flags = Ifnet.IFF_UP;
        ifs.ioctl(IfIoctl.SIOCSIFFLAGS, r, Cred.ROOT);
    }

    /** {@code conns} threads, each with one keep-alive connection, GET as fast as answers come. */
    static double[] load(SelectorProvider p, InetSocketAddress at, int conns, int size, double warmup, double seconds)
            throws Exception {
        AtomicLong done = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> threads = new ArrayList<>();
        byte[] req = ("GET /file HTTP/1.1\r\nHost: " + at.getAddress().getHostAddress() + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < conns; i++) {
            SocketChannel ch = p.openSocketChannel();
            ch.connect(at);
            Thread t = new Thread(() -> {
                ByteBuffer in = ByteBuffer.allocate(size + 4096);
                ByteBuffer out = ByteBuffer.wrap(req);
                try {
                    while (running.get()) {
                        out.clear();
                        while (out.hasRemaining()) {
                            ch.write(out);
                        }
                        readResponse(ch, in);
                        done.incrementAndGet();
                    }
                    ch.close();
                } catch (IOException e) {
                    if (running.get()) {
                        e.printStackTrace();
                    }
                }
            }, "http client " + i);
            threads.add(t);
            t.start();
        }
        Thread.sleep((long) (warmup * 1000));
        settle();
        long c0 = done.get();
        long sw0 = NettyLoad.contextSwitches();
        long cpu0 = NettyLoad.processCpuNanos();
        long jit0 = NettyLoad.jitMillis();
        long t0 = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        long c1 = done.get();
        long cpu1 = NettyLoad.processCpuNanos();
        long jit1 = NettyLoad.jitMillis();
        long sw1 = NettyLoad.contextSwitches();
        long t1 = System.nanoTime();
        running.set(false);
        for (Thread t : threads) {
            t.join(10_000);
        }
        double ops = Math.max(1, c1 - c0);
        return new double[] {(c1 - c0) / ((t1 - t0) / 1e9), (cpu1 - cpu0) / ops, (sw1 - sw0) / ops,
            jit0 < 0 ? -1 : jit1 - jit0};
    }

    /**
     * After the fixed warm-up, more while the JIT is still busy: until a second passes in which it compiled for
     * less than a tenth of it (its compile time summed over its threads), at most {@link #SETTLE_MAX_S} seconds.
     * The same rule on both sides: the measured window is then steady state for each, whichever has more code
     * to compile (the rump side's two kernels are much more than the JDK's socket code, and on two cores a side
     * still compiling was measured with its compiler threads taking the CPU its server needs). Prints how long.
     */
    private static void settle() throws InterruptedException {
        long start = System.nanoTime();
        long last = NettyLoad.jitMillis();
        if (last < 0) {
            return;
        }
        for (int s = 0; s < SETTLE_MAX_S; s++) {
            Thread.sleep(1000);
            long now = NettyLoad.jitMillis();
            if (now - last < 100) {
                break;
            }
            last = now;
        }
        System.out.printf(java.util.Locale.ROOT, "JIT settled after %.0f s more warm-up%n",
                (System.nanoTime() - start) / 1e9);
    }

    /** The most {@link #settle} adds to the warm-up. */
    static final int SETTLE_MAX_S = 20;

    /** Reads one response: headers to the blank line, then Content-Length bytes. */
    private static void readResponse(SocketChannel ch, ByteBuffer in) throws IOException {
        in.clear();
        int headerEnd = -1;
        int length = -1;
        for (;;) {
            if (ch.read(in) < 0) {
                throw new IOException("server closed the connection");
            }
            if (headerEnd < 0) {
                headerEnd = find(in, "\r\n\r\n");
                if (headerEnd >= 0) {
                    String head = new String(in.array(), 0, headerEnd, StandardCharsets.US_ASCII);
                    int i = head.toLowerCase().indexOf("content-length:");
                    int j = head.indexOf("\r\n", i);
                    length = Integer.parseInt(head.substring(i + 15, j < 0 ? head.length() : j).trim());
                }
            }
            if (headerEnd >= 0 && in.position() >= headerEnd + 4 + length) {
                return;
            }
        }
    }

    private static int find(ByteBuffer b, String s) {
        byte[] a = b.array();
        outer:
        for (int i = 0; i + s.length() <= b.position(); i++) {
            for (int k = 0; k < s.length(); k++) {
                if (a[i + k] != s.charAt(k)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
