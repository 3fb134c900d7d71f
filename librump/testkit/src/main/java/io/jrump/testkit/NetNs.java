package io.jrump.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A Linux network namespace made for one test, where Linux programs ({@code ping}, {@code socat},
 * {@code curl}, {@code tshark}) are the rump kernel's peers through a tap device (ARCHITECTURE.md
 * section 10). The rump kernel opens its tap in the host namespace; {@link #adoptTap} moves it into
 * this namespace (the kernel's descriptor keeps working) and configures its Linux side there, so the
 * host's own interfaces and routes are never touched.
 *
 * <p>{@link #create} skips the test (JUnit assumption, with the reason) when not root, without
 * {@code /dev/net/tun} or without {@code ip}. Names are random so that tests and other processes on
 * one host do not collide. {@link #close} kills what {@link #spawn} started and deletes the namespace
 * with everything in it, also after a failure.
 */
public final class NetNs implements AutoCloseable {
    private static final Path TUN = Path.of("/dev/net/tun");
    private static final String[] IP_PATHS = {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"};

    private final String name;
    private final String ip;
    private final List<Process> spawned = new ArrayList<>();
    private boolean closed;

    private NetNs(String name, String ip) {
        this.name = name;
        this.ip = ip;
    }

    /**
     * Why namespaces with a tap cannot be made here, or null if they can: the test skips with this
     * message; a benchmark prints it.
     */
    public static String unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return "network namespaces need Linux";
        }
        if (uid() != 0) {
            return "network namespaces and taps need root (running as " + System.getProperty("user.name") + ")";
        }
        if (!Files.exists(TUN)) {
            return TUN + " does not exist (no tun/tap driver)";
        }
        if (ipCommand() == null) {
            return "the 'ip' command (iproute2) is not installed";
        }
        return null;
    }

    /** The process's uid, as the owner of {@code /proc/self}; -1 if unknown. */
    private static int uid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }

    private static String ipCommand() {
        for (String p : IP_PATHS) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return null;
    }

    /**
     * Skips the test with a message naming the missing programs and the Debian packages that bring them,
     * so that a fresh machine without the Linux peers reports skips, not failures ({@code .ci/run}
     * installs them).
     */
    public static void assumeInstalled(String... programs) {
        List<String> missing = new ArrayList<>();
        for (String prog : programs) {
            if (!onPath(prog)) {
                missing.add(prog);
            }
        }
        Assumptions.assumeTrue(missing.isEmpty(), () -> "skipped: not installed: " + String.join(", ", missing)
                + " (apt-get install tshark socat iputils-ping curl)");
    }

    private static boolean onPath(String prog) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, prog))) {
                return true;
            }
        }
        return false;
    }

    /** A new namespace named {@code jrump-PREFIX-RANDOM}, its loopback up; skips the test if unavailable. */
    public static NetNs create(String prefix) {
        String why = unavailableReason();
        Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
        return open(prefix);
    }

    /** As {@link #create}, but throws IllegalStateException with the reason instead of skipping. */
    public static NetNs open(String prefix) {
        String why = unavailableReason();
        if (why != null) {
            throw new IllegalStateException(why);
        }
        String name = "jrump-" + prefix + "-" + randomHex(4);
        NetNs ns = new NetNs(name, ipCommand());
        Result r = run(List.of(ns.ip, "netns", "add", name));
        if (r.rc != 0) {
            throw new IllegalStateException("ip netns add " + name + " failed: " + r.out);
        }
        try {
            ns.check("ip", "link", "set", "lo", "up");
            // Only IPv4 is under test: without IPv6 the Linux side sends no router or neighbour solicitations.
            ns.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
            ns.exec("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** A random name usable for a tap ({@code PREFIX} plus 8 hex digits, at most 15 characters). */
    public static String tapName(String prefix) {
        if (prefix.length() > 7) {
            throw new IllegalArgumentException("tap name prefix longer than 7: " + prefix);
        }
        return prefix + randomHex(4);
    }

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    public String name() {
        return name;
    }

    /**
     * Moves host interface {@code tap} (opened by a rump kernel in the host namespace) into this
     * namespace, gives it {@code cidr} (such as {@code 198.18.0.1/24}) and brings it up.
     */
    public void adoptTap(String tap, String cidr) {
        Result r = run(List.of(ip, "link", "set", tap, "netns", name));
        if (r.rc != 0) {
            throw new IllegalStateException("ip link set " + tap + " netns " + name + " failed: " + r.out);
        }
        check("ip", "addr", "add", cidr, "dev", tap);
        check("ip", "link", "set", tap, "up");
    }

    /** Runs {@code cmd} inside the namespace and waits for it (at most 120 s). */
    public Result exec(String... cmd) {
        return run(inside(cmd));
    }

    /** As {@link #exec}, failing with the command's output unless it exits 0. */
    public Result check(String... cmd) {
        Result r = exec(cmd);
        if (r.rc != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " in " + name + " exited " + r.rc + ": " + r.out);
        }
        return r;
    }

    /**
     * Whether a TCP socket listens on {@code port} inside the namespace ({@code ss -ltn}): a program
     * {@link #spawn}ed to serve is ready once this holds, and a test waits for it rather than retrying its
     * client until the connection is no longer refused.
     */
    public boolean listening(int port) {
        Result r = exec("ss", "-ltn", "sport = :" + port);
        return r.rc == 0 && r.out.contains(":" + port + " ");
    }

    /**
     * Starts {@code cmd} inside the namespace without waiting; stderr goes with stdout. It is killed at
     * {@link #close} if still running.
     */
    public synchronized Process spawn(String... cmd) {
        try {
            Process p = new ProcessBuilder(inside(cmd)).redirectErrorStream(true).start();
            spawned.add(p);
            return p;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        }
    }

    /** As {@link #spawn}, with stdout and stderr kept apart (for programs whose output is data). */
    public synchronized Process spawnData(Path stdin, String... cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(inside(cmd)).redirectError(ProcessBuilder.Redirect.DISCARD);
            if (stdin != null) {
                pb.redirectInput(stdin.toFile());
            }
            Process p = pb.start();
            spawned.add(p);
            return p;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        }
    }

    private List<String> inside(String... cmd) {
        List<String> l = new ArrayList<>(List.of(ip, "netns", "exec", name));
        l.addAll(List.of(cmd));
        return l;
    }

    private static Result run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, String.join(" ", cmd) + ": still running after 120 s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, "cannot run " + String.join(" ", cmd) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    /** Kills what was spawned and deletes the namespace; the interfaces in it go with it. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Process p : spawned) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : spawned) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Result r = run(List.of(ip, "netns", "del", name));
        if (r.rc != 0) {
            throw new IllegalStateException("ip netns del " + name + " failed: " + r.out);
        }
    }

    /** A finished command: exit status and output (stderr included). */
    public record Result(int rc, String out) {
    }
}
