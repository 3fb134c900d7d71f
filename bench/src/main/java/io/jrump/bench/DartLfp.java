package io.jrump.bench;

import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.net.IfBufferIoctls;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.virtif.EtherIfs;
import io.jrump.virtif.Hub;
import io.jrump.virtif.LinkEmulator;
import io.jrump.wire.Ipv4Address;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Part 1 of {@code bench/run dart} (issue 19): the long fat pipe. One TCP connection between two kernels
 * through the link emulator (each kernel's egress rate-limited and delayed, so the round trip is twice the
 * one-way delay), carrying 10 MB and 200 MB, with nothing in the application changed between runs:
 * <ul>
 * <li>{@code default}: fixed default buffers ({@code net.inet.tcp.sendspace}/{@code recvspace}, 256 KB),
 *     autosizing off;
 * <li>{@code auto}: the defaults with autosizing on (its stock settings: +16 KB per round trip, 2 MB most);
 * <li>{@code sockbuf}: autosizing as in {@code auto}, and DART's {@code if_sockbuf} set on both interfaces
 *     ({@code rump.ifconfig IF sockbuf auto}: twice the link's rate, which the emulator's driver reports as
 *     {@code if_baudrate}, times the handshake's round trip).
 * </ul>
 * Throughput is the bytes over the time from the first write to the last byte read, as a fraction of the
 * emulated link rate. The rate is one the emulator sustains here: first the stack's throughput through
 * the emulator with neither rate nor delay is measured, and the rate starts at half of that (in 50 Mbit/s
 * steps, at most 500 Mbit/s); then what the emulator carries at that rate with delay 0 is measured, and
 * while it is under 95% of the rate the rate comes down to 90% of what it carried (three tries at most, not
 * below 100 Mbit/s); {@code -Ddart.rate=MBIT} fixes it instead. Every figure is printed, and where a transfer
 * retransmitted, where frames were lost (emulator, input queues, the receiver's TCP). The delay is the larger of 40 ms and the round trip
 * that makes the bandwidth-delay product 2.5 MB.
 */
public final class DartLfp implements DartBench.Part {
    private static final int CHUNK = 64 << 10;
    private static final int MTU = Integer.getInteger("dart.mtu", 9000);
    private static final long MB = 1L << 20;
    /** Rates are chosen in these steps. */
    private static final long STEP = 50_000_000L;
    /**
     * The slowest rate chosen: below it the round trip that makes a 2.5 MB product passes 200 ms, and the
     * fixed-buffer 200 MB transfer (256 KB a round trip) minutes.
     */
    private static final long FLOOR = 100_000_000L;
    /** What the emulator must carry at delay 0, as a fraction of the rate, for the rate to count as sustained. */
    private static final double SUSTAINED = 0.95;

    /**
     * For {@code DartBench}, which runs the parts of {@code bench/run dart} through its {@code Part} interface
     * ({@link #name()}, {@link #run()}).
     */
    public DartLfp() {
    }

    /** The part's name for {@code bench/run dart only=lfp}. */
    @Override
    public String name() {
        return "lfp";
    }

    /** Runs part 1, printing to standard output; returns the RESULT keys. */
    @Override
    public Map<String, String> run() throws Exception {
        return run(System.out);
    }

    /** One transfer's outcome. */
    record Transfer(long bytes, double seconds, long retransmitted, int sndbuf, int rcvbuf) {
        double bitsPerSec() {
            return bytes * 8 / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> r = run(System.out);
        StringBuilder sb = new StringBuilder("RESULT dart-lfp");
        r.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        System.out.println(sb);
    }

    /** Runs part 1, printing what it measured to {@code out}; returns the RESULT keys. */
    public static Map<String, String> run(PrintStream out) throws Exception {
        String load0 = loadavg();
        out.println("DART part 1: long fat pipe, one TCP connection through the link emulator, MTU " + MTU
                + " (" + Runtime.getRuntime().availableProcessors() + " cpus, load before " + load0 + ")");
        Transfer free = transfer("none", 0, false, false, 100 * MB, out);
        double freeBps = free.bitsPerSec();
        out.printf(Locale.ROOT, "  emulator with no rate and no delay: %.0f Mbit/s%n", freeBps / 1e6);
        long fixed = Long.getLong("dart.rate", 0L) * 1_000_000L;
        long rate = fixed > 0 ? fixed : Math.max(FLOOR, Math.min(500_000_000L, (long) (freeBps / 2 / STEP) * STEP));
        Transfer flat;
        for (int tries = 1; ; tries++) {
            flat = transfer("rate=" + rate + "bit", 0, true, false, 50 * MB, out);
            out.printf(Locale.ROOT, "  emulator at %d Mbit/s with delay 0: %.0f Mbit/s (%.3f of the rate)%n",
                    rate / 1_000_000, flat.bitsPerSec() / 1e6, flat.bitsPerSec() / rate);
            if (fixed > 0 || flat.bitsPerSec() >= SUSTAINED * rate || rate <= FLOOR || tries == 3) {
                break;
            }
            rate = Math.max(FLOOR, (long) (flat.bitsPerSec() * 0.9 / STEP) * STEP);
        }
        out.printf(Locale.ROOT, "  link rate chosen: %d Mbit/s%n", rate / 1_000_000);
        long rttNs = Math.max(40_000_000L, (long) Math.ceil(2.5e6 * 8 / rate * 1e9));
        long oneWay = rttNs / 2;
        double bdp = rate / 8.0 * rttNs / 1e9;
        out.printf(Locale.ROOT, "  long fat pipe: %d Mbit/s, round trip %d ms: bandwidth-delay product %.2f MB%n",
                rate / 1_000_000, rttNs / 1_000_000, bdp / 1e6);
        String emu = "rate=" + rate + "bit,delay=" + oneWay / 1000 + "us";
        Map<String, String> res = new LinkedHashMap<>();
        res.put("link_mbit", Long.toString(rate / 1_000_000));
        res.put("rtt_ms", Long.toString(rttNs / 1_000_000));
        res.put("emu_fraction_delay0", fmt(flat.bitsPerSec() / rate));
        String only = System.getProperty("dart.only");
        String[][] runs = only != null ? new String[][] {only.split(":")} : new String[][] {
            {"default", "10"}, {"auto", "10"}, {"sockbuf", "10"},
            {"default", "200"}, {"auto", "200"}, {"sockbuf", "200"}};
        for (String[] c : runs) {
            long size = Long.parseLong(c[1]) * MB;
            boolean autosize = !c[0].equals("default");
            boolean sockbuf = c[0].equals("sockbuf");
            Transfer t = transfer(emu, rate, autosize, sockbuf, size, out);
            double f = t.bitsPerSec() / rate;
            out.printf(Locale.ROOT, "  %-8s %4d MB: %7.1f Mbit/s in %6.2f s = %.3f of the link (%d segments"
                            + " retransmitted; buffers at the end: send %d, receive %d)%n",
                    c[0], size / MB, t.bitsPerSec() / 1e6, t.seconds, f, t.retransmitted, t.sndbuf, t.rcvbuf);
            res.put("bdp_fraction_" + c[0] + "_" + c[1] + "m", fmt(f));
        }
        if (only == null) {
            double s10 = Double.parseDouble(res.get("bdp_fraction_sockbuf_10m"));
            double a10 = Double.parseDouble(res.get("bdp_fraction_auto_10m"));
            res.put("sockbuf_over_auto_10m", fmt(s10 / a10));
            out.println("  sockbuf over autosizing, 10 MB: " + fmt(s10 / a10) + "x");
        }
        out.println("  load after " + loadavg());
        return res;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static Kernel boot(String name) throws Exception {
        return Kernel.boot(KernelConfig.builder().hostname(name).ncpu(1).memoryLimit(256 << 20)
                .hypercall(HostHypercall.builder().environment(Map.of()).build())
                .component("rumpnet_netinet").build());
    }

    private static Ifnet up(Kernel k, Hub hub, String emu, String addr, String sockbuf, List<LinkEmulator> emus)
            throws ErrnoException {
        io.jrump.virtif.EtherLink link = hub.attach();
        if (!emu.equals("none")) {
            LinkEmulator e = new LinkEmulator(k.hypercall(), link, emu + ",limit=100000,limit-bytes=256000000");
            emus.add(e);
            link = e;
        }
        Ifnet ifp = EtherIfs.attach(k, "shmif0", link, MTU);
        Interfaces ifs = k.service(Interfaces.class);
        IfReq r = new IfReq("shmif0");
        r.addr = Ipv4Address.parse(addr);
        r.netmask = Ipv4Address.netmask(24);
        ifs.ioctl(IfIoctl.SIOCAIFADDR, r, Cred.ROOT);
        r.flags = Ifnet.IFF_UP;
        ifs.ioctl(IfIoctl.SIOCSIFFLAGS, r, Cred.ROOT);
        if (sockbuf != null) {
            IfReq s = new IfReq("shmif0");
            s.value = sockbuf;
            ifs.ioctl(IfBufferIoctls.SIOCSIFSOCKBUF, s, Cred.ROOT);
        }
        return ifp;
    }

    private static String linkDrops(Ifnet ifp) {
        return ifp.stats().oerrors() + "oerr";
    }

    private static long counter(Kernel k, String name) throws ErrnoException {
        for (var e : k.syscalls().sysctlList("net.inet.tcp.stats")) {
            if (e.description().equals(name)) {
                return Long.parseLong(e.value().trim());
            }
        }
        return 0;
    }

    /** One connection from a fresh pair of kernels, {@code size} bytes from a to b. */
    private static Transfer transfer(String emu, long rate, boolean autosize, boolean sockbuf, long size,
                                     PrintStream out) throws Exception {
        Hub hub = new Hub("dart");
        Kernel a = boot("tx");
        Kernel b = boot("rx");
        try {
            String sb = sockbuf ? "auto" : null;
            List<LinkEmulator> emus = new java.util.ArrayList<>();
            Ifnet ia = up(a, hub, emu, "198.18.0.1", sb, emus);
            Ifnet ib = up(b, hub, emu, "198.18.0.2", sb, emus);
            for (Kernel k : List.of(a, b)) {
                k.syscalls().sysctlWrite("net.inet.tcp.recvbuf_auto", autosize ? "1" : "0");
                k.syscalls().sysctlWrite("net.inet.tcp.sendbuf_auto", autosize ? "1" : "0");
            }
            Syscalls sa = a.syscalls();
            Syscalls sbs = b.syscalls();
            int l = sbs.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            sbs.bind(l, SockAddr.in("198.18.0.2", 5001));
            sbs.listen(l, 1);
            int c = sa.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            sa.connect(c, SockAddr.in("198.18.0.2", 5001));
            int s = sbs.accept(l, null);
            AtomicLong received = new AtomicLong();
            AtomicLong doneAt = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                ByteBuffer buf = ByteBuffer.allocate(CHUNK);
                try {
                    while (received.get() < size) {
                        buf.clear();
                        int n = sbs.read(s, buf);
                        if (n == 0) {
                            break;
                        }
                        received.addAndGet(n);
                    }
                    doneAt.set(System.nanoTime());
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "dart reader");
            byte[] chunk = new byte[CHUNK];
            reader.start();
            long t0 = System.nanoTime();
            long left = size;
            while (left > 0) {
                ByteBuffer w = ByteBuffer.wrap(chunk, 0, (int) Math.min(CHUNK, left));
                while (w.hasRemaining()) {
                    left -= sa.write(c, w);
                }
            }
            reader.join(600_000);
            if (failure.get() != null || received.get() != size) {
                throw new IllegalStateException("transfer of " + size + " stopped at " + received.get(), failure.get());
            }
            int snd = sa.getsockopt(c, SocketDefs.SOL_SOCKET, SocketDefs.SO_SNDBUF);
            int rcv = sbs.getsockopt(s, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVBUF);
            long rexmt = counter(a, "data packets retransmitted");
            if (rexmt > 0) {
                out.println("    (input queue drops: sender " + ia.stats().iqdrops() + ", receiver " + ib.stats().iqdrops()
                        + "; link drops " + ia.driver().getClass().getSimpleName() + " " + linkDrops(ia) + "/"
                        + linkDrops(ib) + "; retransmit timeouts " + counter(a, "retransmit timeouts")
                        + ", fast retransmits " + counter(a, "fast retransmits") + ", SACK recoveries "
                        + counter(a, "SACK recovery episodes") + "; receiver: after window "
                        + counter(b, "packets of data after window") + ", reassembly full "
                        + counter(b, "segments dropped for a full reassembly queue") + ", duplicate "
                        + counter(b, "completely duplicate packets") + ", bad checksum "
                        + counter(b, "discarded for bad checksums") + ", ierrors " + ib.stats().ierrors()
                        + "; sender self-quench " + counter(a, "send attempts that found no buffers (self-quench)")
                        + "; emulators " + emus.stream()
                        .map(e -> e.egressStats() + "/" + e.ingressStats()).toList() + ")");
            }
            sa.close(c);
            sbs.close(s);
            sbs.close(l);
            return new Transfer(size, (doneAt.get() - t0) / 1e9, rexmt, snd, rcv);
        } finally {
            a.halt();
            b.halt();
        }
    }
}
