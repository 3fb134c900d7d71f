package io.jrump.bench;

import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.netinet.Inet;
import io.jrump.netinet.tcp.Tcp;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Vestigial TIME_WAIT against full control blocks (issue 6, seed 004): a server that closes its
 * connections first accumulates {@code connections} (65536) of them in TIME_WAIT, once with
 * {@code net.inet.tcp.vtw.enable=1} and once with 0, in the same run. Client and server are one
 * kernel over lo0 (loopback class, its MSL raised so that nothing expires during the run); each
 * connection is a fresh four-tuple (4 server ports, 16384 client ports bound explicitly).
 *
 * <p>Measured, not computed: bytes per TIME_WAIT connection are the heap in use after GC (plus direct
 * buffers) after the churn less before it, over the number of connections; the VTW pool is made at
 * the first vestigial entry and so is inside the difference. Connections per second are wall time
 * of the churn; CPU per connection is the process's CPU time over it (every thread: the syscall
 * caller and the softint threads doing the protocol work). A warm-up of full-path connections,
 * expired before the baseline, grows the mbuf pools and compiles the code first.
 */
public final class VtwChurnBench {
    private static final int SERVER_PORTS = 4;
    private static final int FIRST_SERVER_PORT = 5000;
    private static final int FIRST_CLIENT_PORT = 10000;

    private VtwChurnBench() {
    }

    record Result(boolean vtw, int n, long bytes, double seconds, long cpuNanos, int timeWait, int vestigial) {
        double bytesPerTw() {
            return (double) bytes / n;
        }

        double connPerSec() {
            return n / seconds;
        }

        double cpuMicrosPerConn() {
            return cpuNanos / 1e3 / n;
        }
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.getInteger("connections", 65536);
        int warm = Integer.getInteger("warmup", 8000);
        if (n > SERVER_PORTS * 16384) {
            throw new IllegalArgumentException("at most " + SERVER_PORTS * 16384 + " connections");
        }
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        System.out.println("command: bench/run vtw-churn   (java -cp bench/target/classes:bench/target/lib/* "
                + "io.jrump.bench.VtwChurnBench; -Dconnections=" + n + " -Dwarmup=" + warm + ")");
        System.out.printf("host: %d cpus, load average %.2f at start (other work on the machine shows in the"
                + " rates, not in the bytes)%n", Runtime.getRuntime().availableProcessors(), load);
        Result vtw = run(true, n, warm);
        Result full = run(false, n, warm);
        for (Result r : new Result[] {vtw, full}) {
            System.out.printf("  %-26s %7d in TIME_WAIT (%d vestigial)  %8.1f bytes/TW  %9.0f conn/s  %6.1f us CPU/conn%n",
                    r.vtw ? "VTW on (vestigial entries)" : "VTW off (full pcbs)", r.timeWait, r.vestigial,
                    r.bytesPerTw(), r.connPerSec(), r.cpuMicrosPerConn());
        }
        double rateRatio = vtw.connPerSec() / full.connPerSec();
        System.out.printf("  memory: full pcbs take %.1fx the bytes of vestigial entries; rate: VTW %.2fx the full path;"
                + " CPU/conn: VTW %.2fx%n", full.bytesPerTw() / vtw.bytesPerTw(), rateRatio,
                vtw.cpuMicrosPerConn() / full.cpuMicrosPerConn());
        System.out.printf("  targets: <= 80 bytes/TW with VTW (NetBSD: ~76), >= 10x less than full pcbs, a higher rate%n");
        System.out.printf("  load average %.2f at the end%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf("RESULT vtw-churn bytes_per_tw_vtw=%.1f bytes_per_tw_full=%.1f conn_per_s_vtw=%.0f "
                        + "conn_per_s_full=%.0f rate_ratio=%.2f cpu_us_per_conn_vtw=%.1f cpu_us_per_conn_full=%.1f%n",
                vtw.bytesPerTw(), full.bytesPerTw(), vtw.connPerSec(), full.connPerSec(), rateRatio,
                vtw.cpuMicrosPerConn(), full.cpuMicrosPerConn());
    }

