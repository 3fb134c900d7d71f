package io.jrump.sockin;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.KFile;
import io.jrump.kern.Kernel;
import io.jrump.kern.file.Poll;
import io.jrump.kern.file.PollFd;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.rumpnet.socket.Socket;
import io.jrump.testkit.Probes;
import io.jrump.testkit.RumpKernel;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A reader that waits on its own host socket (README, "How it works"): what a program sees must not
 * change, whoever brings the data in. Each case has a rump client connected to a plain host peer on
 * loopback, puts a reader into its host wait, and then does what could strand it or lose data: a
 * shutdown from another lwp, a poll, an upcall, a timeout, a non-blocking read, a second reader, the
 * process exiting. The kernel has one CPU, as the benchmark's does: a reader waiting in the host must
 * not keep the other lwps from running.
 */
@RumpKernel(components = "rumpnet_sockin", ncpu = 1)
class ReaderWaitTest {
    private static final long WAIT_S = 10;

    /** A connected pair: a rump stream socket and the host peer it reached. */
    private static final class Pair implements AutoCloseable {
        final ServerSocket server;
        final java.net.Socket peer;
        final OutputStream out;
        final InputStream in;
        final int fd;

        Pair(Syscalls s) throws Exception {
            server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
            fd = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            s.connect(fd, SockAddr.in("127.0.0.1", server.getLocalPort()));
            peer = server.accept();
            peer.setTcpNoDelay(true);
            out = peer.getOutputStream();
            in = peer.getInputStream();
        }

        void send(String text) throws Exception {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public void close() throws Exception {
            peer.close();
            server.close();
        }
    }

    private static Sockin sockin(Kernel k) {
        return k.service(Sockin.class);
    }

    /** Runs a blocking read of up to {@code n} bytes on its own thread; the text read, "" at end of stream. */
    private static CompletableFuture<String> readAsync(Syscalls s, int fd, int n) {
        return CompletableFuture.supplyAsync(() -> {
            ByteBuffer b = ByteBuffer.allocate(n);
            try {
                s.read(fd, b);
            } catch (ErrnoException e) {
                throw new RuntimeException(e);
            }
            return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
        }, r -> new Thread(r, "reader").start());
    }

    /**
     * Waits until a reader has begun waiting on its host socket since {@code before} was read, and is in
     * that wait (a "reader" thread inside {@link SockinUser#awaitReadable}).
     */
    private static void awaitHostWait(Kernel k, long before) {
        Probes.await("a blocked reader waiting on its host socket", () -> sockin(k).readerHostWaits() > before
                && threads("reader").anyMatch(t -> inside(t, SockinUser.class, "awaitReadable")));
    }

    /** Waits until the thread named {@code name} is asleep in a kernel poll. */
    private static void awaitPolling(String name) {
        Probes.awaitSleepingIn(threads(name).findFirst().orElseThrow(), "SelInfo$Waiter.sleep");
    }

