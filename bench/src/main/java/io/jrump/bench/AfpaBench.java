package io.jrump.bench;

import io.jrump.examples.TapServer;
import io.jrump.examples.httpd.UserHttpd;
import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.virtif.Hub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bench/run afpa} (issue 17): requests per second of the AFPA accelerator against the same kernel
 * serving through its user-level server alone, the seed's kernel-against-user comparison. A server kernel
 * ({@code rumpvfs}, {@code rumpnet_netinet}, {@code rumpnet_afpa}) holds files of 64 B, 1 KB, 4 KB, 32 KB
 * and 128 KB in its rumpfs and runs {@link UserHttpd} on port 80; a client kernel on the in-process hub
 * runs the load generator ({@link AfpaLoad}: {@code conns} connections, keep-alive or one connection per
 * request). The same server is measured three ways by its sysctls: {@code net.afpa.enable=0} (the
 * user-level server alone), {@code mode=hook} and {@code mode=tdi}. For each accelerated way it reports the
 * accelerator's hits and pass-throughs during its runs, which say whether it served at all. A fourth way,
 * {@code floor} ({@link AfpaFloor}), answers every request from the data upcall with a canned response: the
 * least work an in-kernel server can do, so {@code floor_over_user_*} is the largest ratio the harness allows,
 * the client kernel's own cost per request being the same for all four.
 *
 * <p>Then, over a tap whose Linux side is in a namespace made for the run ({@link AfpaTap}): Linux
 * {@code wrk} against the accelerator in hook mode, beside {@code wrk} against nginx (one worker,
 * {@code sendfile on}) on the namespace's loopback, in the same run. Skipped with a message without root,
 * {@code /dev/net/tun}, {@code wrk} or {@code nginx} ({@code bench/run afpa} installs the last two).
 *
 * <p>The modes take turns figure by figure ({@code rounds} times each; a figure is the median), so that load
 * that comes and goes on the machine falls on all of them alike. Options: {@code warmup=SECONDS} (before each
 * sample, 0.5), {@code seconds=SECONDS} (each sample, 1), {@code rounds=N} (3), {@code jit=SECONDS}
 * (unmeasured load on every mode before the first figure, 6), {@code conns=N} (8), {@code modes=user,hook,tdi,floor},
 * {@code tap=0|1} (1), {@code tapseconds=SECONDS} (2), {@code sizes=64,1k,4k,32k,128k} (every size; for example
 * {@code sizes=128k} runs one size fast).
 *
 * <p>Beside each figure it prints the process's CPU time per request ({@link AfpaLoad.Sample}): both kernels
 * share the process and its cores, so a mode that costs less CPU per request than another is cheaper even
 * where the harness caps the rate; the RESULT line carries it as {@code MODE_cpu_us_ka_SIZE}.
 */
public final class AfpaBench {
    static final int[] SIZES = {64, 1024, 4096, 32768, 131072};
    static final String SERVER = "198.18.0.1";
    static final int PORT = 80;
    /** The first of the ports of the floor responders ({@link AfpaFloor}), one per file size. */
    static final int FLOOR_PORT = 8000;

    private AfpaBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        List<String> known = List.of("warmup", "seconds", "jit", "rounds", "conns", "modes", "tap", "tapseconds",
                "sizes");
        for (String a : args) {
            String[] kv = a.replaceFirst("^-+", "").split("=", 2);
            if (kv.length != 2 || !known.contains(kv[0])) {
                System.err.println("usage: bench/run afpa [warmup=SECONDS] [seconds=SECONDS] [jit=SECONDS] [rounds=N] [conns=N]"
                        + " [modes=user,hook,tdi,floor] [tap=0|1] [tapseconds=SECONDS] [sizes=64,1k,4k,32k,128k]");
                System.exit(2);
            }
            opt.put(kv[0], kv[1]);
        }
        double warmup = Double.parseDouble(opt.getOrDefault("warmup", "0.5"));
        double seconds = Double.parseDouble(opt.getOrDefault("seconds", "1"));
        double jit = Double.parseDouble(opt.getOrDefault("jit", "6"));
        int rounds = Integer.parseInt(opt.getOrDefault("rounds", "3"));
        int conns = Integer.parseInt(opt.getOrDefault("conns", "8"));
        List<String> modes = List.of(opt.getOrDefault("modes", "user,hook,tdi,floor").split(","));
        boolean tap = !opt.getOrDefault("tap", "1").equals("0");
        double tapSeconds = Double.parseDouble(opt.getOrDefault("tapseconds", "2"));
        int[] sizes = sizes(opt.get("sizes"));
        if (sizes == null) {
            System.err.println("bench/run afpa: sizes= takes a comma-separated list of 64, 1k, 4k, 32k and 128k");
            System.exit(2);
        }
        String load0 = LoadAvg.loadavg();

