package io.jrump.bench;

import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.rumpnio.RumpSelectorProvider;
import io.jrump.virtif.Hub;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench/run nio} (issue 20): unmodified NIO programs on the rump {@link RumpSelectorProvider} beside
 * the same programs on the JDK's own provider, in the same run.
 * <ul>
 *   <li>the JDK's {@code HttpServer} answering keep-alive GETs of a small body ({@link HttpServerSide}, in a
 *       JVM of its own per side since the server takes the JVM-wide provider): rump server and client
 *       kernels on an in-process hub, beside server and clients over host loopback;</li>
 *   <li>a Netty echo server with ping-pong clients (round trips per second) and a Netty discard server fed
 *       by one bulk sender (MB/s), server and client each with one event loop ({@link NettyLoad}): rump
 *       kernels on the hub beside host loopback.</li>
 * </ul>
 * Every host baseline is measured before and after its rump run; its mean is the ratio's denominator.
 * Options: {@code warmup=SECONDS seconds=SECONDS conns=N size=BYTES}.
 */
public final class NioBench {
    private NioBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        for (String a : args) {
            String[] kv = a.replaceFirst("^-+", "").split("=", 2);
            if (kv.length != 2) {
                System.err.println("usage: bench/run nio [warmup=SECONDS] [seconds=SECONDS] [conns=N] [size=BYTES]");
                System.exit(2);
            }
            opt.put(kv[0], kv[1]);
        }
        double warmup = Double.parseDouble(opt.getOrDefault("warmup", "2"));
        double seconds = Double.parseDouble(opt.getOrDefault("seconds", "4"));
        int conns = Integer.parseInt(opt.getOrDefault("conns", "8"));
        int size = Integer.parseInt(opt.getOrDefault("size", "128"));
        String load0 = loadavg();
        System.out.println("command: bench/run nio warmup=" + warmup + " seconds=" + seconds + " conns=" + conns
                + " size=" + size);
        System.out.println("host: " + Runtime.getRuntime().availableProcessors() + " cpus; load average before " + load0);

        SelectorProvider jdk = RumpSelectorProvider.jdk();
        InetAddress lo = InetAddress.getLoopbackAddress();
        Hub hub = new Hub("nio");
        Kernel a = boot("server");
        Kernel b = boot("client");
        HttpServerSide.up(a, hub, "198.18.0.1");
        HttpServerSide.up(b, hub, "198.18.0.2");
        RumpSelectorProvider pa = RumpSelectorProvider.of(a);
        RumpSelectorProvider pb = RumpSelectorProvider.of(b);
        InetAddress serverAddr = InetAddress.getByName("198.18.0.1");

        NettyLoad.Rate e1 = NettyLoad.echo(jdk, jdk, lo, conns, size, warmup, seconds);
        NettyLoad.Rate er = NettyLoad.echo(pa, pb, serverAddr, conns, size, warmup, seconds);
        NettyLoad.Rate e2 = NettyLoad.echo(jdk, jdk, lo, conns, size, warmup, seconds);
        double echoJdk = (e1.perSecond() + e2.perSecond()) / 2;
        System.out.printf("netty echo (%d connections, %d-byte messages, ping-pong): rump %,.0f round trips/s, jdk %,.0f"
                + " (before %,.0f, after %,.0f), ratio %.3f%n", conns, size, er.perSecond(), echoJdk, e1.perSecond(),
                e2.perSecond(), er.perSecond() / echoJdk);

        int chunk = 64 << 10;
        NettyLoad.Rate b1 = NettyLoad.bulk(jdk, jdk, lo, chunk, warmup, seconds);
        NettyLoad.Rate br = NettyLoad.bulk(pa, pb, serverAddr, chunk, warmup, seconds);
        NettyLoad.Rate b2 = NettyLoad.bulk(jdk, jdk, lo, chunk, warmup, seconds);
        double bulkJdk = (b1.perSecond() + b2.perSecond()) / 2 / 1e6;
        double bulkRump = br.perSecond() / 1e6;
        System.out.printf("netty bulk (one connection, %d KiB writes, discard server): rump %,.1f MB/s, jdk %,.1f MB/s"
                + " (before %,.1f, after %,.1f), ratio %.3f%n", chunk >> 10, bulkRump, bulkJdk, b1.perSecond() / 1e6,
                b2.perSecond() / 1e6, bulkRump / bulkJdk);
        a.halt();
        b.halt();

        double h1 = httpSide("jdk", warmup, seconds, conns, 1024);
        double hr = httpSide("rump", warmup, seconds, conns, 1024);
        double h2 = httpSide("jdk", warmup, seconds, conns, 1024);
        double httpJdk = (h1 + h2) / 2;
        System.out.printf("jdk HttpServer (%d keep-alive clients, 1 KiB body, default executor, sun.net.httpserver.nodelay=true): rump %,.0f requests/s,"
                + " jdk %,.0f (before %,.0f, after %,.0f), ratio %.3f%n", conns, hr, httpJdk, h1, h2, hr / httpJdk);
        System.out.println("load average after " + loadavg() + " (other work on the machine moves every figure)");
        System.out.printf("RESULT nio httpserver_rps_ratio=%.3f netty_echo_rps_ratio=%.3f netty_bulk_ratio=%.3f"
                        + " httpserver_rps=%.0f httpserver_jdk_rps=%.0f netty_echo_rps=%.0f netty_echo_jdk_rps=%.0f"
                        + " netty_bulk_mbps=%.1f netty_bulk_jdk_mbps=%.1f%n", hr / httpJdk, er.perSecond() / echoJdk,
                bulkRump / bulkJdk, hr, httpJdk, er.perSecond(), echoJdk, bulkRump, bulkJdk);
    }

    private static Kernel boot(String name) throws Exception {
        return Kernel.boot(KernelConfig.builder().hostname(name).ncpu(1).memoryLimit(256 << 20)
                .hypercall(HostHypercall.builder().environment(Map.of()).build()).component("rumpnet_netinet").build());
    }

    /** Runs {@link HttpServerSide} in a JVM of its own and returns its requests per second. */
    private static double httpSide(String mode, double warmup, double seconds, int conns, int size) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xms256m");
        cmd.add("-Xmx1g");
        // The server's own switch for TCP_NODELAY on accepted connections, on both sides: without it each
        // response's header and body writes meet Nagle and the client's delayed ACK, and the figure is the
        // kernels' delayed-ACK timers (40 ms on Linux, 100 ms in NetBSD's stack), not the servers.
        cmd.add("-Dsun.net.httpserver.nodelay=true");
        if (mode.equals("rump")) {
            cmd.add("-Djava.nio.channels.spi.SelectorProvider=" + RumpSelectorProvider.class.getName());
            cmd.add("-D" + RumpSelectorProvider.KERNEL_PROPERTY + "=-c 1 -r 256m -lrumpnet_netinet");
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(HttpServerSide.class.getName());
        cmd.add(mode);
        cmd.add(Double.toString(warmup));
        cmd.add(Double.toString(seconds));
        cmd.add(Integer.toString(conns));
        cmd.add(Integer.toString(size));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        double rps = Double.NaN;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("RPS ")) {
                    rps = Double.parseDouble(line.substring(4).trim());
                } else {
                    System.out.println("  [" + mode + "] " + line);
                }
            }
        }
        int rc = p.waitFor();
        if (rc != 0 || Double.isNaN(rps)) {
            throw new IOException("HttpServer " + mode + " side failed (exit " + rc + ")");
        }
        return rps;
    }

    private static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
