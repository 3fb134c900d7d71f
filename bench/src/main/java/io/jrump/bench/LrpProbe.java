package io.jrump.bench;

import io.jrump.kern.Kernel;
import io.jrump.net.IfStats;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.netinet.Counters;
import io.jrump.netinet.Inet;

/**
 * {@code bench/run lrp probe eager|lazy RATE WORK_US [SECONDS]}: one point of the overload experiment, with
 * what the receiver's counters say happened to the frames (where they were dropped, how much CPU each part
 * was charged, and each side's host CPU per frame), for looking into a figure of the sweep;
 * {@code -Dlrp.ifq=N} sets the receiver's interface input queue length.
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
            Integer ifq = Integer.getInteger("lrp.ifq");
            if (ifq != null) {
                ks[1].service(Interfaces.class).find("shmif0").inputQueue().setMaxLength(ifq);
            }
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
            Ifnet rif = rx.service(Interfaces.class).find("shmif0");
            long i0 = rif.stats().ipackets();
            long[] h0 = hostCpu(rx);
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            double dt = (System.nanoTime() - t0) / 1e9;
            long s1 = gen.sent();
            long d1 = sink.delivered();
            long[] h1 = hostCpu(rx);
            long i1 = rif.stats().ipackets();
            System.out.printf("  host CPU (thread time): blaster %.2f us per frame sent (%.2f cores), receiver %.2f us per frame"
                    + " taken in (%.2f cores)%n", (h1[0] - h0[0]) / 1e3 / Math.max(1, s1 - s0), (h1[0] - h0[0]) / dt / 1e9,
                    (h1[1] - h0[1]) / 1e3 / Math.max(1, i1 - i0), (h1[1] - h0[1]) / dt / 1e9);
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

    /**
     * Host CPU time of the blaster's sending threads and of the receiving kernel's threads (its application
     * among them), from the JVM's per-thread clocks: what each side's work costs whatever the host's load,
     * where the kernels' own CPU accounting is in wall-clock time.
     */
    static long[] hostCpu(Kernel rx) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long[] r = new long[2];
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName();
            int side = n.contains("/pktgen") ? 0 : n.startsWith(rx.id() + "/") || n.equals("sink") ? 1 : -1;
            long c = side < 0 ? -1 : mx.getThreadCpuTime(t.getId());
            if (c > 0) {
                r[side] += c;
            }
        }
        return r;
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