        Hub hub = new Hub("afpa");
        Kernel server = bootServer("httpd");
        Kernel client = Kernel.boot(KernelConfig.builder().hostname("clients").ncpu(2).memoryLimit(512 << 20)
                .hypercall(HostHypercall.builder().environment(Map.of()).build()).component("rumpnet_netinet").build());
        Map<String, Double> rps = new LinkedHashMap<>();
        Map<String, Double> cpu = new LinkedHashMap<>();
        Map<String, String> served = new LinkedHashMap<>();
        boolean accelerator;
        AfpaTap.Figures t = null;
        try {
            HttpServerSide.up(server, hub, SERVER);
            HttpServerSide.up(client, hub, "198.18.0.2");
            // A connection per request leaves a TIME_WAIT behind on the side that closed first (the server, after
            // Connection: close); the client soon reuses its port numbers, and a SYN meeting a TIME_WAIT it
            // cannot recycle waits out a retransmission timeout, which would measure the stack's TIME_WAIT
            // handling instead of the server. Without MSL on this subnet no TIME_WAIT is kept, on both kernels.
            for (Kernel k : List.of(server, client)) {
                k.syscalls().sysctlWrite("net.inet.tcp.mslt.local", "0");
            }
            writeFiles(server.syscalls());
            accelerator = configure(server.syscalls(), "user");
            try (UserHttpd httpd = UserHttpd.start(server.syscalls(), PORT, "/www")) {
                SockAddr at = SockAddr.in(SERVER, PORT);
                List<AfpaFloor> floors = new ArrayList<>();
                for (int i = 0; i < SIZES.length; i++) {
                    floors.add(AfpaFloor.start(server, FLOOR_PORT + i, SIZES[i]));
                }
                Syscalls c = client.syscalls();
                // The JIT compiles every way's paths on unmeasured load first: each mode runs other code.
                int jitKa = sizes.length == 1 ? sizes[0] : 1024;
                int jitClose = sizes.length == 1 ? sizes[0] : 4096;
                for (String mode : modes) {
                    configure(server.syscalls(), mode);
                    AfpaLoad.run(c, target(mode, at, jitKa), "/" + label(jitKa) + ".bin", jitKa, true, conns, 0,
                            jit / modes.size() / 2);
                    AfpaLoad.run(c, target(mode, at, jitClose), "/" + label(jitClose) + ".bin", jitClose, false,
                            conns, 0, jit / modes.size() / 2);
                }
                // The machine's other load comes and goes: the modes take turns, figure by figure, and each
                // figure is the median of its rounds, so that a ratio compares like with like.
                Map<String, long[]> hitsEtc = new HashMap<>();
                for (int size : sizes) {
                    for (boolean ka : new boolean[] {true, false}) {
                        Map<String, double[]> samples = new HashMap<>();
                        Map<String, double[]> cpus = new HashMap<>();
                        for (int round = 0; round < rounds; round++) {
                            for (String mode : modes) {
                                configure(server.syscalls(), mode);
                                long[] s0 = afpaStats(server.syscalls());
                                AfpaLoad.Sample sm = AfpaLoad.sample(c, target(mode, at, size),
                                        "/" + label(size) + ".bin", size, ka, conns, warmup, seconds);
                                double r = sm.rps();
                                cpus.computeIfAbsent(mode, m -> new double[rounds])[round] = sm.cpuMicros();
                                long[] s1 = afpaStats(server.syscalls());
                                if (s0 != null && s1 != null) {
                                    long[] acc = hitsEtc.computeIfAbsent(mode, m -> new long[3]);
                                    for (int i = 0; i < 3; i++) {
                                        acc[i] += s1[i] - s0[i];
                                    }
                                }
                                samples.computeIfAbsent(mode, m -> new double[rounds])[round] = r;
                            }
                        }
                        for (String mode : modes) {
                            double[] v = samples.get(mode);
                            Arrays.sort(v);
                            double med = v[v.length / 2];
                            double[] u = cpus.get(mode);
                            Arrays.sort(u);
                            double cpuMed = u[u.length / 2];
                            rps.put(mode + "_" + (ka ? "ka" : "close") + "_" + label(size), med);
                            cpu.put(mode + "_" + (ka ? "ka" : "close") + "_" + label(size), cpuMed);
                            System.out.printf("  %-5s %-10s %5s  %,10.0f requests/s (median of %s), %,8.1f us CPU"
                                    + " per request%n", mode, ka ? "keep-alive" : "close", label(size), med,
                                    Arrays.toString(round0(v)), cpuMed);
                        }
                    }
                }
                for (AfpaFloor f : floors) {
                    f.close();
                }
                for (String mode : modes) {
                    long[] h = hitsEtc.get(mode);
                    if (!mode.equals("user") && !mode.equals("floor")) {
                        served.put(mode, h == null ? "no accelerator counters"
                                : String.format("%,d hits, %,d misses, %,d passed to the user-level server",
                                        h[0], h[1], h[2]));
                    }
                }
            }
            if (tap) {
                t = AfpaTap.measure(tapSeconds, rounds);
            }
        } finally {
            client.halt();
            server.halt();
        }
        System.out.println("command: bench/run afpa warmup=" + warmup + " seconds=" + seconds + " rounds=" + rounds
                + " jit=" + jit
                + " conns=" + conns + " modes=" + String.join(",", modes) + " tap=" + (tap ? 1 : 0)
                + " sizes=" + String.join(",", Arrays.stream(sizes).mapToObj(AfpaBench::label).toList()));
        System.out.println("a server kernel (2 cpus; rumpvfs, netinet, afpa; files in rumpfs) and a client kernel on an"
                + " in-process hub (MTU 1500); " + conns + " client connections");
        System.out.println("host: " + Runtime.getRuntime().availableProcessors() + " cpus; load average before " + load0
                + ", after " + LoadAvg.loadavg() + " (other work on the machine lowers every figure)");
        if (!accelerator) {
            System.out.println("this kernel's rumpnet_afpa has no net.afpa sysctls: every column is the user-level server");
        }
        served.forEach((m, s) -> System.out.println("  " + m + " mode: " + s));
        System.out.printf("  %-6s %22s %22s %22s %22s%n", "file", "user (ka / close)", "hook (ka / close)",
                "tdi (ka / close)", "floor (ka / close)");
        for (int size : sizes) {
            StringBuilder line = new StringBuilder(String.format("  %-6s", label(size)));
            for (String mode : List.of("user", "hook", "tdi", "floor")) {
                Double ka = rps.get(mode + "_ka_" + label(size));
                Double cl = rps.get(mode + "_close_" + label(size));
                line.append(ka == null ? String.format("%23s", "-") : String.format(" %,11.0f / %,9.0f", ka, cl));
            }
            System.out.println(line);
        }
        System.out.printf("  %-6s %22s %22s %22s %22s%n", "CPU/req", "user (ka / close)", "hook (ka / close)",
                "tdi (ka / close)", "floor (ka / close)");
        for (int size : sizes) {
            StringBuilder line = new StringBuilder(String.format("  %-6s", label(size)));
            for (String mode : List.of("user", "hook", "tdi", "floor")) {
                Double ka = cpu.get(mode + "_ka_" + label(size));
                Double cl = cpu.get(mode + "_close_" + label(size));
                line.append(ka == null ? String.format("%23s", "-") : String.format(" %8.1f us / %6.1f us", ka, cl));
            }
            System.out.println(line);
        }
        if (t != null) {
            System.out.println(t.describe());
        }
        StringBuilder r = new StringBuilder("RESULT afpa");
        ratio(r, rps, "hook_over_user_1k", "hook", "1k");
        ratio(r, rps, "tdi_over_user_1k", "tdi", "1k");
        ratio(r, rps, "hook_over_user_128k", "hook", "128k");
        if (t != null && t.ran()) {
            r.append(String.format(Locale.ROOT, " hook_over_nginx_1k=%.3f", t.hook1k() / t.nginx1k()));
        }
        ratio(r, rps, "floor_over_user_1k", "floor", "1k");
        ratio(r, rps, "floor_over_user_128k", "floor", "128k");
        for (String mode : List.of("hook", "tdi")) {
            for (String size : List.of("64", "4k", "32k")) {
                ratio(r, rps, mode + "_over_user_" + size, mode, size);
            }
        }
        rps.forEach((k, v) -> r.append(String.format(Locale.ROOT, " %s_rps=%.0f", k, v)));
        cpu.forEach((k, v) -> {
            if (k.contains("_ka_")) {
                r.append(String.format(Locale.ROOT, " %s=%.1f", k.replace("_ka_", "_cpu_us_ka_"), v));
            }
        });
        if (t != null) {
            r.append(t.keys());
        }
        r.append(accelerator ? "" : " accelerator=0");
        System.out.println(r);
    }

    /** The sizes a {@code sizes=} list names ({@link #SIZES} when absent), or null if it names another. */
    static int[] sizes(String list) {
        if (list == null) {
            return SIZES;
        }
        List<Integer> out = new ArrayList<>();
        for (String w : list.split(",")) {
            int found = -1;
            for (int size : SIZES) {
                if (label(size).equalsIgnoreCase(w.trim()) || Integer.toString(size).equals(w.trim())) {
                    found = size;
                }
            }
            if (found < 0 || out.contains(found)) {
                return null;
            }
            out.add(found);
        }
        return out.isEmpty() ? null : out.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Where {@code mode}'s requests go: the floor responder for the size on its own port, every other mode to
     * the port the user-level server listens on.
     */
    private static SockAddr target(String mode, SockAddr at, int size) {
        if (!mode.equals("floor")) {
            return at;
        }
        for (int i = 0; i < SIZES.length; i++) {
            if (SIZES[i] == size) {
                return SockAddr.in(SERVER, FLOOR_PORT + i);
            }
        }
        throw new IllegalArgumentException("no floor responder for " + size + " bytes");
    }

    private static long[] round0(double[] v) {
        long[] r = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = Math.round(v[i]);
        }
        return r;
    }

    /** The keep-alive ratio of {@code mode} to the user-level server at {@code size}, if both ran. */
    private static void ratio(StringBuilder r, Map<String, Double> rps, String key, String mode, String size) {
        Double a = rps.get(mode + "_ka_" + size);
        Double u = rps.get("user_ka_" + size);
        if (a != null && u != null) {
            r.append(String.format(Locale.ROOT, " %s=%.3f", key, a / u));
        }
    }

    static String label(int size) {
        return size < 1024 ? Integer.toString(size) : (size >> 10) + "k";
    }

    static Kernel bootServer(String name, String... more) throws Exception {
        String[] comps = new String[3 + more.length];
        comps[0] = "rumpvfs";
        comps[1] = "rumpnet_netinet";
        comps[2] = "rumpnet_afpa";
        System.arraycopy(more, 0, comps, 3, more.length);
        return Kernel.boot(KernelConfig.builder().hostname(name).ncpu(2).memoryLimit(512 << 20)
                .hypercall(HostHypercall.builder().environment(Map.of()).build()).component(comps).build());
    }

    /** The benchmark's files, {@code /www/64.bin} to {@code /www/128k.bin}, in the kernel's rumpfs. */
    static void writeFiles(Syscalls sys) throws ErrnoException {
        for (int size : SIZES) {
            TapServer.writeFile(sys, "/www/" + label(size) + ".bin", content(size));
        }
    }

    static byte[] content(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }

    /**
     * {@code user}: {@code net.afpa.enable=0}; {@code hook} or {@code tdi}: that mode, enabled, on port 80
     * and {@code /www}. Returns false when the kernel has no {@code net.afpa} sysctls.
     */
    static boolean configure(Syscalls sys, String mode) throws ErrnoException {
        try {
            sys.sysctlWrite("net.afpa.enable", "0");
        } catch (ErrnoException e) {
            return false;
        }
        sys.sysctlWrite("net.afpa.port", Integer.toString(PORT));
        sys.sysctlWrite("net.afpa.docroot", "/www");
        if (mode.equals("hook") || mode.equals("tdi")) {
            sys.sysctlWrite("net.afpa.mode", mode);
            sys.sysctlWrite("net.afpa.enable", "1");
        }
        return true;
    }

    /** Hits, misses and pass-throughs so far, or null without the counters. */
    static long[] afpaStats(Syscalls sys) {
        try {
            return new long[] {Long.parseLong(sys.sysctlRead("net.afpa.stats.hits").trim()),
                Long.parseLong(sys.sysctlRead("net.afpa.stats.misses").trim()),
                Long.parseLong(sys.sysctlRead("net.afpa.stats.requests_passed_user_level").trim())};
        } catch (ErrnoException | RuntimeException e) {
            return null;
        }
    }

    /** The load average, for the header. */
    static final class LoadAvg {
        private LoadAvg() {
        }

        static String loadavg() {
            try {
                String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
                return f[0] + " " + f[1] + " " + f[2];
            } catch (IOException | RuntimeException e) {
                return "unknown";
            }
        }
    }
}