    private static Stream<Thread> threads(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name));
    }

    /** Whether {@code t} is running {@code c.method} now: a frame of it is on its stack. */
    private static boolean inside(Thread t, Class<?> c, String method) {
        for (StackTraceElement f : t.getStackTrace()) {
            if (f.getClassName().equals(c.getName()) && f.getMethodName().equals(method)) {
                return true;
            }
        }
        return false;
    }

    /** A blocking read that waited for data, so that the connection's readers take its input. */
    private static void readOnce(Kernel k, Pair p, String text) throws Exception {
        long before = sockin(k).readerHostWaits();
        CompletableFuture<String> r = readAsync(k.syscalls(), p.fd, text.length());
        awaitHostWait(k, before);
        p.send(text);
        assertEquals(text, r.get(WAIT_S, TimeUnit.SECONDS));
    }

    private static String readText(Syscalls s, int fd, int n) throws ErrnoException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining() && s.read(fd, b) > 0) {
            // until n bytes or end of stream
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    @Test
    void echoRoundTripsOfOneReaderDoNotWakeTheReceiver(Kernel k) throws Exception {
        Syscalls s = k.syscalls();
        try (Pair p = new Pair(s)) {
            Thread echo = new Thread(() -> {
                byte[] b = new byte[64];
                try {
                    int n;
                    while ((n = p.in.read(b)) > 0) {
                        // Answer once the reader is in its read: a peer quicker than the kernel's way from
                        // write to read would be read directly (rcvdirect), and the rounds would not
                        // exercise the host wait this test is about.
                        Thread.sleep(1);
                        p.out.write(b, 0, n);
                    }
                } catch (Exception e) {
                    // the test closes the peer
                }
            }, "host echo");
            echo.start();
            ByteBuffer req = ByteBuffer.allocate(64);
            ByteBuffer resp = ByteBuffer.allocate(64);
            for (int i = 0; i < 20; i++) {
                roundTrip(s, p.fd, req, resp, i);
            }
            long wakeups = sockin(k).receiverWakeups();
            long waits = sockin(k).readerHostWaits();
            int rounds = 200;
            for (int i = 0; i < rounds; i++) {
                roundTrip(s, p.fd, req, resp, i);
            }
            long receiver = sockin(k).receiverWakeups() - wakeups;
            assertTrue(sockin(k).readerHostWaits() - waits > 0, "the reader waited on its host socket");
            assertTrue(receiver < rounds / 10, "the receiver woke " + receiver + " times for " + rounds
                    + " round trips; a reader waiting on the host needs it for none");
            s.close(p.fd);
            p.close();
            echo.join(TimeUnit.SECONDS.toMillis(WAIT_S));
        }
    }

    private static void roundTrip(Syscalls s, int fd, ByteBuffer req, ByteBuffer resp, int i) throws Exception {
        req.clear();
        Arrays.fill(req.array(), (byte) i);
        while (req.hasRemaining()) {
            s.write(fd, req);
        }
        resp.clear();
        while (resp.hasRemaining()) {
            assertTrue(s.read(fd, resp) > 0, "the echo answered");
        }
        assertEquals((byte) i, resp.get(63));
    }

    @Test
    void aShutdownFromAnotherLwpWakesTheReaderWaitingOnTheHost(Kernel k) throws Exception {
        Syscalls s = k.syscalls();
        try (Pair p = new Pair(s)) {
            long before = sockin(k).readerHostWaits();
            CompletableFuture<String> r = readAsync(s, p.fd, 16);
            awaitHostWait(k, before);
            s.shutdown(p.fd, SocketDefs.SHUT_RDWR);
            assertEquals("", r.get(WAIT_S, TimeUnit.SECONDS), "the reader sees end of input");
            assertEquals(-1, p.in.read(), "the host peer sees the FIN");
            s.close(p.fd);
        }
    }

    @Test
    void theHostPeersCloseEndsTheWait(Kernel k) throws Exception {
        Syscalls s = k.syscalls();
        try (Pair p = new Pair(s)) {
            readOnce(k, p, "a");
            long before = sockin(k).readerHostWaits();
            CompletableFuture<String> r = readAsync(s, p.fd, 16);
            awaitHostWait(k, before);
            p.send("last");
            p.peer.shutdownOutput();
            assertEquals("last", r.get(WAIT_S, TimeUnit.SECONDS));
            assertEquals("", readText(s, p.fd, 1), "then end of stream");
            s.close(p.fd);
        }
    }

    @Test
    void theProcessExitingInterruptsItsReader(Kernel k) throws Exception {
        Proc proc = k.newProcess("reader", Cred.ROOT);
        Syscalls s = proc.syscalls();
        try (Pair p = new Pair(s)) {
            long before = sockin(k).readerHostWaits();
            CompletableFuture<String> r = readAsync(s, p.fd, 16);
            awaitHostWait(k, before);
            k.exitProcess(proc);
            Throwable t = assertThrows(Exception.class, () -> r.get(WAIT_S, TimeUnit.SECONDS));
            while (t.getCause() != null && !(t instanceof ErrnoException)) {
                t = t.getCause();
            }
            assertEquals(Errno.EINTR, ((ErrnoException) t).errno());
            assertEquals(-1, p.in.read(), "the host connection was closed with the process");
        }
    }

    @Test
    void aPollWhileAReaderWaitsOnTheHostSeesWhatItLeaves(Kernel k) throws Exception {
        Syscalls s = k.syscalls();
        try (Pair p = new Pair(s)) {
            long before = sockin(k).readerHostWaits();
            CompletableFuture<String> r = readAsync(s, p.fd, 1);
            awaitHostWait(k, before);
            PollFd[] pf = {new PollFd(p.fd, Poll.POLLIN)};
            CompletableFuture<Integer> polled = CompletableFuture.supplyAsync(() -> {
                try {
                    return s.poll(pf, (int) TimeUnit.SECONDS.toMillis(WAIT_S));
                } catch (ErrnoException e) {
                    throw new RuntimeException(e);
                }
            }, x -> new Thread(x, "poller").start());
            awaitPolling("poller");
            p.send("ab");
            assertEquals("a", r.get(WAIT_S, TimeUnit.SECONDS));
            assertEquals(1, polled.get(WAIT_S, TimeUnit.SECONDS));
            assertEquals(Poll.POLLIN, pf[0].revents & Poll.POLLIN, "the byte the reader left is readable");
            assertEquals("b", readText(s, p.fd, 1));
            s.close(p.fd);
        }
    }

    @Test
    void aPollAfterReadersTookTheInputSeesNewData(Kernel k) throws Exception {
        Syscalls s = k.syscalls();
        try (Pair p = new Pair(s)) {
            readOnce(k, p, "first");
            PollFd[] pf = {new PollFd(p.fd, Poll.POLLIN)};
            assertEquals(0, s.poll(pf, 0), "nothing yet");
            CompletableFuture<Integer> polled = CompletableFuture.supplyAsync(() -> {
                try {
                    return s.poll(pf, (int) TimeUnit.SECONDS.toMillis(WAIT_S));
                } catch (ErrnoException e) {
                    throw new RuntimeException(e);
                }
            }, x -> new Thread(x, "poller").start());
            awaitPolling("poller");
            p.send("second");
            assertEquals(1, polled.get(WAIT_S, TimeUnit.SECONDS), "the poll saw data arrive");
            assertEquals("second", readText(s, p.fd, 6));
            p.peer.shutdownOutput();
            pf[0].revents = 0;
            assertEquals(1, s.poll(pf, (int) TimeUnit.SECONDS.toMillis(WAIT_S)), "end of stream is readable");
            assertEquals("", readText(s, p.fd, 1));
            s.close(p.fd);
        }
    }

    @Test
    void anUpcallInstalledAfterReadersTookTheInputFires(Kernel k) throws Exception {
        Syscalls s = k.syscalls();
        try (Pair p = new Pair(s)) {
            readOnce(k, p, "first");
            Socket so = socketOf(k, p.fd);
            CountDownLatch fired = new CountDownLatch(1);
            AtomicInteger queued = new AtomicInteger();
            so.setUpcall((x, ev) -> {
                if ((ev & Poll.POLLIN) != 0 && x.rcv.cc() > 0) {
                    queued.set(x.rcv.cc());
                    fired.countDown();
                }
            });
            p.send("GET / HTTP/1.0\r\n\r\n");
            assertTrue(fired.await(WAIT_S, TimeUnit.SECONDS), "the upcall saw the request arrive unread");
            assertEquals(18, queued.get());
            so.setUpcall(null);
            assertEquals("GET / HTTP/1.0\r\n\r\n", readText(s, p.fd, 18));
            readOnce(k, p, "and readers may take the input again");
            s.close(p.fd);
        }
    }

    private static Socket socketOf(Kernel k, int fd) throws ErrnoException {
        KFile fp = k.proc1().files().get(fd);
        try {
            return (Socket) fp.data();
        } finally {
            k.proc1().files().put(fp);
        }
    }

    @Test
    void aReceiveTimeoutEndsTheHostWait(Kernel k) throws Exception {
        Syscalls s = k.syscalls();
        try (Pair p = new Pair(s)) {
            s.setsockopt(p.fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 100);
            long before = sockin(k).readerHostWaits();
            ErrnoException e = assertThrows(ErrnoException.class, () -> s.read(p.fd, ByteBuffer.allocate(8)));
            assertEquals(Errno.EAGAIN, e.errno());
            assertTrue(sockin(k).readerHostWaits() > before, "the reader waited on its host socket");
            p.send("late");
            assertEquals("late", readText(s, p.fd, 4), "the connection still works");
            s.close(p.fd);
        }
    }

    @Test
    void nonBlockingReadsFindDataNobodyDeliveredUnasked(Kernel k) throws Exception {
        Syscalls s = k.syscalls();
        try (Pair p = new Pair(s)) {
            readOnce(k, p, "blocking");
            s.fcntl(p.fd, Syscalls.F_SETFL, s.fcntl(p.fd, Syscalls.F_GETFL, 0) | KFile.O_NONBLOCK);
            ErrnoException e = assertThrows(ErrnoException.class, () -> s.read(p.fd, ByteBuffer.allocate(8)));
            assertEquals(Errno.EAGAIN, e.errno());
            p.send("then not");
            ByteBuffer b = ByteBuffer.allocate(8);
            Probes.awaitChecked("the data, read without blocking", () -> {
                try {
                    s.read(p.fd, b);
                } catch (ErrnoException again) {
                    assertEquals(Errno.EAGAIN, again.errno());
                }
                return !b.hasRemaining();
            });
            assertEquals("then not", new String(b.array(), StandardCharsets.UTF_8));
            int[] n = new int[1];
            p.send("xyz");
            Probes.awaitChecked("FIONREAD counting what arrived", () -> {
                s.ioctl(p.fd, SocketDefs.FIONREAD, n);
                return n[0] == 3;
            });
            s.close(p.fd);
        }
    }

    @Test
    void twoReadersOfOneSocketEachGetData(Kernel k) throws Exception {
        Syscalls s = k.syscalls();
        try (Pair p = new Pair(s)) {
            long before = sockin(k).readerHostWaits();
            CompletableFuture<String> r1 = readAsync(s, p.fd, 1);
            awaitHostWait(k, before);
            CompletableFuture<String> r2 = readAsync(s, p.fd, 1);
            // the second reader sleeps on the buffer, since the first one owns the host wait
            Probes.await("the second reader asleep on the receive buffer", () -> threads("reader")
                    .anyMatch(t -> Probes.parked(t) && inside(t, SockinReaderWait.class, "sleep")));
            p.send("x");
            CompletableFuture<Object> first = CompletableFuture.anyOf(r1, r2);
            assertEquals("x", first.get(WAIT_S, TimeUnit.SECONDS));
            p.send("y");
            // one byte for each reader: the other one was not ended without data, nor stranded
            assertEquals(List.of("x", "y"), Stream.of(r1.get(WAIT_S, TimeUnit.SECONDS), r2.get(WAIT_S, TimeUnit.SECONDS))
                    .sorted().toList());
            s.close(p.fd);
        }
    }

    /**
     * Starts a thread that writes {@code data} from the host peer and then shuts its side down: in 64 KB
     * writes, or with {@code rnd} in writes of 1 to 40,000 bytes, now and then waiting until the reader
     * has taken everything written ({@code taken}), so that its next read finds the host empty.
     */
    private static Thread hostWriter(Pair p, byte[] data, SplittableRandom rnd, AtomicInteger taken) {
        Thread writer = new Thread(() -> {
            try {
                for (int off = 0; off < data.length; ) {
                    int n = Math.min(data.length - off, rnd == null ? 65536 : 1 + rnd.nextInt(40_000));
                    p.out.write(data, off, n);
                    off += n;
                    if (rnd != null && rnd.nextInt(4) == 0) {
                        int written = off;
                        Probes.await("the reader taking what was written", () -> taken.get() >= written);
                    }
                }
            } catch (Exception | AssertionError e) {
                // the reader's check fails on the short stream
            } finally {
                try {
                    p.peer.shutdownOutput();
                } catch (java.io.IOException e) {
                    // the peer is closed already
                }
            }
        }, "host writer");
        writer.start();
        return writer;
    }

    /**
     * A lone blocking reader of a bulk stream gets the host's bytes in its own buffer without their passing
     * through the receive buffer (one copy, as a plain host socket makes), in order, up to end of stream.
     */
    @Test
    void aLoneBulkReaderTakesTheHostsBytesStraightIntoItsBuffer(Kernel k) throws Exception {
        Syscalls s = k.syscalls();
        byte[] data = new byte[4 << 20];
        new SplittableRandom(12).nextBytes(data);
        try (Pair p = new Pair(s)) {
            long direct = sockin(k).directReadBytes();
            Thread writer = hostWriter(p, data, null, null);
            byte[] got = new byte[data.length + 1];
            int at = 0;
            int n;
            while ((n = s.read(p.fd, ByteBuffer.wrap(got, at, Math.min(65536, got.length - at)))) > 0) {
                at += n;
            }
            writer.join(TimeUnit.SECONDS.toMillis(WAIT_S));
            assertEquals(data.length, at, "every byte, then end of stream");
            assertArrayEquals(data, Arrays.copyOf(got, at));
            long took = sockin(k).directReadBytes() - direct;
            assertTrue(took >= data.length / 2, "only " + took + " of " + data.length
                    + " bytes went from the host straight to the reader");
            s.close(p.fd);
        }
    }

    @Test
    void mixedReadsKeepEveryByteInOrder(Kernel k) throws Exception {
        Syscalls s = k.syscalls();
        byte[] data = new byte[2 << 20];
        new SplittableRandom(8).nextBytes(data);
        try (Pair p = new Pair(s)) {
            AtomicInteger taken = new AtomicInteger();
            Thread writer = hostWriter(p, data, new SplittableRandom(9), taken);
            byte[] got = new byte[data.length + 1];
            int at = 0;
            SplittableRandom rnd = new SplittableRandom(10);
            PollFd[] pf = {new PollFd(p.fd, Poll.POLLIN)};
            for (int round = 0; ; round++) {
                int mode = rnd.nextInt(3);
                if (mode == 1) {
                    assertEquals(1, s.poll(pf, (int) TimeUnit.SECONDS.toMillis(WAIT_S)), "poll in round " + round);
                }
                ByteBuffer b = ByteBuffer.wrap(got, at, Math.min(got.length - at, 1 + rnd.nextInt(70_000)));
                int n;
                if (mode == 2) {
                    try {
                        n = s.recvfrom(p.fd, b, SocketDefs.MSG_DONTWAIT, null);
                    } catch (ErrnoException e) {
                        assertEquals(Errno.EAGAIN, e.errno());
                        continue;
                    }
                } else {
                    n = s.read(p.fd, b);
                }
                if (n == 0) {
                    break;
                }
                at += n;
                taken.set(at);
            }
            writer.join(TimeUnit.SECONDS.toMillis(WAIT_S));
            assertEquals(data.length, at);
            assertArrayEquals(data, Arrays.copyOf(got, at));
            s.close(p.fd);
        }
    }
}
