package io.jrump.bench;

import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.netinet.Inet;
import io.jrump.netinet.lrp.LrpStat;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * Experiment 3 of {@code bench/run lrp} (seed 003's SYN flood): the blaster floods a listener with a
 * backlog of 4, which its process never serves, with SYNs from a spoofed source the receiver has no route
 * to (so its SYN-ACKs go nowhere, nobody resets the half-open connections, and the backlog stays full, as
 * under a real flood), while a client kernel opens connections to another process's service on the same
 * receiver, one at a time (connect, one byte each way, close). The flood is offered at twice the rate at
 * which eager processing can take SYNs in (measured first, capped at what the blaster can send). Printed:
 * the rate at which the service's connections complete with and without the flood, eager against lazy, and
 * the receiver's CPU per flood SYN. Under eager processing every SYN is taken through IP and TCP input in
 * the receive softint, ahead of every process, and the service's own segments wait behind the flood or are
 * dropped with it at the interface queue; under LRP the full listener's channel is not processed, so its
 * SYNs are dropped there, in the driver's receive context, before any protocol work.
 */
final class LrpSynFlood {
    /** The flood's source: TEST-NET-3 (RFC 5737), which the receiver has no route to. */
    static final String SPOOFED = System.getProperty("lrp.spoofed", "203.0.113.7");

    record Result(double[] eager, double[] lazy, double synsOffered, double window) {
        /** Lazy over eager under the flood; an eager run that completed nothing counts as one connection in its window. */
        double connRatio() {
            return lazy[0] / Math.max(eager[0], 1 / window);
        }

        void print() {
            System.out.printf("syn flood: %.0f SYNs/s offered (from %s, at twice what eager takes in); service"
                            + " connections/s unflooded / flooded: eager %.1f / %.1f, lazy %.1f / %.1f; flooded ratio lazy/eager %.2f%n",
                    synsOffered, SPOOFED, eager[4], eager[0], lazy[4], lazy[0], connRatio());
            System.out.printf("  receiver CPU per flood SYN: eager %.2f us (interrupt level), lazy %.2f us (all of the"
                            + " receiver's processes and interrupts; %.0f SYNs dropped at the listener's channel,"
                            + " the flooded process charged %.2f ms of protocol CPU)%n",
                    eager[5] / 1e3, lazy[5] / 1e3, lazy[1], lazy[2] / 1e6);
        }
    }

    static Result run(double seconds, double blasterMax) throws Exception {
        double intake = eagerIntake(seconds);
        double synPps = Math.min(2 * intake, blasterMax);
        double[] e = measure(false, synPps, seconds);
        double[] l = measure(true, synPps, seconds);
        LrpBench.csv("synflood.csv", "mode,syns_offered_pps,service_conn_per_s_unflooded,service_conn_per_s,"
                        + "channel_drops,flooded_proto_ms,receiver_cpu_ns_per_syn",
                List.of(String.format("eager,%.0f,%.1f,%.1f,%.0f,%.2f,%.0f", e[3], e[4], e[0], e[1], e[2] / 1e6, e[5]),
                        String.format("lazy,%.0f,%.1f,%.1f,%.0f,%.2f,%.0f", l[3], l[4], l[0], l[1], l[2] / 1e6, l[5])));
        CategoryChart c = new CategoryChartBuilder().width(800).height(500)
                .title("Service connections/s, with and without a SYN flood on another listener").xAxisTitle("mode")
                .yAxisTitle("connections/s").build();
        c.addSeries("unflooded", List.of("eager", "lazy"), List.of(e[4], l[4]));
        c.addSeries("flooded", List.of("eager", "lazy"), List.of(e[0], l[0]));
        BitmapEncoder.saveBitmap(c, LrpBench.OUT.resolve("synflood.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        return new Result(e, l, (e[3] + l[3]) / 2, seconds);
    }

    /**
     * SYNs per second eager processing takes in: the blaster sends flat out at the flooded listener of an
     * eager receiver, and what the interface queue accepted (what the softint kept up with; the rest is
     * dropped at the full queue) is counted.
     */
    static double eagerIntake(double seconds) throws Exception {
        Kernel[] ks = LrpBench.net(false, false);
        try {
            Proc flooded = ks[1].createProcess("flooded", Cred.ROOT);
            Syscalls fs = flooded.syscalls();
            int l1 = fs.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            fs.bind(l1, SockAddr.in(LrpBench.RX, 80));
            fs.listen(l1, 4);
            LrpPktgen gen = LrpPktgen.syn(ks[0], LrpBench.mac(ks[1]), LrpBench.ip(SPOOFED), LrpBench.ip(LrpBench.RX), 80);
            gen.setRate(Double.POSITIVE_INFINITY);
            gen.start(LrpOverload.BLASTERS);
            Thread.sleep((long) (seconds * 150));
            Ifnet ifp = ks[1].service(Interfaces.class).find("shmif0");
            long a0 = ifp.stats().ipackets();
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 500));
            double r = (ifp.stats().ipackets() - a0) / ((System.nanoTime() - t0) / 1e9);
            gen.stop();
            return r;
        } finally {
            LrpBench.halt(ks);
        }
    }

    /** All the CPU time charged in kernel {@code k}: every process's, interrupt level (process 0's) included. */
    static long cpu(Kernel k) {
        long n = 0;
        for (Proc p : k.procs()) {
            n += p.cpuNanos();
        }
        return n;
    }

    /**
     * {service connections/s under the flood, channel drops, flooded process's protocol ns, SYNs offered/s,
     * service connections/s before the flood, receiver CPU ns per flood SYN}.
     */
    static double[] measure(boolean lazy, double synPps, double seconds) throws Exception {
        Kernel[] ks = LrpBench.net(lazy, true);
        AtomicBoolean stop = new AtomicBoolean();
        try {
            Proc flooded = ks[1].createProcess("flooded", Cred.ROOT);
            Syscalls fs = flooded.syscalls();
            int l1 = fs.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            fs.bind(l1, SockAddr.in(LrpBench.RX, 80));
            fs.listen(l1, 4);
            Proc service = ks[1].createProcess("service", Cred.ROOT);
            Syscalls ss = service.syscalls();
            int l2 = ss.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            ss.bind(l2, SockAddr.in(LrpBench.RX, 81));
            ss.listen(l2, 64);
            Thread server = new Thread(() -> {
                ByteBuffer b = ByteBuffer.allocate(16);
                while (!stop.get()) {
                    try {
                        int fd = ss.accept(l2, null);
                        b.clear();
                        if (ss.read(fd, b) > 0) {
                            b.flip();
                            ss.write(fd, b);
                        }
                        ss.close(fd);
                    } catch (ErrnoException e) {
                        if (stop.get()) {
                            return;
                        }
                    }
                }
            }, "service");
            server.setDaemon(true);
            server.start();
            LrpPktgen gen = LrpPktgen.syn(ks[0], LrpBench.mac(ks[1]), LrpBench.ip(SPOOFED), LrpBench.ip(LrpBench.RX), 80);
            AtomicLong done = new AtomicLong();
            Syscalls cs = ks[2].syscalls();
            Thread client = new Thread(() -> {
                ByteBuffer b = ByteBuffer.allocate(16);
                while (!stop.get()) {
                    try {
                        int fd = cs.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
                        try {
                            cs.setsockopt(fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 2000);
                            cs.connect(fd, SockAddr.in(LrpBench.RX, 81));
                            b.clear();
                            b.put((byte) 1).flip();
                            cs.write(fd, b);
                            b.clear();
                            if (cs.read(fd, b) == 1) {
                                done.incrementAndGet();
                            }
                        } finally {
                            cs.close(fd);
                        }
                    } catch (ErrnoException e) {
                        // a connection that failed or timed out is not counted
                        if (System.getProperty("lrp.debug") != null) {
                            System.err.println((lazy ? "lazy" : "eager") + " client: " + e.getMessage());
                        }
                    }
                }
            }, "client");
            client.setDaemon(true);
            client.start();
            // unflooded first, then flooded, on the same kernels
            Thread.sleep((long) (seconds * 300));
            long u0 = done.get();
            long tu = System.nanoTime();
            Thread.sleep((long) (seconds * 500));
            double unflooded = (done.get() - u0) / ((System.nanoTime() - tu) / 1e9);
            gen.setRate(synPps);
            gen.start(LrpOverload.BLASTERS);
            Thread.sleep((long) (seconds * 300));
            long d0 = done.get();
            long s0 = gen.sent();
            long c0 = cpu(ks[1]);
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            double dt = (System.nanoTime() - t0) / 1e9;
            double rate = (done.get() - d0) / dt;
            long syns = gen.sent() - s0;
            double offered = syns / dt;
            // the service's work is in the figure too, but it is a few connections beside thousands of SYNs
            double cpuPerSyn = (double) (cpu(ks[1]) - c0) / Math.max(1, syns);
            gen.stop();
            stop.set(true);
            Inet inet = ks[1].service(Inet.class);
            double drops = inet.lrp().stats().get(LrpStat.CHANNEL_DROPS);
            double proto = flooded.protoNanos();
            return new double[] {rate, drops, proto, offered, unflooded, cpuPerSyn};
        } finally {
            stop.set(true);
            LrpBench.halt(ks);
        }
    }
}
