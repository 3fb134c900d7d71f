package io.jrump.bench;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * Experiment 2 of {@code bench/run lrp} (seed 003's traffic separation): a client kernel plays UDP
 * ping-pong with an echo process on the receiver while the blaster floods another process's socket on the
 * same receiver at 1.5 times the saturation rate of the overload experiment; the round-trip times with the
 * flood are compared with those without it, for eager and lazy. A ping that gets no answer within 100 ms counts as 100 ms.
 * Under eager processing the echo's datagrams wait behind the flood in the interface queue and its
 * softint, or are dropped there; under LRP they go to the echo's own channel, and the echo process, whose
 * priority has not decayed, preempts the flooded one.
 */
final class LrpSeparation {
    static final long TIMEOUT_NANOS = 100_000_000L;

    record Result(double[] unloadedEager, double[] loadedEager, double[] unloadedLazy, double[] loadedLazy) {
        double p99RatioLazy() {
            return loadedLazy[1] / unloadedLazy[1];
        }

        double p99RatioEager() {
            return loadedEager[1] / unloadedEager[1];
        }

        void print() {
            System.out.println("separation: UDP ping-pong RTT (us), median / p99 / timeouts, beside a flooded socket");
            System.out.printf("  eager: unloaded %.0f / %.0f / %.0f   flooded %.0f / %.0f / %.0f   p99 ratio %.2f%n",
                    unloadedEager[0] / 1e3, unloadedEager[1] / 1e3, unloadedEager[2], loadedEager[0] / 1e3,
                    loadedEager[1] / 1e3, loadedEager[2], p99RatioEager());
            System.out.printf("  lazy:  unloaded %.0f / %.0f / %.0f   flooded %.0f / %.0f / %.0f   p99 ratio %.2f%n",
                    unloadedLazy[0] / 1e3, unloadedLazy[1] / 1e3, unloadedLazy[2], loadedLazy[0] / 1e3,
                    loadedLazy[1] / 1e3, loadedLazy[2], p99RatioLazy());
        }
    }

    /** Unloaded and flooded measurements per mode, alternating; each figure is the median of its repeats. */
    static final int REPEATS = 3;

    static Result run(double seconds, long work, double floodPps) throws Exception {
        double[][] e = paired(false, work, floodPps, seconds);
        double[][] l = paired(true, work, floodPps, seconds);
        double[] ue = e[0];
        double[] le = e[1];
        double[] ul = l[0];
        double[] ll = l[1];
        LrpBench.csv("separation.csv", "mode,flood_pps,rtt_median_us,rtt_p99_us,timeouts", List.of(
                String.format("eager,0,%.1f,%.1f,%.0f", ue[0] / 1e3, ue[1] / 1e3, ue[2]),
                String.format("eager,%.0f,%.1f,%.1f,%.0f", floodPps, le[0] / 1e3, le[1] / 1e3, le[2]),
                String.format("lazy,0,%.1f,%.1f,%.0f", ul[0] / 1e3, ul[1] / 1e3, ul[2]),
                String.format("lazy,%.0f,%.1f,%.1f,%.0f", floodPps, ll[0] / 1e3, ll[1] / 1e3, ll[2])));
        CategoryChart c = new CategoryChartBuilder().width(800).height(500)
                .title("Ping-pong RTT beside a flooded socket (1 virtual CPU)").xAxisTitle("mode")
                .yAxisTitle("RTT p99 (us)").build();
        c.addSeries("unloaded", List.of("eager", "lazy"), List.of(ue[1] / 1e3, ul[1] / 1e3));
        c.addSeries("flooded", List.of("eager", "lazy"), List.of(le[1] / 1e3, ll[1] / 1e3));
        BitmapEncoder.saveBitmap(c, LrpBench.OUT.resolve("separation.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        return new Result(ue, le, ul, ll);
    }

    /**
     * {unloaded, flooded} for one mode, each {median, p99, timeouts} as the median of {@link #REPEATS}
     * measurements taken alternately, so that one run whose p99 a host stall raised or lowered does not set
     * the ratio by itself.
     */
    private static double[][] paired(boolean lazy, long work, double floodPps, double seconds) throws Exception {
        double[][][] runs = new double[2][REPEATS][];
        for (int k = 0; k < REPEATS; k++) {
            runs[0][k] = measure(lazy, work, 0, seconds);
            runs[1][k] = measure(lazy, work, floodPps, seconds);
        }
        double[][] out = new double[2][3];
        for (int j = 0; j < 2; j++) {
            for (int f = 0; f < 3; f++) {
                double[] v = new double[REPEATS];
                for (int k = 0; k < REPEATS; k++) {
                    v[k] = runs[j][k][f];
                }
                java.util.Arrays.sort(v);
                out[j][f] = v[REPEATS / 2];
            }
        }
        return out;
    }

    /** {median, p99, timeouts} of the ping-pong RTT in nanoseconds. */
    static double[] measure(boolean lazy, long work, double floodPps, double seconds) throws Exception {
        Kernel[] ks = LrpBench.net(lazy, true);
        AtomicBoolean stop = new AtomicBoolean();
        try {
            LrpSink sink = new LrpSink(ks[1], "flooded", LrpBench.RX, 9, work);
            sink.start();
            Proc echoProc = ks[1].createProcess("echo", Cred.ROOT);
            Syscalls es = echoProc.syscalls();
            int efd = es.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            es.bind(efd, SockAddr.in(LrpBench.RX, 7));
            es.setsockopt(efd, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 50);
            Thread echo = new Thread(() -> {
                ByteBuffer b = ByteBuffer.allocate(256);
                SockAddr from = new SockAddr();
                while (!stop.get()) {
                    b.clear();
                    try {
                        es.recvfrom(efd, b, 0, from);
                        b.flip();
                        es.sendto(efd, b, 0, from);
                    } catch (ErrnoException e) {
                        if (e.errno() != Errno.EAGAIN && e.errno() != Errno.ENOBUFS) {
                            return;
                        }
                    }
                }
            }, "echo");
            echo.setDaemon(true);
            echo.start();
            LrpPktgen gen = LrpPktgen.udp(ks[0], LrpBench.mac(ks[1]), LrpBench.ip(LrpBench.TX),
                    LrpBench.ip(LrpBench.RX), 7000, 9, LrpBench.PAYLOAD);
            gen.setRate(floodPps);
            gen.start();
            Syscalls cs = ks[2].syscalls();
            int cfd = cs.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            cs.setsockopt(cfd, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, (int) (TIMEOUT_NANOS / 1_000_000));
            cs.connect(cfd, SockAddr.in(LrpBench.RX, 7));
            ByteBuffer out = ByteBuffer.allocate(32);
            ByteBuffer in = ByteBuffer.allocate(256);
            long warm = System.nanoTime() + (long) (seconds * 0.3e9);
            List<Long> rtts = new ArrayList<>();
            int timeouts = 0;
            long end = warm + (long) (seconds * 1e9);
            int seq = 0;
            for (;;) {
                long now = System.nanoTime();
                if (now >= end) {
                    break;
                }
                out.clear();
                out.putInt(0, ++seq);
                long t0 = System.nanoTime();
                cs.sendto(cfd, out, 0, null);
                long rtt;
                for (;;) {
                    in.clear();
                    try {
                        cs.recvfrom(cfd, in, 0, null);
                        if (in.getInt(0) != seq) {
                            continue;
                        }
                        rtt = System.nanoTime() - t0;
                    } catch (ErrnoException e) {
                        if (e.errno() != Errno.EAGAIN) {
                            throw e;
                        }
                        rtt = TIMEOUT_NANOS;
                        if (now >= warm) {
                            timeouts++;
                        }
                    }
                    break;
                }
                if (now >= warm) {
                    rtts.add(rtt);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            }
            gen.stop();
            stop.set(true);
            sink.stop();
            echo.join(2000);
            long[] v = rtts.stream().mapToLong(Long::longValue).toArray();
            Arrays.sort(v);
            return new double[] {v[v.length / 2], v[(int) Math.min(v.length - 1, Math.ceil(v.length * 0.99) - 1)], timeouts};
        } finally {
            stop.set(true);
            LrpBench.halt(ks);
        }
    }
}
