package io.jrump.bench;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code bench/run afpa}'s load generator: {@code conns} threads in a client kernel, each with one
 * connection at a time doing GETs of one file as fast as the answers come, either on one keep-alive
 * connection or with a connection per request ({@code Connection: close}, read to the end, closed). A
 * response is counted when its last byte has arrived; every response is checked for status 200 and the
 * file's length, so that a server answering wrongly cannot look fast. Buffers are per thread and reused:
 * the client's own garbage stays out of the server's figures.
 */
final class AfpaLoad {
    private AfpaLoad() {
    }

    /**
     * One sample: requests per second, and the process's CPU time per request in microseconds over the same
     * window (both kernels and the load threads share the process, so this is the whole harness's cost of a
     * request; the client's share is the same for every mode at one size).
     */
    record Sample(double rps, double cpuMicros) {
    }

    /** Requests per second of {@code path} on {@code server}, measured for {@code seconds} after {@code warmup}. */
    static double run(Syscalls sys, SockAddr server, String path, int size, boolean keepAlive, int conns,
                      double warmup, double seconds) throws Exception {
        return sample(sys, server, path, size, keepAlive, conns, warmup, seconds).rps();
    }

    /** As {@link #run}, with the CPU time per request. */
    static Sample sample(Syscalls sys, SockAddr server, String path, int size, boolean keepAlive, int conns,
                      double warmup, double seconds) throws Exception {
        AtomicLong done = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        byte[] req = ("GET " + path + " HTTP/1.1\r\nHost: bench\r\n" + (keepAlive ? "" : "Connection: close\r\n")
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < conns; i++) {
            Thread t = new Thread(() -> {
                try {
                    client(sys, server, req, size, keepAlive, running, done);
                } catch (Throwable e) {
                    if (running.get()) {
                        failure.compareAndSet(null, e);
                    }
                }
            }, "load-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        Thread.sleep((long) (warmup * 1000));
        long c0 = done.get();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        long c1 = done.get();
        long cpu1 = processCpuNanos();
        long t1 = System.nanoTime();
        running.set(false);
        for (Thread t : threads) {
            t.join(20_000);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a load connection failed: " + failure.get(), failure.get());
        }
        long n = c1 - c0;
        double cpu = cpu0 < 0 || cpu1 < 0 || n == 0 ? Double.NaN : (cpu1 - cpu0) / 1e3 / n;
        return new Sample(n / ((t1 - t0) / 1e9), cpu);
    }

    /** The process's CPU time so far (every thread), or -1 where the JVM does not say. */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private static void client(Syscalls sys, SockAddr server, byte[] req, int size, boolean keepAlive,
                               AtomicBoolean running, AtomicLong done) throws ErrnoException {
        ByteBuffer out = ByteBuffer.wrap(req);
        byte[] in = new byte[Math.max(size, 64 << 10) + 4096];
        ByteBuffer inBuf = ByteBuffer.wrap(in);
        int fd = -1;
        try {
            while (running.get()) {
                if (fd < 0) {
                    fd = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
                    sys.setsockopt(fd, SocketDefs.IPPROTO_TCP, SocketDefs.TCP_NODELAY, 1);
                    sys.connect(fd, server);
                }
                out.clear();
                while (out.hasRemaining()) {
                    sys.write(fd, out);
                }
                readResponse(sys, fd, in, inBuf, size, keepAlive);
                done.incrementAndGet();
                if (!keepAlive) {
                    sys.close(fd);
                    fd = -1;
                }
            }
        } finally {
            if (fd >= 0) {
                sys.close(fd);
            }
        }
    }

    /** Reads one response (head and {@code size} bytes of body); without keep-alive, to the server's close. */
    private static void readResponse(Syscalls sys, int fd, byte[] in, ByteBuffer inBuf, int size, boolean keepAlive)
            throws ErrnoException {
        inBuf.clear();
        int headEnd = -1;
        long need = Long.MAX_VALUE;
        long total = 0;
        for (;;) {
            if (!inBuf.hasRemaining()) {
                inBuf.clear(); // body bytes past the head are only counted
            }
            int before = inBuf.position();
            int n = sys.read(fd, inBuf);
            if (n <= 0) {
                if (!keepAlive && total >= need) {
                    return;
                }
                throw new IllegalStateException("the server closed the connection after " + total + " bytes");
            }
            total += n;
            if (headEnd < 0) {
                headEnd = headEnd(in, inBuf.position());
                if (headEnd >= 0) {
                    if (in[9] != '2' || in[10] != '0' || in[11] != '0') {
                        throw new IllegalStateException("answer: "
                                + new String(in, 0, headEnd, StandardCharsets.ISO_8859_1));
                    }
                    need = headEnd + (long) size;
                } else if (before > 0 && inBuf.position() == in.length) {
                    throw new IllegalStateException("a response head larger than the buffer");
                }
            }
            if (total > need) {
                throw new IllegalStateException("more bytes than the " + size + "-byte file: " + total);
            }
            if (total == need && keepAlive) {
                return;
            }
        }
    }

    private static int headEnd(byte[] b, int len) {
        for (int i = 3; i < len; i++) {
            if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }
}
