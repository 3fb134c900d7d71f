package io.jrump.bench;

import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.IfStats;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.wire.Ipv4Address;
import io.jrump.netinet.Inet;
import io.jrump.testkit.NetNs;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench/run tap} (issue 7): a rump kernel and Linux as peers through a tap whose Linux side is in a
 * namespace made for the run. It measures one TCP connection's throughput each way, a fixed number of
 * bytes at a time: Linux {@code socat} sending to a discard service on rump sockets (in), and the rump
 * kernel's TCP client sending to a Linux {@code socat} sink (out); the baseline is the same {@code socat}
 * pair moving the same bytes over the namespace's own loopback, measured before and after the rump runs
 * (their mean is the denominator). Ping round trip from the namespace to the rump kernel is compared with
 * ping to the namespace's loopback. For each rump transfer it reports frames per second through the tap
 * (both directions: data and ACKs), the JVM's CPU time per byte ({@code getProcessCpuTime}: the rump
 * kernel, its tap thread and the application thread; it includes the Linux kernel work done inside their
 * system calls, such as Linux's input of every frame the rump kernel {@code writev}s to the tap, but not
 * the Linux socat's), the threads that used most of it ({@code ThreadMXBean}), allocation and GC, frames
 * Linux dropped on the tap, and the TCP counters that point at loss or stalls. The loopback's CPU figure
 * is both socats' user and system time, from bash's {@code times}. UDP goodput ({@link TapUdp}) follows unless
 * {@code udp=0}.
 *
 * <p>The two TCP transfers run twice: with the interface's default, checksum and segmentation offload through the
 * tap's virtio header (the issue's keys), and again after {@code ifconfig virt0 linkstr -tso4} turned it off
 * (keys ending in {@code _nooffload}), every frame then at most the MTU with its checksum computed by its sender.
 *
 * <p>Linux's senders use {@code cc} ({@code cubic}, Linux's default, unless {@code cc=NAME}; {@code cc=host}
 * takes the host's), set on each socat's socket, loopback and tap alike. A host whose default differs (BBR
 * here) gets the Linux -> rump transfer and its loopback baseline once more with it (keys ending in
 * {@code _host_cc}): BBR sizes its window from the smallest RTT it has seen (some 15 us over the tap, where
 * the RTT under load is ten times that) and paces with timers, which costs it half its throughput even
 * between two Linux namespaces over a veth pair on this machine. For each Linux -> rump transfer it prints
 * the sender's {@code ss -ti} view 0.3 s in: RTT, window, and how long the receiver's window held it back.
 *
 * <p>A transfer's time runs from just before the sender starts to the moment the receiver sees its end
 * (the discard service reads EOF; the Linux sink exits), so the process start of {@code ip netns exec
 * socat} (a few ms) is in every figure, rump and loopback alike. Needs root, {@code /dev/net/tun},
 * {@code ip}, {@code socat}, {@code ss} and {@code ping}.
 */
public final class TapBench {
    private static final String LINUX = "198.18.11.1";
    private static final String RUMP = "198.18.11.2";
    /** The bare echo responder's address ({@link TapEchoFloor}), on a second tap and subnet. */
    private static final String FLOOR = "198.18.12.2";
    private static final int CHUNK = 64 << 10;
    private static final Pattern RTT = Pattern.compile("= ([0-9.]+)/([0-9.]+)/([0-9.]+)/([0-9.]+) ms");
    private static final List<String> TCP_TROUBLE = List.of("data packets retransmitted", "retransmit timeouts",
            "fast retransmits", "duplicate acks", "out-of-order packets", "completely duplicate packets",
            "packets of data after window", "window probe packets", "persist timeouts",
            "segments dropped for a full reassembly queue", "discarded for bad checksums");

    /** One TCP transfer: bytes in nanos; for rump transfers also CPU, tap frames, TCP counters and busy threads. */
    private record Transfer(long bytes, long nanos, long cpuNanos, long framesIn, long framesOut,
                            Map<String, Long> tcp, String busyThreads, long allocated, long gcMillis,
                            long linuxDrops, long jitMillis, long inputDrops, String linuxSender) {
        double gbps() {
            return bytes * 8.0 / nanos;
        }

        double fps() {
            return (framesIn + framesOut) / (nanos / 1e9);
        }

        double cpuPerByte() {
            return (double) cpuNanos / bytes;
        }
    }

