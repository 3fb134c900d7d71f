package io.jrump.bench;

import io.jrump.kern.Kernel;
import io.jrump.net.IfStats;
import io.jrump.net.Interfaces;
import io.jrump.netinet.Counters;
import io.jrump.netinet.Inet;

/**
 * {@code bench/run lrp probe eager|lazy RATE WORK_US [SECONDS]}: one point of the overload experiment, with
 * what the receiver's counters say happened to the frames (where they were dropped, how much CPU each part
 * was charged), for looking into a figure of the sweep.
 */
final class LrpProbe {
    private LrpProbe() {
    }

    static void run(String[] args) throws Exception {
        boolean lazy = args[1].equals("lazy");
        double rate = Double.parseDouble(args[2]);
        long work = (long) (Double.parseDouble(args[3]) * 1000);
        double seconds = args.length > 4 ? Double.parseDouble(args[4]) : 1.0;
        Kernel[] ks = LrpBench.net(lazy, false);
        try {
            LrpSink sink = new LrpSink(ks[1], "sink", LrpBench.RX, 9, work);
            sink.start();
            LrpPktgen gen = LrpPktgen.udp(ks[0], LrpBench.mac(ks[1]), LrpBench.ip(LrpBench.TX),
                    LrpBench.ip(LrpBench.RX), 7000, 9, LrpBench.PAYLOAD);
            gen.setRate(rate);
            gen.start(LrpOverload.BLASTERS);
            Thread.sleep((long) (seconds * 300));
            Kernel rx = ks[1];
            long s0 = gen.sent();
            long d0 = sink.delivered();
            long u0 = sink.proc().userNanos();
            long c0 = sink.proc().cpuNanos();
            long p0 = sink.proc().protoNanos();
            long k0 = rx.proc0().cpuNanos();
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            double dt = (System.nanoTime() - t0) / 1e9;
            long s1 = gen.sent();
            long d1 = sink.delivered();
            System.out.printf("%s offered %.0f delivered %.0f pps; sink cpu %.2f (user %.2f proto %.2f) proc0 %.2f of the window%n",
                    lazy ? "lazy" : "eager", (s1 - s0) / dt, (d1 - d0) / dt,
                    (sink.proc().cpuNanos() - c0) / dt / 1e9, (sink.proc().userNanos() - u0) / dt / 1e9,
                    (sink.proc().protoNanos() - p0) / dt / 1e9, (rx.proc0().cpuNanos() - k0) / dt / 1e9);
            gen.stop();
            sink.stop();
            IfStats st = rx.service(Interfaces.class).find("shmif0").stats();
            System.out.println("  rx shmif0: " + st);
            Inet inet = rx.service(Inet.class);
            dump("udp", inet.udp().stats());
            dump("lrp", inet.lrp().stats());
            System.out.println("  preemptions " + rx.scheduler().preemptions() + ", interrupts taken by the interrupted lwp " + rx.scheduler().interruptsTaken());
        } finally {
            LrpBench.halt(ks);
        }
    }

    private static void dump(String name, Counters c) {
        StringBuilder sb = new StringBuilder("  " + name + ":");
        for (int i = 0; ; i++) {
            try {
                sb.append(' ').append(c.get(i));
            } catch (IndexOutOfBoundsException e) {
                break;
            }
        }
        System.out.println(sb);
    }
}
