package io.jrump.bench;

import io.jrump.kern.Kernel;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * Experiment 1 of {@code bench/run lrp} (seed 003's figure of delivered against offered UDP rate): eager
 * receive processing's cost per datagram on the receiver's CPU is measured first, and the application's
 * per-datagram CPU cost chosen as twice that, or more where four times the resulting saturation rate would
 * be beyond what the blaster can offer on this host; the sweep then runs eager and lazy from a quarter of
 * saturation to four times it. Under eager processing the receive softint takes precedence over the application, so past
 * saturation it takes more and more of the CPU for datagrams that are then dropped at the full socket
 * buffer, and delivery falls (receive livelock); under LRP the excess is dropped at the socket's channel for
 * free and delivery stays at saturation.
 */
final class LrpOverload {
    static final double[] LOADS = {0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0};

    /** Sending threads of the blaster: one host thread may not reach four times the receiver's saturation. */
    static final int BLASTERS = Integer.getInteger("lrp.blasters", 2);

    record Result(long workNanos, long protoNanos, double saturation, double blasterMax, double[] offered,
                  double[] eager, double[] lazy, double[][] at4x) {
        double lazyAt4x() {
            return lazy[lazy.length - 1] / max(lazy);
        }

        double eagerAt4x() {
            return eager[eager.length - 1] / max(eager);
        }

        void print() {
            System.out.printf("overload: blaster flat out %.0f pps (%d threads); eager receive processing %.1f us of the"
                    + " receiver's CPU per datagram (measured: its threads' host CPU time over the frames it took in);"
                    + " application work %.1f us per datagram (chosen);"
                    + " saturation %.0f pps (the most lazy delivers on a ramp, at least 1 / (work + protocol))%n", blasterMax, BLASTERS, protoNanos / 1e3,
                    workNanos / 1e3, saturation);
            System.out.println("  offered_pps  eager_delivered  lazy_delivered");
            for (int i = 0; i < offered.length; i++) {
                System.out.printf("  %11.0f  %15.0f  %14.0f%n", offered[i], eager[i], lazy[i]);
            }
            System.out.printf("  at 4x: eager %.2f of its peak, lazy %.2f of its peak%n", eagerAt4x(), lazyAt4x());
            for (int m = 0; m < 2; m++) {
                double[] p = at4x[m];
                System.out.printf("  at 4x, %s: per second %.0f offered, %.0f delivered, %.0f dropped at the interface queue,"
                        + " %.0f at the full socket buffer after IP and UDP input, %.0f at the LRP channel; receiver's CPU:"
                        + " %.2f interrupt level, %.2f the application (process and protocol)%n", m == 0 ? "eager" : "lazy",
                        p[0], p[1], p[2], p[3], p[4], p[5], p[6]);
            }
        }
    }

    static double max(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    static Result run(double seconds) throws Exception {
        double blasterMax = blasterMax(seconds);
        long proto = protoCost(seconds, blasterMax);
        long work = work(proto, blasterMax);
        // Saturation is what lazy delivers at most on a ramp around 1 / (work + protocol work).
        // A host shared with other work can make one point of the ramp come out low; the saturation is never
        // taken below what the measured costs allow, 1 / (work + protocol work).
        double sat = 1e9 / (work + proto);
        for (double f : new double[] {0.75, 1.0, 1.25, 1.5}) {
            sat = Math.max(sat, measure(true, work, f * 1e9 / (work + proto), seconds)[1]);
        }
        double[] offered = new double[LOADS.length];
        double[] eager = new double[LOADS.length];
        double[] lazy = new double[LOADS.length];
        double[][] at4x = null;
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < LOADS.length; i++) {
            double rate = LOADS[i] * sat;
            double[] e = measure(false, work, rate, seconds);
            double[] l = measure(true, work, rate, seconds);
            if (i == LOADS.length - 1) {
                at4x = new double[][] {e, l};
            }
            offered[i] = (e[0] + l[0]) / 2;
            eager[i] = e[1];
            lazy[i] = l[1];
            rows.add(String.format("%.0f,%.0f,%.0f,%.0f,%.0f", rate, e[0], e[1], l[0], l[1]));
        }
        LrpBench.csv("overload.csv", "target_pps,eager_offered_pps,eager_delivered_pps,lazy_offered_pps,lazy_delivered_pps",
                rows);
        plot(offered, eager, lazy);
        return new Result(work, proto, sat, blasterMax, offered, eager, lazy, at4x);
    }

    /**
     * What the blaster offers flat out: into a lazy receiver whose socket nobody reads, so that past the
     * first channel-full of frames the receiver only demultiplexes and drops, and the figure is the
     * blaster's own limit on this host.
     */
    static double blasterMax(double seconds) throws Exception {
        Kernel[] ks = LrpBench.net(true, false);
        try {
            new LrpSink(ks[1], "nobody", LrpBench.RX, 9, 0);
            LrpPktgen gen = LrpPktgen.udp(ks[0], LrpBench.mac(ks[1]), LrpBench.ip(LrpBench.TX),
                    LrpBench.ip(LrpBench.RX), 7000, 9, LrpBench.PAYLOAD);
            gen.setRate(Double.POSITIVE_INFINITY);
            gen.start(BLASTERS);
            Thread.sleep((long) (seconds * 300));
            // The better of two windows: one in which the host stalled the blaster's threads (seen: 1,331 pps
            // against 100,000 and more in the runs before and after) would set every rate of the run.
            double r = 0;
            for (int w = 0; w < 2; w++) {
                long s0 = gen.sent();
                long t0 = System.nanoTime();
                Thread.sleep((long) (seconds * 500));
                r = Math.max(r, (gen.sent() - s0) / ((System.nanoTime() - t0) / 1e9));
            }
            gen.stop();
            return r;
        } finally {
            LrpBench.halt(ks);
        }
    }

    /**
     * What eager receive processing costs the receiver's CPU per datagram, interface input to socket buffer:
     * the host CPU time of the receiving kernel's threads over the frames it took in, the blaster sending at
     * a quarter of its flat-out rate to an eager receiver whose socket nobody reads, so that every frame is
     * taken through IP and UDP input at interrupt level and dropped at the full socket buffer, and nothing
     * else runs there. The threads' own clocks, not the virtual CPU's wall-clock accounting: a loaded host
     * stretches wall-clock time per frame by how long it keeps a receiving thread off its cores (tens of
     * times at a load of 10 on two cores), and an interrupt that holds the CPU throughout is charged only when
     * it lets go. The work per datagram chosen from this is spun in wall-clock time, so a loaded host, which
     * stretches protocol work and not that, only deepens eager's overload.
     */
    static long protoCost(double seconds, double blasterMax) throws Exception {
        double p = intake(seconds, blasterMax / 4);
        // Input batches: the more frames each softint run takes, the less each costs. Measured again near
        // the rate the sweep will offer at 4x, which is what its overload must be judged at.
        double at4x = Math.min(blasterMax, 4e9 / (work(p, blasterMax) + 2 * p));
        return (long) Math.min(p, intake(seconds, at4x));
    }

    /**
     * The application's work per datagram for protocol cost {@code proto}: twice that, so that eager
     * processing of four times the saturation rate wants more than the whole CPU (livelock, if interrupts
     * come first), unless four times saturation would then be beyond the blaster's reach, in which case the
     * work grows until it is not.
     */
    static long work(double proto, double blasterMax) {
        return Long.getLong("lrp.work", (long) Math.max(2 * proto, 4.4e9 / blasterMax - proto));
    }

    /** Host CPU nanoseconds per frame an eager receiver spends on frames nobody reads, offered {@code rate}. */
    static double intake(double seconds, double rate) throws Exception {
        Kernel[] ks = LrpBench.net(false, false);
        try {
            new LrpSink(ks[1], "nobody", LrpBench.RX, 9, 0);
            LrpPktgen gen = LrpPktgen.udp(ks[0], LrpBench.mac(ks[1]), LrpBench.ip(LrpBench.TX),
                    LrpBench.ip(LrpBench.RX), 7000, 9, LrpBench.PAYLOAD);
            gen.setRate(rate);
            gen.start(BLASTERS);
            Thread.sleep((long) (seconds * 300));
            io.jrump.net.Ifnet ifp = ks[1].service(io.jrump.net.Interfaces.class).find("shmif0");
            long f0 = ifp.stats().ipackets();
            long h0 = LrpProbe.hostCpu(ks[1])[1];
            long c0 = ks[1].proc0().cpuNanos();
            long s0 = gen.sent();
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            long f1 = ifp.stats().ipackets();
            long h1 = LrpProbe.hostCpu(ks[1])[1];
            long c1 = ks[1].proc0().cpuNanos();
            long s1 = gen.sent();
            double dt = (System.nanoTime() - t0) / 1e9;
            gen.stop();
            double perFrame = (double) (h1 - h0) / Math.max(1, f1 - f0);
            System.out.printf("overload: eager input of %.0f pps (offered %.0f) costs the receiver's threads %.1f us of host"
                    + " CPU per frame (%.2f cores); its virtual CPU's wall-clock accounting says %.1f us%n", (f1 - f0) / dt,
                    (s1 - s0) / dt, perFrame / 1e3, (h1 - h0) / dt / 1e9, (double) (c1 - c0) / Math.max(1, f1 - f0) / 1e3);
            return perFrame;
        } finally {
            LrpBench.halt(ks);
        }
    }

    /** One point: {offered pps, delivered pps} with the receiver in the given mode. */
    static double[] measure(boolean lazy, long work, double rate, double seconds) throws Exception {
        Kernel[] ks = LrpBench.net(lazy, false);
        try {
            LrpSink sink = new LrpSink(ks[1], "sink", LrpBench.RX, 9, work);
            sink.start();
            LrpPktgen gen = LrpPktgen.udp(ks[0], LrpBench.mac(ks[1]), LrpBench.ip(LrpBench.TX),
                    LrpBench.ip(LrpBench.RX), 7000, 9, LrpBench.PAYLOAD);
            gen.setRate(rate);
            gen.start(BLASTERS);
            Thread.sleep((long) (seconds * 300));
            double[] w0 = where(ks[1], sink);
            long s0 = gen.sent();
            long d0 = sink.delivered();
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            long s1 = gen.sent();
            long d1 = sink.delivered();
            double[] w1 = where(ks[1], sink);
            double dt = (System.nanoTime() - t0) / 1e9;
            gen.stop();
            sink.stop();
            double[] r = new double[2 + w0.length];
            r[0] = (s1 - s0) / dt;
            r[1] = (d1 - d0) / dt;
            for (int i = 0; i < w0.length; i++) {
                r[2 + i] = (w1[i] - w0[i]) / dt;
            }
            return r;
        } finally {
            LrpBench.halt(ks);
        }
    }

    /**
     * Where the receiver's frames and CPU went, cumulative: frames dropped at the interface queue before any
     * work, dropped by UDP at the full socket buffer after IP and UDP input, dropped at the socket's LRP
     * channel; CPU nanoseconds charged to interrupt level (process 0) and to the application.
     */
    static double[] where(Kernel rx, LrpSink sink) {
        io.jrump.net.Ifnet ifp = rx.service(io.jrump.net.Interfaces.class).find("shmif0");
        io.jrump.netinet.Inet inet = rx.service(io.jrump.netinet.Inet.class);
        return new double[] {ifp.stats().iqdrops(), inet.udp().stats().get(6),
                inet.lrp().stats().get(io.jrump.netinet.lrp.LrpStat.CHANNEL_DROPS), rx.proc0().cpuNanos() / 1e9,
                sink.proc().cpuNanos() / 1e9};
    }

    private static void plot(double[] offered, double[] eager, double[] lazy) throws Exception {
        XYChart c = new XYChartBuilder().width(800).height(500).title("UDP overload: delivered vs offered (1 virtual CPU)")
                .xAxisTitle("offered rate (datagrams/s)").yAxisTitle("delivered to the application (datagrams/s)").build();
        c.addSeries("eager (BSD)", offered, eager);
        c.addSeries("lazy (LRP)", offered, lazy);
        BitmapEncoder.saveBitmap(c, LrpBench.OUT.resolve("overload.png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
