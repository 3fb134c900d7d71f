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
 * Each Netty program first runs unmeasured on both providers ({@code jit} seconds), then samples alternate
 * between the providers ({@code rounds} of each); a ratio is of the medians.
 * Options: {@code jit=SECONDS warmup=SECONDS httpwarmup=SECONDS seconds=SECONDS rounds=N conns=N size=BYTES ncpu=N
 * parts=echo,bulk,http}; {@code only=echo} or {@code only=bulk} runs that
 * rump measurement alone, for profiling.
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
        String only = opt.get("only");
        double warmup = Double.parseDouble(opt.getOrDefault("warmup", "1"));
        double seconds = Double.parseDouble(opt.getOrDefault("seconds", "2"));
        int rounds = Integer.parseInt(opt.getOrDefault("rounds", "5"));
        // A JVM per HttpServer sample starts cold: the rump side's TCP/IP stack is Java code that the JIT must
        // compile first (the JDK side's is the host kernel's), so those samples warm up longer.
        double httpWarmup = Double.parseDouble(opt.getOrDefault("httpwarmup", "8"));
        // Before the Netty samples, each side runs once unmeasured for this long: the rump side is Java code
        // the JIT compiles (a cold sample is a fraction of a warm one on a loaded machine), the JDK side's
        // selector and channel code too.
        double jit = Double.parseDouble(opt.getOrDefault("jit", "5"));
        int conns = Integer.parseInt(opt.getOrDefault("conns", "8"));
        int size = Integer.parseInt(opt.getOrDefault("size", "128"));
        int ncpu = Integer.parseInt(opt.getOrDefault("ncpu", Integer.toString(Runtime.getRuntime().availableProcessors())));
        String parts = opt.getOrDefault("parts", "echo,bulk,http");
        String load0 = loadavg();
        System.out.println("command: bench/run nio warmup=" + warmup + " seconds=" + seconds + " conns=" + conns
                + " size=" + size);
        System.out.println("host: " + Runtime.getRuntime().availableProcessors() + " cpus; load average before " + load0);

        SelectorProvider jdk = RumpSelectorProvider.jdk();
        InetAddress lo = InetAddress.getLoopbackAddress();
        Hub hub = new Hub("nio");
        Kernel a = boot("server", ncpu);
        Kernel b = boot("client", ncpu);
        HttpServerSide.up(a, hub, "198.18.0.1");
        HttpServerSide.up(b, hub, "198.18.0.2");
        RumpSelectorProvider pa = RumpSelectorProvider.of(a);
        RumpSelectorProvider pb = RumpSelectorProvider.of(b);
        InetAddress serverAddr = InetAddress.getByName("198.18.0.1");
        if (only != null) {
            // For profiling one rump path alone: only=echo or only=bulk, no baseline and no RESULT.
            NettyLoad.Rate r = only.equals("echo") ? NettyLoad.echo(pa, pb, serverAddr, conns, size, warmup, seconds)
                    : NettyLoad.bulk(pa, pb, serverAddr, 64 << 10, warmup, seconds);
            System.out.printf("rump %s: %,.0f per second%n", only, r.perSecond());
            a.halt();
            b.halt();
            return;
        }

        Result echo = null;
        if (parts.contains("echo")) {
            NettyLoad.echo(jdk, jdk, lo, conns, size, jit, 0.1);
            NettyLoad.echo(pa, pb, serverAddr, conns, size, jit, 0.1);
            echo = alternate(rounds, () -> NettyLoad.echo(jdk, jdk, lo, conns, size, warmup, seconds),
                    () -> NettyLoad.echo(pa, pb, serverAddr, conns, size, warmup, seconds));
            echo.print(String.format("netty echo (%d connections, %d-byte messages, ping-pong), round trips/s", conns,
                    size), 1);
        }
        Result bulk = null;
        if (parts.contains("bulk")) {
            int chunk = 64 << 10;
            NettyLoad.bulk(jdk, jdk, lo, chunk, jit, 0.1);
            NettyLoad.bulk(pa, pb, serverAddr, chunk, jit, 0.1);
            bulk = alternate(rounds, () -> NettyLoad.bulk(jdk, jdk, lo, chunk, warmup, seconds),
                    () -> NettyLoad.bulk(pa, pb, serverAddr, chunk, warmup, seconds));
            bulk.print(String.format("netty bulk (one connection, %d KiB writes, discard server), MB/s", chunk >> 10),
                    1e6);
        }
        a.halt();
        b.halt();
        Result http = null;
        if (parts.contains("http")) {
            http = alternate(rounds, () -> httpSide("jdk", httpWarmup, seconds, conns, 1024, ncpu),
                    () -> httpSide("rump", httpWarmup, seconds, conns, 1024, ncpu));
            http.print(String.format("jdk HttpServer (%d keep-alive clients, 1 KiB body, default executor,"
                    + " sun.net.httpserver.nodelay=true), requests/s", conns), 1);
        }
        System.out.println("load average after " + loadavg() + " (other work on the machine moves every figure)");
        System.out.printf("RESULT nio httpserver_rps_ratio=%.3f netty_echo_rps_ratio=%.3f netty_bulk_ratio=%.3f"
                        + " httpserver_rps=%.0f httpserver_jdk_rps=%.0f netty_echo_rps=%.0f netty_echo_jdk_rps=%.0f"
                        + " netty_bulk_mbps=%.1f netty_bulk_jdk_mbps=%.1f%n", ratio(http), ratio(echo), ratio(bulk),
                rump(http, 1), jdk(http, 1), rump(echo, 1), jdk(echo, 1), rump(bulk, 1e6), jdk(bulk, 1e6));
    }

    private interface Run {
        NettyLoad.Rate run() throws Exception;
    }

    /** Both sides' samples of one measurement. */
    private record Result(List<NettyLoad.Rate> jdk, List<NettyLoad.Rate> rump) {
        static double median(List<NettyLoad.Rate> l, java.util.function.ToDoubleFunction<NettyLoad.Rate> f) {
            double[] v = l.stream().mapToDouble(f).sorted().toArray();
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }

        void print(String what, double unit) {
            System.out.println(what + ":");
            System.out.printf("  rump %,.1f (samples %s), jdk %,.1f (samples %s), ratio of medians %.3f%n",
                    median(rump, NettyLoad.Rate::perSecond) / unit, samples(rump, unit),
                    median(jdk, NettyLoad.Rate::perSecond) / unit, samples(jdk, unit),
                    median(rump, NettyLoad.Rate::perSecond) / median(jdk, NettyLoad.Rate::perSecond));
            String per = unit == 1 ? "operation" : "MB";
            System.out.printf("  process CPU per %s (all threads, user and system): rump %,.0f ns, jdk %,.0f ns%n", per,
                    median(rump, NettyLoad.Rate::cpuNanosPerOp) * unit,
                    median(jdk, NettyLoad.Rate::cpuNanosPerOp) * unit);
            System.out.printf("  thread sleeps (voluntary context switches) per %s: rump %.2f, jdk %.2f%n", per,
                    median(rump, NettyLoad.Rate::switchesPerOp) * unit,
                    median(jdk, NettyLoad.Rate::switchesPerOp) * unit);
            System.out.printf("  JIT compile ms during each sample (a side still compiling is not yet warm): rump %s,"
                    + " jdk %s%n", jits(rump), jits(jdk));
        }

        private static String jits(List<NettyLoad.Rate> l) {
            StringBuilder sb = new StringBuilder();
            for (NettyLoad.Rate r : l) {
                sb.append(sb.length() == 0 ? "" : " ").append(r.jitMillis());
            }
            return sb.toString();
        }

        private static String samples(List<NettyLoad.Rate> l, double unit) {
            StringBuilder sb = new StringBuilder();
            for (NettyLoad.Rate r : l) {
                sb.append(sb.length() == 0 ? "" : " ").append(String.format("%.0f", r.perSecond() / unit));
            }
            return sb.toString();
        }
    }

    private static double ratio(Result r) {
        return r == null ? Double.NaN
                : Result.median(r.rump, NettyLoad.Rate::perSecond) / Result.median(r.jdk, NettyLoad.Rate::perSecond);
    }

    private static double rump(Result r, double unit) {
        return r == null ? Double.NaN : Result.median(r.rump, NettyLoad.Rate::perSecond) / unit;
    }

    private static double jdk(Result r, double unit) {
        return r == null ? Double.NaN : Result.median(r.jdk, NettyLoad.Rate::perSecond) / unit;
    }

    /**
     * {@code rounds} samples of each side, alternating (jdk, rump, jdk, rump, ...), so that the load other
     * work puts on the machine weighs on both alike; the ratio is of the medians.
     */
    private static Result alternate(int rounds, Run jdkSide, Run rumpSide) throws Exception {
        List<NettyLoad.Rate> j = new ArrayList<>();
        List<NettyLoad.Rate> r = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            j.add(jdkSide.run());
            r.add(rumpSide.run());
        }
        return new Result(j, r);
    }

    private static Kernel boot(String name, int ncpu) throws Exception {
        return Kernel.boot(KernelConfig.builder().hostname(name).ncpu(ncpu).memoryLimit(256 << 20)
                .hypercall(HostHypercall.builder().environment(Map.of()).build()).component("rumpnet_netinet").build());
    }

    /** Runs {@link HttpServerSide} in a JVM of its own and returns its requests per second. */
    private static NettyLoad.Rate httpSide(String mode, double warmup, double seconds, int conns, int size, int ncpu)
            throws Exception {
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
            cmd.add("-D" + RumpSelectorProvider.KERNEL_PROPERTY + "=-c " + ncpu + " -r 256m -lrumpnet_netinet");
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(HttpServerSide.class.getName());
        cmd.add(mode);
        cmd.add(Double.toString(warmup));
        cmd.add(Double.toString(seconds));
        cmd.add(Integer.toString(conns));
        cmd.add(Integer.toString(size));
        cmd.add(Integer.toString(ncpu));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        double rps = Double.NaN;
        double cpu = Double.NaN;
        double sleeps = Double.NaN;
        long jit = -1;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("RPS ")) {
                    String[] f = line.substring(4).trim().split(" ");
                    rps = Double.parseDouble(f[0]);
                    cpu = Double.parseDouble(f[1]);
                    sleeps = Double.parseDouble(f[2]);
                    jit = Long.parseLong(f[3]);
                } else if (!line.startsWith("provider ")) {
                    System.out.println("  [" + mode + "] " + line);
                }
            }
        }
        int rc = p.waitFor();
        if (rc != 0 || Double.isNaN(rps)) {
            throw new IOException("HttpServer " + mode + " side failed (exit " + rc + ")");
        }
        return new NettyLoad.Rate(rps, 0, cpu, sleeps, jit);
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