    private TapBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        for (String a : args) {
            String[] kv = a.replaceFirst("^-+", "").split("=", 2);
            List<String> known = List.of("mb", "warmup_mb", "udp", "seconds", "pings", "mtu", "cc");
            if (kv.length != 2 || !known.contains(kv[0])) {
                System.err.println("usage: bench/run tap [mb=MEGABYTES per TCP transfer, 1024] [warmup_mb=MEGABYTES, 1024 or 30000"
                        + " frames of the MTU]"
                        + " [pings=N, 1000] [mtu=TAP MTU, 1500] [cc=LINUX SENDERS' CONGESTION CONTROL, cubic; host: the"
                        + " host's default]"
                        + " [udp=0|1, 1] [seconds=UDP SECONDS, 2]");
                System.exit(2);
            }
            opt.put(kv[0], kv[1]);
        }
        long bytes = Long.parseLong(opt.getOrDefault("mb", "1024")) << 20;
        int pings = Integer.parseInt(opt.getOrDefault("pings", "1000"));
        boolean udp = !opt.getOrDefault("udp", "1").equals("0");
        int tapMtu = Integer.parseInt(opt.getOrDefault("mtu", "1500"));
        // Enough frames that the per-frame paths are compiled before the measured transfers, whatever the MTU:
        // with 64 MB the JIT was still compiling during the measured Linux -> rump transfer (388 ms of JIT in a
        // 0.5 s transfer, 2.8 ns/byte against 1.2 to 1.6 once compiled).
        long warm = opt.containsKey("warmup_mb") ? Long.parseLong(opt.get("warmup_mb")) << 20
                : Math.max(1024L << 20, 30_000L * tapMtu);
        double seconds = Double.parseDouble(opt.getOrDefault("seconds", "2"));
        String ccOpt = opt.getOrDefault("cc", "cubic");
        if (!ccOpt.matches("[a-z0-9_]{1,15}")) {
            System.err.println("bench/run tap: cc=" + ccOpt + " is not a congestion control's name");
            System.exit(2);
        }
        String why = NetNs.unavailableReason();
        if (why == null) {
            why = missingTool("socat", "ss", "ping");
        }
        if (why != null) {
            System.out.println("bench/run tap: skipped: " + why);
            System.out.println("RESULT tap skipped=1");
            return;
        }
        String load0 = loadavg();
        Kernel k = Kernel.boot(KernelConfig.builder().hostname("rump").ncpu(2)
                .hypercall(HostHypercall.builder().environment(Map.of()).build())
                .component("rumpnet_netinet", "rumpnet_virtif").build());
        NetNs ns;
        try {
            ns = NetNs.open("bench");
        } catch (RuntimeException e) {
            k.halt();
            throw e;
        }
        double rtt;
        double loRtt;
        double floorRtt;
        Transfer lo1;
        Transfer in;
        Transfer out;
        Transfer inOff;
        Transfer outOff;
        Transfer lo2;
        double[] u = null;
        Transfer inHost = null;
        Transfer loHost = null;
        String hostCc;
        String cc;
        String tapName = NetNs.tapName("jrb");
        int mtu;
        try {
            if (tapMtu != 1500) {
                // The interface takes the tap's MTU when it opens the tap, so the tap is made first.
                host("ip", "tuntap", "add", "dev", tapName, "mode", "tap");
                host("ip", "link", "set", "dev", tapName, "mtu", Integer.toString(tapMtu));
            }
            attach(k, tapName);
            ns.adoptTap(tapName, LINUX + "/24");
            mtu = k.service(Interfaces.class).find("virt0").mtu();
            hostCc = ns.check("cat", "/proc/sys/net/ipv4/tcp_congestion_control").out().trim();
            cc = ccOpt.equals("host") ? hostCc : ccOpt;
            ns.check("ping", "-c", "3", "-i", "0.2", "-W", "5", RUMP);
            // Each responder's first pings run interpreted code: an unmeasured round first, for both.
            avgRtt(ns, RUMP, pings);
            rtt = avgRtt(ns, RUMP, pings);
            loRtt = avgRtt(ns, "127.0.0.1", pings);
            String floorTap = NetNs.tapName("jre");
            byte[] floorIp = new byte[4];
            Ipv4Address.write(floorIp, 0, Ipv4Address.parse(FLOOR));
            try (TapEchoFloor f = TapEchoFloor.open(floorTap, floorIp)) {
                ns.adoptTap(floorTap, "198.18.12.1/24");
                ns.check("ping", "-c", "3", "-i", "0.2", "-W", "5", FLOOR);
                avgRtt(ns, FLOOR, pings);
                floorRtt = avgRtt(ns, FLOOR, pings);
            }
            // Warm-up: the JIT compiles the rump data paths on unmeasured transfers each way; three times, since
            // code compiled for one direction is recompiled when the other direction runs it (with two rounds C2
            // still spent 55 to 290 ms of a 0.8 s measured transfer compiling), and once more in the direction
            // measured next.
            for (int i = 0; i < 3; i++) {
                linuxToRump(ns, k, tapName, warm / 2, cc);
                rumpToLinux(ns, k, tapName, warm / 2);
            }
            linuxToRump(ns, k, tapName, warm / 4, cc);
            lo1 = loopback(ns, bytes, cc);
            in = linuxToRump(ns, k, tapName, bytes, cc);
            out = rumpToLinux(ns, k, tapName, bytes);
            setOffload(k, false);
            // The paths of wire-sized frames (ACK per two segments, Linux's segmentation) get their own warm-up.
            linuxToRump(ns, k, tapName, warm / 4, cc);
            rumpToLinux(ns, k, tapName, warm / 4);
            inOff = linuxToRump(ns, k, tapName, bytes, cc);
            outOff = rumpToLinux(ns, k, tapName, bytes);
            setOffload(k, true);
            if (!cc.equals(hostCc)) {
                inHost = linuxToRump(ns, k, tapName, bytes, hostCc);
                loHost = loopback(ns, bytes, hostCc);
            }
            lo2 = loopback(ns, bytes, cc);
            if (udp) {
                u = TapUdp.measure(ns, k.syscalls(), RUMP, LINUX, seconds);
            }
        } finally {
            k.halt();
            ns.close();
            if (tapMtu != 1500) {
                // Made persistent by ip tuntap; gone with the namespace unless something failed before the move.
                new ProcessBuilder("ip", "link", "del", tapName).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            }
        }
        if (mtu != tapMtu) {
            throw new IllegalStateException("virt0 has MTU " + mtu + ", not the tap's " + tapMtu);
        }
        double loGbps = (lo1.gbps() + lo2.gbps()) / 2;
        double loCpu = (lo1.cpuPerByte() + lo2.cpuPerByte()) / 2;
        double rttUs = rtt * 1000;
        double loRttUs = loRtt * 1000;
        System.out.println("command: bench/run tap mb=" + (bytes >> 20) + " warmup_mb=" + (warm >> 20) + " pings="
                + pings + (tapMtu != 1500 ? " mtu=" + tapMtu : "") + " cc=" + ccOpt + " udp=" + (udp ? 1 : 0)
                + (udp ? " seconds=" + seconds : ""));
        System.out.println("a rump kernel (2 cpus) on tap " + tapName + " (MTU " + mtu + ") whose Linux side is in a"
                + " namespace; baseline: the same Linux tools over the namespace's loopback (MTU 65536)");
        System.out.println("host: " + Runtime.getRuntime().availableProcessors() + " cpus; load average before "
                + load0 + ", after " + loadavg() + " (other work on the machine lowers every figure)");
        System.out.println("Linux's TCP senders use " + cc + " (the host's default is " + hostCc + ")");
        System.out.printf("  ping RTT (%d pings) Linux -> rump %8.1f us   loopback %8.1f us   ratio %.2f  (target <= 2)%n",
                pings, rttUs, loRttUs, rttUs / loRttUs);
        System.out.printf("  ping RTT to a bare echo responder on a second tap, no kernel (TapEchoFloor) %8.1f us:"
                + " ratio %.2f to loopback; the rump kernel's own share %.1f us%n", floorRtt * 1000,
                floorRtt / loRtt, rttUs - floorRtt * 1000);
        System.out.printf("  TCP %d MB socat -> socat over lo: %6.3f Gbit/s (before %.3f, after %.3f);"
                        + " socat CPU %.2f ns/byte%n", bytes >> 20, loGbps, lo1.gbps(), lo2.gbps(), loCpu);
        System.out.println("  with offload (virtio header: partial checksums and 64 KB TCP segments both ways; the default):");
        print("socat -> rump discard (in)", in, loGbps);
        print("rump client -> socat (out)", out, loGbps);
        System.out.println("  without offload (linkstr -tso4: frames of the MTU, checksums computed by their senders):");
        print("socat -> rump discard (in)", inOff, loGbps);
        print("rump client -> socat (out)", outOff, loGbps);
        if (inHost != null) {
            System.out.println("  with the host's default congestion control, " + hostCc + ", for the Linux senders:");
            System.out.printf("  TCP %d MB socat -> socat over lo: %6.3f Gbit/s%n", bytes >> 20, loHost.gbps());
            print("socat -> rump discard (in)", inHost, loHost.gbps());
        }
        if (u != null) {
            System.out.printf("  UDP %d B socat -> rump    %8.1f Mbit/s  loopback %8.1f Mbit/s  ratio %.2f%n",
                    TapUdp.PAYLOAD, u[0], u[1], u[0] / u[1]);
            System.out.printf("  UDP %d B rump -> socat    %8.1f Mbit/s  loopback %8.1f Mbit/s  ratio %.2f%n",
                    TapUdp.PAYLOAD, u[2], u[3], u[2] / u[3]);
        }
        StringBuilder r = new StringBuilder();
        r.append(String.format("RESULT tap in_gbps=%.3f out_gbps=%.3f loopback_gbps=%.3f ratio_in=%.3f ratio_out=%.3f"
                        + " rtt_us=%.1f loopback_rtt_us=%.1f rtt_ratio=%.2f mtu=%d in_fps=%.0f out_fps=%.0f"
                        + " in_cpu_ns_per_byte=%.2f out_cpu_ns_per_byte=%.2f loopback_cpu_ns_per_byte=%.2f",
                in.gbps(), out.gbps(), loGbps, in.gbps() / loGbps, out.gbps() / loGbps, rttUs, loRttUs,
                rttUs / loRttUs, mtu, in.fps(), out.fps(), in.cpuPerByte(), out.cpuPerByte(), loCpu));
        r.append(String.format(" in_gbps_nooffload=%.3f out_gbps_nooffload=%.3f ratio_in_nooffload=%.3f"
                        + " ratio_out_nooffload=%.3f in_fps_nooffload=%.0f out_fps_nooffload=%.0f"
                        + " in_cpu_ns_per_byte_nooffload=%.2f out_cpu_ns_per_byte_nooffload=%.2f",
                inOff.gbps(), outOff.gbps(), inOff.gbps() / loGbps, outOff.gbps() / loGbps, inOff.fps(), outOff.fps(),
                inOff.cpuPerByte(), outOff.cpuPerByte()));
        r.append(String.format(" floor_rtt_us=%.1f floor_rtt_ratio=%.2f cc=%s", floorRtt * 1000, floorRtt / loRtt, cc));
        if (inHost != null) {
            r.append(String.format(" host_cc=%s in_gbps_host_cc=%.3f loopback_gbps_host_cc=%.3f ratio_in_host_cc=%.3f",
                    hostCc, inHost.gbps(), loHost.gbps(), inHost.gbps() / loHost.gbps()));
        }
        if (u != null) {
            r.append(String.format(" udp_in_mbps=%.1f udp_in_ratio=%.2f udp_out_mbps=%.1f udp_out_ratio=%.2f",
                    u[0], u[0] / u[1], u[2], u[2] / u[3]));
        }
        System.out.println(r);
    }

    private static void print(String what, Transfer t, double loGbps) {
        System.out.printf("  TCP %s: %6.3f Gbit/s  ratio %.3f (target >= 0.5); %,.0f frames/s through the tap"
                        + " (%,d in, %,d out); JVM CPU %.2f ns/byte (%.0f%% of one cpu)%n", what, t.gbps(),
                t.gbps() / loGbps, t.fps(), t.framesIn, t.framesOut, t.cpuPerByte(), 100.0 * t.cpuNanos / t.nanos);
        System.out.println("      busiest threads: " + t.busyThreads);
        System.out.printf("      allocated %.1f bytes per frame (live threads), GC %d ms, JIT %d ms; frames Linux dropped"
                        + " on the tap (queue full or refused): %d; dropped at virt0's full input queue: %d%n",
                (double) t.allocated / Math.max(1, t.framesIn + t.framesOut), t.gcMillis, t.jitMillis, t.linuxDrops,
                t.inputDrops);
        System.out.println("      rump TCP counters: " + t.tcp);
        if (!t.linuxSender.isEmpty()) {
            System.out.println("      the Linux sender 0.3 s in (ss -ti): " + t.linuxSender);
        }
    }

    /** Runs {@code cmd} in the host's namespace, failing with its output unless it exits 0. */
    private static void host(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    private static String missingTool(String... tools) {
        for (String t : tools) {
            boolean found = false;
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
                found |= Files.isExecutable(Path.of(dir, t));
            }
            if (!found) {
                return "'" + t + "' is not installed";
            }
        }
        return null;
    }

    private static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
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

    /** {@code ifconfig virt0 linkstr tso4} or {@code -tso4}: the tap's checksum and segmentation offload. */
    private static void setOffload(Kernel k, boolean on) throws ErrnoException {
        IfReq r = new IfReq("virt0");
        r.linkstr = (on ? "" : "-") + "tso4";
        k.service(Interfaces.class).ioctl(IfIoctl.SIOCSLINKSTR, r, Cred.ROOT);
    }

    /** Average RTT in ms of {@code n} pings 2 ms apart from inside the namespace. */
    private static double avgRtt(NetNs ns, String dst, int n) {
        String out = ns.check("ping", "-q", "-c", Integer.toString(n), "-i", "0.002", dst).out();
        Matcher m = RTT.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no rtt in ping output: " + out);
        }
        return Double.parseDouble(m.group(2));
    }

    // ---- TCP ----

    /**
     * A socat that sends {@code bytes} zeros to {@code dst}; its socket's congestion control is {@code cc}
     * ({@code TCP_CONGESTION}, level 6 option 13, which root may set to any the kernel has).
     */
    private static String[] sender(String dst, int port, long bytes, String cc) {
        return new String[] {"socat", "-u", "-b", Integer.toString(CHUNK), "OPEN:/dev/zero,readbytes=" + bytes,
            "TCP4:" + dst + ":" + port + ",setsockopt-string=6:13:" + cc};
    }

    /** A socat that accepts one connection on {@code port} and drops what it reads; it exits at EOF. */
    private static Process sink(NetNs ns, String addr, int port) throws InterruptedException {
        Process p = ns.spawnData(null, "bash", "-c", "socat -u -b " + CHUNK + " TCP4-LISTEN:" + port + ",bind=" + addr
                + ",reuseaddr /dev/null; rc=$?; times; exit $rc");
        for (int i = 0; i < 200; i++) {
            if (!ns.exec("ss", "-Htln", "sport = :" + port).out().isBlank()) {
                return p;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("socat sink on port " + port + " exited " + p.exitValue());
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("socat sink on port " + port + " is not listening after 4 s");
    }

    /** The CPU time of a bash's children, from the output of its {@code times} builtin (second line). */
    private static long childCpuNanos(Process bash) throws IOException {
        String[] lines = new String(bash.getInputStream().readAllBytes()).trim().split("\n");
        Matcher m = Pattern.compile("(\\d+)m([0-9.]+)s\\s+(\\d+)m([0-9.]+)s").matcher(lines[lines.length - 1]);
        if (!m.find()) {
            return 0;
        }
        double s = Integer.parseInt(m.group(1)) * 60 + Double.parseDouble(m.group(2))
                + Integer.parseInt(m.group(3)) * 60 + Double.parseDouble(m.group(4));
        return (long) (s * 1e9);
    }

    /** socat to socat over the namespace's loopback; the CPU figure is both socats' (user and system). */
    private static Transfer loopback(NetNs ns, long bytes, String cc) throws Exception {
        Process sink = sink(ns, "127.0.0.1", 5002);
        long t0 = System.nanoTime();
        Process snd = ns.spawnData(null, "bash", "-c", String.join(" ", sender("127.0.0.1", 5002, bytes, cc))
                + "; rc=$?; times; exit $rc");
        if (!sink.waitFor(600, TimeUnit.SECONDS)) {
            throw new IllegalStateException("loopback transfer did not end in 600 s");
        }
        long t1 = System.nanoTime();
        snd.waitFor(60, TimeUnit.SECONDS);
        if (sink.exitValue() != 0 || snd.exitValue() != 0) {
            throw new IllegalStateException("loopback socat failed: sink " + sink.exitValue() + ", sender "
                    + snd.exitValue());
        }
        return new Transfer(bytes, t1 - t0, childCpuNanos(sink) + childCpuNanos(snd), 0, 0, Map.of(), "", 0, 0, 0, 0, 0,
                "");
    }

    /** Linux socat sends {@code bytes} to a discard service on rump sockets; ends when the service reads EOF. */
    private static Transfer linuxToRump(NetNs ns, Kernel k, String tap, long bytes, String cc) throws Exception {
        Syscalls sys = k.syscalls();
        int l = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
        sys.setsockopt(l, SocketDefs.SOL_SOCKET, SocketDefs.SO_REUSEADDR, 1);
        sys.bind(l, SockAddr.in("0.0.0.0", 9));
        sys.listen(l, 16);
        long[] got = new long[3];
        Thread discard = new Thread(() -> {
            ByteBuffer b = ByteBuffer.allocate(CHUNK);
            try {
                int c = sys.accept(l, null);
                for (int n; (n = sys.read(c, b.clear())) > 0; ) {
                    got[0] += n;
                }
                got[1] = System.nanoTime();
                got[2] = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                sys.close(c);
            } catch (ErrnoException e) {
                System.err.println("discard: " + e.getMessage());
            }
        }, "rump discard");
        Probe p = new Probe(k, ns, tap);
        discard.start();
        Process snd = ns.spawn(sender(RUMP, 9, bytes, cc));
        Process ss = ns.spawn("bash", "-c", "sleep 0.3; ss -Hti dst " + RUMP + " dport = :9");
        discard.join(TimeUnit.SECONDS.toMillis(600));
        sys.close(l);
        if (discard.isAlive() || got[0] != bytes || !snd.waitFor(60, TimeUnit.SECONDS) || snd.exitValue() != 0) {
            throw new IllegalStateException("Linux -> rump: " + got[0] + " of " + bytes + " bytes arrived; socat: "
                    + new String(snd.getInputStream().readAllBytes()) + "\n" + sys.sysctlRead("net.inet.tcp.pcblist"));
        }
        ss.waitFor(10, TimeUnit.SECONDS);
        return p.end(bytes, got[1], "rump discard", got[2], senderView(new String(ss.getInputStream().readAllBytes())));
    }

    /**
     * What limits a Linux sender, from its {@code ss -ti} line: its congestion control, smoothed and minimum RTT,
     * congestion window, pacing and delivery rates, and the share of time the receiver's window held it back.
     * Empty if the connection had gone.
     */
    private static String senderView(String ss) {
        StringBuilder v = new StringBuilder();
        Matcher name = Pattern.compile("^\\s*([a-z0-9_]+) wscale", Pattern.MULTILINE).matcher(ss);
        if (name.find()) {
            v.append(name.group(1));
        }
        for (String key : List.of("rtt", "minrtt", "cwnd", "pacing_rate", "delivery_rate", "rwnd_limited")) {
            Matcher m = Pattern.compile("(?<![a-z_])" + key + "[: ](\\S+)").matcher(ss);
            if (m.find()) {
                v.append(' ').append(key).append(' ').append(m.group(1));
            }
        }
        return v.toString();
    }

    /** The rump kernel's TCP client sends {@code bytes} to a Linux socat sink; ends when the sink exits. */
    private static Transfer rumpToLinux(NetNs ns, Kernel k, String tap, long bytes) throws Exception {
        Syscalls sys = k.syscalls();
        Process sink = sink(ns, LINUX, 5001);
        Probe p = new Probe(k, ns, tap);
        int c = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
        sys.connect(c, SockAddr.in(LINUX, 5001));
        ByteBuffer b = ByteBuffer.allocate(CHUNK);
        for (long left = bytes; left > 0; ) {
            b.clear().limit((int) Math.min(CHUNK, left));
            while (b.hasRemaining()) {
                left -= sys.write(c, b);
            }
        }
        sys.close(c);
        if (!sink.waitFor(600, TimeUnit.SECONDS) || sink.exitValue() != 0) {
            throw new IllegalStateException("rump -> Linux: socat sink did not end well\n"
                    + sys.sysctlRead("net.inet.tcp.pcblist"));
        }
        return p.end(bytes, System.nanoTime(), null, 0, "");
    }

    /** What a rump transfer costs: process CPU, tap frames, TCP counters and per-thread CPU from its start. */
    private static final class Probe {
        private final Kernel k;
        private final NetNs ns;
        private final String tap;
        private final long drops0;
        private final com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        private final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        private final long cpu0;
        private final IfStats if0;
        private final Map<String, Long> tcp0;
        private final Map<Long, Long> threads0;
        private final long alloc0;
        private final long gc0;
        private final long jit0;
        private final long t0;

        Probe(Kernel k, NetNs ns, String tap) {
            this.k = k;
            this.ns = ns;
            this.tap = tap;
            drops0 = linuxDrops();
            if0 = k.service(Interfaces.class).find("virt0").stats();
            tcp0 = k.service(Inet.class).tcp().stats().snapshot();
            threads0 = threadCpu();
            alloc0 = allocated();
            gc0 = gcMillis();
            jit0 = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
            cpu0 = os.getProcessCpuTime();
            t0 = System.nanoTime();
        }

        /** Bytes allocated by every live thread so far (ThreadMXBean; a thread that ended takes its share away). */
        private long allocated() {
            long sum = 0;
            for (long b : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
                sum += Math.max(b, 0);
            }
            return sum;
        }

        /**
         * Frames Linux dropped on the tap: {@code tx_dropped} counts those it could not queue for the rump
         * kernel because the queue (txqueuelen) was full, that is, the receive thread was behind.
         */
        private long linuxDrops() {
            long sum = 0;
            for (String c : List.of("tx_dropped", "rx_dropped")) {
                String v = ns.exec("cat", "/sys/class/net/" + tap + "/statistics/" + c).out().trim();
                sum += v.matches("\\d+") ? Long.parseLong(v) : 0;
            }
            return sum;
        }

        private static long gcMillis() {
            long sum = 0;
            for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                sum += Math.max(gc.getCollectionTime(), 0);
            }
            return sum;
        }

        private Map<Long, Long> threadCpu() {
            Map<Long, Long> m = new HashMap<>();
            for (long id : threads.getAllThreadIds()) {
                m.put(id, threads.getThreadCpuTime(id));
            }
            return m;
        }

        /**
         * The transfer ended at {@code t1}; {@code ended}, if not null, names a thread that has ended
         * since the start after using {@code endedCpu} ns (the JVM no longer reports its time).
         */
        Transfer end(long bytes, long t1, String ended, long endedCpu, String linuxSender) {
            long cpu = os.getProcessCpuTime() - cpu0;
            long alloc = allocated() - alloc0;
            long gc = gcMillis() - gc0;
            long jit = ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jit0;
            IfStats if1 = k.service(Interfaces.class).find("virt0").stats();
            Map<String, Long> tcp1 = k.service(Inet.class).tcp().stats().snapshot();
            Map<String, Long> trouble = new LinkedHashMap<>();
            for (String name : TCP_TROUBLE) {
                long d = tcp1.getOrDefault(name, 0L) - tcp0.getOrDefault(name, 0L);
                if (d != 0) {
                    trouble.put(name, d);
                }
            }
            long sent = tcp1.get("packets sent") - tcp0.get("packets sent");
            long received = tcp1.get("packets received") - tcp0.get("packets received");
            trouble.put("segments sent", sent);
            trouble.put("segments received", received);
            List<long[]> busy = new ArrayList<>();
            for (Map.Entry<Long, Long> e : threadCpu().entrySet()) {
                long d = e.getValue() - threads0.getOrDefault(e.getKey(), 0L);
                if (d > 0) {
                    busy.add(new long[] {e.getKey(), d});
                }
            }
            if (ended != null) {
                busy.add(new long[] {-1, endedCpu});
            }
            busy.sort((x, y) -> Long.compare(y[1], x[1]));
            StringBuilder top = new StringBuilder();
            long listed = 0;
            for (int i = 0; i < Math.min(5, busy.size()); i++) {
                long id = busy.get(i)[0];
                var info = id < 0 ? null : threads.getThreadInfo(id);
                String name = id < 0 ? ended : info == null ? "#" + id : info.getThreadName();
                listed += busy.get(i)[1];
                top.append(i == 0 ? "" : ", ").append(name)
                        .append(String.format(" %.0f%%", 100.0 * busy.get(i)[1] / (t1 - t0)));
            }
            top.append(String.format(", the rest (other threads, JIT, GC) %.0f%%", 100.0 * (cpu - listed) / (t1 - t0)));
            return new Transfer(bytes, t1 - t0, cpu, if1.ipackets() - if0.ipackets(), if1.opackets() - if0.opackets(),
                    trouble, top.toString(), alloc, gc, linuxDrops() - drops0, jit, if1.iqdrops() - if0.iqdrops(),
                    linuxSender);
        }
    }
}
