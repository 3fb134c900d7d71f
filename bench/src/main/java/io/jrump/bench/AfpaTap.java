package io.jrump.bench;

import io.jrump.examples.httpd.UserHttpd;
import io.jrump.kern.Cred;
import io.jrump.kern.Kernel;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.testkit.NetNs;
import io.jrump.wire.Ipv4Address;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code bench/run afpa}'s Linux part: {@code wrk} in a namespace made for the run, against the accelerator
 * (hook mode, in front of {@link UserHttpd}) in a rump kernel on a tap, beside {@code wrk} against nginx with
 * one worker and {@code sendfile on} on the namespace's loopback, for the 1 KB and 128 KB files, keep-alive,
 * one {@code wrk} thread and {@code CONNS} connections each. Each side first takes an unmeasured run; then they
 * take turns.
 */
final class AfpaTap {
    static final String LINUX = "198.18.13.1";
    static final String RUMP = "198.18.13.2";
    static final int CONNS = 16;
    static final int NGINX_PORT = 8080;
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");

    /** The figures, or the reason they are missing. */
    record Figures(String skipped, double hook1k, double hook128k, double nginx1k, double nginx128k,
                   boolean accelerated) {
        boolean ran() {
            return skipped == null;
        }

        String describe() {
            if (!ran()) {
                return "  over a tap: skipped: " + skipped;
            }
            return String.format(Locale.ROOT, "  over a tap, wrk (1 thread, %d connections, keep-alive) from a Linux"
                    + " namespace:%n    1k:   rump %s %,10.0f requests/s   nginx (1 worker, sendfile, loopback) %,10.0f"
                    + "   ratio %.2f (target >= 1)%n    128k: rump %s %,10.0f requests/s   nginx %,10.0f   ratio %.2f",
                    CONNS, accelerated ? "hook" : "user", hook1k, nginx1k, hook1k / nginx1k,
                    accelerated ? "hook" : "user", hook128k, nginx128k, hook128k / nginx128k);
        }

        String keys() {
            if (!ran()) {
                return " tap_skipped=1";
            }
            return String.format(Locale.ROOT, " tap_hook_1k_rps=%.0f tap_hook_128k_rps=%.0f nginx_1k_rps=%.0f"
                    + " nginx_128k_rps=%.0f hook_over_nginx_128k=%.3f", hook1k, hook128k, nginx1k, nginx128k,
                    hook128k / nginx128k);
        }
    }

    private AfpaTap() {
    }

    /**
     * The rump side and nginx take turns ({@code rounds} times each, a figure being the median), so that load
     * that comes and goes on the machine falls on both alike.
     */
    static Figures measure(double seconds, int rounds) throws Exception {
        String why = NetNs.unavailableReason();
        if (why == null) {
            why = missing("wrk", "nginx", "ss");
        }
        if (why != null) {
            return new Figures(why, 0, 0, 0, 0, false);
        }
        Path dir = Files.createTempDirectory("afpa-nginx");
        Kernel k = AfpaBench.bootServer("httpd-tap", "rumpnet_virtif");
        NetNs ns = null;
        try {
            ns = NetNs.open("afpa");
            String tap = NetNs.tapName("jra");
            attach(k, tap);
            ns.adoptTap(tap, LINUX + "/24");
            AfpaBench.writeFiles(k.syscalls());
            boolean accelerated = AfpaBench.configure(k.syscalls(), "hook");
            try (UserHttpd httpd = UserHttpd.start(k.syscalls(), AfpaBench.PORT, "/www")) {
                ns.check("ping", "-c", "1", "-W", "5", RUMP);
                Process nginx = nginx(ns, dir);
                try {
                    String rump = "http://" + RUMP + "/";
                    String lo = "http://127.0.0.1:" + NGINX_PORT + "/";
                    // unmeasured first: the rump side is Java code the JIT compiles
                    wrk(ns, rump + "1k.bin", seconds * 2);
                    wrk(ns, rump + "128k.bin", seconds);
                    wrk(ns, lo + "1k.bin", seconds);
                    double[][] m = new double[4][rounds];
                    for (int r = 0; r < rounds; r++) {
                        m[0][r] = wrk(ns, rump + "1k.bin", seconds);
                        m[1][r] = wrk(ns, lo + "1k.bin", seconds);
                        m[2][r] = wrk(ns, rump + "128k.bin", seconds);
                        m[3][r] = wrk(ns, lo + "128k.bin", seconds);
                    }
                    return new Figures(null, median(m[0]), median(m[2]), median(m[1]), median(m[3]), accelerated);
                } finally {
                    nginx.descendants().forEach(ProcessHandle::destroy);
                    nginx.destroy();
                }
            }
        } finally {
            k.halt();
            if (ns != null) {
                ns.close();
            }
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        java.util.Arrays.sort(c);
        return c[c.length / 2];
    }

    /** nginx in the foreground with one worker and sendfile, serving the benchmark's files on the loopback. */
    private static Process nginx(NetNs ns, Path dir) throws Exception {
        Path www = Files.createDirectories(dir.resolve("www"));
        for (int size : AfpaBench.SIZES) {
            Files.write(www.resolve(AfpaBench.label(size) + ".bin"), AfpaBench.content(size));
        }
        Files.createDirectories(dir.resolve("logs"));
        String conf = "daemon off;\nmaster_process on;\nworker_processes 1;\nuser root;\npid " + dir.resolve("nginx.pid")
                + ";\nerror_log " + dir.resolve("logs/error.log") + ";\nevents { worker_connections 1024; }\n"
                + "http {\n  sendfile on;\n  tcp_nopush on;\n  access_log off;\n  keepalive_requests 1000000;\n"
                + "  default_type application/octet-stream;\n"
                + "  client_body_temp_path " + dir + "/t1; proxy_temp_path " + dir + "/t2; fastcgi_temp_path " + dir
                + "/t3; uwsgi_temp_path " + dir + "/t4; scgi_temp_path " + dir + "/t5;\n"
                + "  server { listen 127.0.0.1:" + NGINX_PORT + "; root " + www + "; }\n}\n";
        Path confFile = dir.resolve("nginx.conf");
        Files.writeString(confFile, conf);
        Process p = ns.spawn("nginx", "-p", dir.toString(), "-c", confFile.toString());
        for (int i = 0; i < 250; i++) {
            if (ns.listening(NGINX_PORT)) {
                return p;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("nginx exited " + p.exitValue() + ": "
                        + new String(p.getInputStream().readAllBytes()));
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("nginx is not listening after 5 s");
    }

    /** {@code wrk}'s requests per second; fails if any answer was not 2xx or a socket error occurred. */
    private static double wrk(NetNs ns, String url, double seconds) {
        String out = ns.check("wrk", "-t1", "-c" + CONNS, "-d" + Math.max(1, Math.round(seconds)) + "s", url).out();
        if (out.contains("Non-2xx") || out.contains("Socket errors")) {
            throw new IllegalStateException("wrk " + url + " saw errors: " + out);
        }
        Matcher m = RPS.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no Requests/sec in wrk's output: " + out);
        }
        return Double.parseDouble(m.group(1));
    }

    private static void attach(Kernel k, String tap) throws Exception {
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

    private static String missing(String... tools) throws IOException {
        for (String t : tools) {
            boolean found = false;
            for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin:/usr/sbin:/sbin").split(":")) {
                found |= Files.isExecutable(Path.of(d, t));
            }
            found |= Files.isExecutable(Path.of("/usr/sbin", t));
            if (!found) {
                return "'" + t + "' is not installed";
            }
        }
        return null;
    }
}