    private static Result run(boolean vtw, int n, int warm) throws Exception {
        Kernel k = Kernel.boot(KernelConfig.builder().ncpu(1).hostname(vtw ? "vtw" : "full")
                .memoryLimit(1L << 30).hypercall(HostHypercall.builder().environment(Map.of()).build())
                .component("rumpnet_netinet").build());
        Result r;
        try {
            Syscalls s = k.syscalls();
            Tcp tcp = k.service(Inet.class).tcp();
            s.sysctlWrite("net.inet.tcp.vtw.entries", Integer.toString(Integer.highestOneBit(Math.max(16, n - 1)) << 1));
            // the warm-up goes through full pcbs that leave TIME_WAIT at once; the pool is not made yet
            s.sysctlWrite("net.inet.tcp.vtw.enable", "0");
            s.sysctlWrite("net.inet.tcp.mslt.loopback", "0");
            int[] listeners = new int[SERVER_PORTS];
            for (int i = 0; i < SERVER_PORTS; i++) {
                listeners[i] = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
                s.bind(listeners[i], SockAddr.in("127.0.0.1", FIRST_SERVER_PORT + i));
                s.listen(listeners[i], 128);
            }
            ByteBuffer eof = ByteBuffer.allocate(16);
            for (int i = 0; i < warm; i++) {
                churnOne(s, listeners, i % (SERVER_PORTS * 16384), eof);
            }
            waitFor(() -> tcp.timeWaitCount() == 0, "the warm-up's TIME_WAIT to end");
            s.sysctlWrite("net.inet.tcp.mslt.loopback", "600");
            s.sysctlWrite("net.inet.tcp.vtw.enable", vtw ? "1" : "0");

            MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long heap0 = usedAfterGc(mem);
            long direct0 = direct();
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                churnOne(s, listeners, i, eof);
            }
            waitFor(() -> tcp.timeWaitCount() == n, n + " connections in TIME_WAIT");
            long t1 = System.nanoTime();
            long cpu1 = os.getProcessCpuTime();
            long heap1 = usedAfterGc(mem);
            long direct1 = direct();
            r = new Result(vtw, n, heap1 - heap0 + direct1 - direct0, (t1 - t0) / 1e9, cpu1 - cpu0,
                    tcp.timeWaitCount(), tcp.vestigialCount());
            if (vtw && (tcp.vestigialCount() != n || tcp.vtwStats().get("kills") != 0)) {
                throw new IllegalStateException("VTW kept " + tcp.vestigialCount() + " of " + n + ", killed "
                        + tcp.vtwStats().get("kills"));
            }
            for (int l : listeners) {
                s.close(l);
            }
        } finally {
            HaltReport h = k.halt();
            if (!h.clean()) {
                System.out.println("  (halt: " + h + ")");
            }
        }
        return r;
    }

    /**
     * One connection: the client binds its own port (so that every four-tuple is new and the closer's
     * TIME_WAIT entries pile up), the server accepts and closes first, the client reads the end of
     * stream and closes; the server's side then enters TIME_WAIT.
     */
    private static void churnOne(Syscalls s, int[] listeners, int i, ByteBuffer eof) throws ErrnoException {
        int server = i / 16384;
        int c = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
        s.bind(c, SockAddr.in("127.0.0.1", FIRST_CLIENT_PORT + i % 16384));
        s.connect(c, SockAddr.in("127.0.0.1", FIRST_SERVER_PORT + server));
        int a = s.accept(listeners[server], null);
        s.close(a);
        eof.clear();
        if (s.read(c, eof) != 0) {
            throw new IllegalStateException("expected the server's FIN");
        }
        s.close(c);
    }

    private static void waitFor(java.util.function.BooleanSupplier cond, String what) throws InterruptedException {
        long end = System.nanoTime() + 120_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(1);
        }
    }

    private static long direct() {
        long sum = 0;
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            sum += b.getMemoryUsed();
        }
        return sum;
    }

    private static long usedAfterGc(MemoryMXBean mem) throws InterruptedException {
        long prev = Long.MAX_VALUE;
        for (int i = 0; i < 20; i++) {
            System.gc();
            Thread.sleep(30);
            long u = mem.getHeapMemoryUsage().getUsed();
            if (Math.abs(prev - u) < 4096) {
                return u;
            }
            prev = u;
        }
        return prev;
    }
}
