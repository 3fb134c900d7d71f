package io.jrump.rumpnet.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import io.jrump.hypercall.ManualClock;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.KFile;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.testkit.Probes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.function.Executable;

/** Test helpers for the socket layer tests. */
final class Sk {
    static final int AF = LoopDomain.AF;
    static final int DGRAM = SocketDefs.SOCK_DGRAM;
    static final int STREAM = SocketDefs.SOCK_STREAM;

    private Sk() {
    }

    static SockAddr port(int p) {
        return new SockAddr(AF, 0, p);
    }

    static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    static ByteBuffer pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i * 7);
        }
        return ByteBuffer.wrap(b);
    }

    static String str(ByteBuffer b) {
        b.flip();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return new String(a, StandardCharsets.UTF_8);
    }

    static int errno(Executable e) {
        return assertThrows(ErrnoException.class, e).errno();
    }

    static void assertErrno(int expected, Executable e) {
        int got = errno(e);
        assertEquals(io.jrump.hypercall.Errno.name(expected), io.jrump.hypercall.Errno.name(got));
    }

    /** The socket behind a descriptor of process 1. */
    static Socket socketOf(Kernel k, int fd) throws ErrnoException {
        KFile fp = k.proc1().files().get(fd);
        try {
            return (Socket) fp.data();
        } finally {
            k.proc1().files().put(fp);
        }
    }

    /** Waits until {@code t} sleeps in the kernel: on a socket's condition variable, or in {@code poll}. */
    static void awaitBlocked(Thread t) {
        Probes.awaitSleepingIn(t, SLEEPS);
    }

    /** As {@link #awaitBlocked(Thread)}, having seen {@code clock}'s present time: its deadline is ahead. */
    static void awaitBlocked(ManualClock clock, Thread t) {
        Probes.awaitSleepingIn(clock, t, SLEEPS);
    }

    private static final String[] SLEEPS = {"KCondVar", "SelInfo$Waiter.sleep"};

    /** A bound datagram socket. */
    static int dgram(Syscalls s, int port) throws ErrnoException {
        int fd = s.socket(AF, DGRAM, 0);
        s.bind(fd, port(port));
        return fd;
    }

    /** A connected stream pair through a listener on {@code port}: {listener, client, server}. */
    static int[] streamPair(Syscalls s, int port) throws ErrnoException {
        int lis = s.socket(AF, STREAM, 0);
        s.bind(lis, port(port));
        s.listen(lis, 5);
        int c = s.socket(AF, STREAM, 0);
        s.connect(c, port(port));
        int a = s.accept(lis, new SockAddr());
        return new int[] {lis, c, a};
    }

    /** Reads exactly {@code n} bytes from a stream. */
    static byte[] readFully(Syscalls s, int fd, int n) throws ErrnoException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            int r = s.recvfrom(fd, b, 0, null);
            if (r == 0) {
                fail("EOF after " + b.position() + " of " + n + " bytes");
            }
        }
        return b.array();
    }

    static Thread start(String name, ThrowingRunnable r, java.util.concurrent.atomic.AtomicReference<Throwable> err) {
        Thread t = new Thread(() -> {
            try {
                r.run();
            } catch (Throwable e) {
                err.set(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
