package io.jrump.bench;

import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
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
 * backlog of 4, which its process never serves, with SYNs, while a client kernel opens connections to
 * another process's service on the same receiver, one at a time (connect, one byte each way, close); the
 * rate at which those complete, eager against lazy, and the CPU the flooded listener's process is charged
 * per SYN dropped at its channel. Under eager processing every SYN is taken through TCP input in the
 * receive softint, ahead of every process; under LRP the flooded listener's SYNs are processed at its
 * process's priority, which decays, and the excess is dropped at its channel.
 */
final class LrpSynFlood {
    record Result(double eagerConnPerSec, double lazyConnPerSec, double lazyDrops, double lazyFloodProtoNanos,
                  double synsOffered, double window) {
        /** Lazy over eager; an eager run that completed nothing counts as one connection in its window. */
        double connRatio() {
            return lazyConnPerSec / Math.max(eagerConnPerSec, 1 / window);
        }

        void print() {
            System.out.printf("syn flood (%.0f SYNs/s offered): service connections/s eager %.0f, lazy %.0f, ratio %.2f;"
                            + " lazy: %.0f SYNs dropped at the channel, flooded process charged %.1f ms of protocol CPU%n",
                    synsOffered, eagerConnPerSec, lazyConnPerSec, connRatio(), lazyDrops, lazyFloodProtoNanos / 1e6);
        }
    }

    static Result run(double seconds, double synPps) throws Exception {
        double[] e = measure(false, synPps, seconds);
        double[] l = measure(true, synPps, seconds);
        LrpBench.csv("synflood.csv", "mode,syns_offered_pps,service_conn_per_s,channel_drops,flooded_proto_ms",
                List.of(String.format("eager,%.0f,%.1f,%.0f,%.2f", e[3], e[0], e[1], e[2] / 1e6),
                        String.format("lazy,%.0f,%.1f,%.0f,%.2f", l[3], l[0], l[1], l[2] / 1e6)));
        CategoryChart c = new CategoryChartBuilder().width(800).height(500)
                .title("Service connections/s under a SYN flood on another listener").xAxisTitle("mode")
                .yAxisTitle("connections/s").build();
        c.addSeries("service", List.of("eager", "lazy"), List.of(e[0], l[0]));
        BitmapEncoder.saveBitmap(c, LrpBench.OUT.resolve("synflood.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        return new Result(e[0], l[0], l[1], l[2], (e[3] + l[3]) / 2, seconds);
    }

    /** {service connections/s, channel drops, flooded process's protocol ns, SYNs offered/s}. */
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
            LrpPktgen gen = LrpPktgen.syn(ks[0], LrpBench.mac(ks[1]), LrpBench.ip(LrpBench.TX), LrpBench.ip(LrpBench.RX), 80);
            gen.setRate(synPps);
            gen.start();
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
            Thread.sleep((long) (seconds * 300));
            long d0 = done.get();
            long s0 = gen.sent();
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            double dt = (System.nanoTime() - t0) / 1e9;
            double rate = (done.get() - d0) / dt;
            double offered = (gen.sent() - s0) / dt;
            gen.stop();
            stop.set(true);
            Inet inet = ks[1].service(Inet.class);
            double drops = inet.lrp().stats().get(LrpStat.CHANNEL_DROPS);
            double proto = flooded.protoNanos();
            return new double[] {rate, drops, proto, offered};
        } finally {
            stop.set(true);
            LrpBench.halt(ks);
        }
    }
}
