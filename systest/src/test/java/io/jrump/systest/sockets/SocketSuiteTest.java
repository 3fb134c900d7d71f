package io.jrump.systest.sockets;

import static io.jrump.systest.sockets.InetKernel.errno;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.Errno;
import io.jrump.kern.file.PollFd;
import io.jrump.kern.file.Poll;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.rumpnet.socket.Socket;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The socket behaviour a program sees, run against both interchangeable inet implementations:
 * {@code rumpnet_sockin} (host sockets) and {@code rumpnet_netinet} (the kernel's own TCP/IP). A
 * program must not be able to tell them apart by what its system calls return, so every case is the
 * same code for both, with a client and a server socket in one kernel over 127.0.0.1.
 */
class SocketSuiteTest {
    /**
     * Runs a case once per inet implementation, netinet in both receive modes (eager, and Lazy Receiver
     * Processing: "netinet-lrp"); the argument names it (see {@link InetKernel}).
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sockin", "netinet", "netinet-lrp"})
    @interface BothInets {
    }


    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Runs an echo server for one connection on its own thread: reads until end of stream, writes back, closes. */
    private static Thread echo(InetKernel k, int fd, List<Throwable> failures) {
        Thread t = new Thread(() -> {
            ByteBuffer b = ByteBuffer.allocate(16 * 1024);
            try {
                for (;;) {
                    b.clear();
                    if (k.sys.read(fd, b) == 0) {
                        break;
                    }
                    b.flip();
                    while (b.hasRemaining()) {
                        k.sys.write(fd, b);
                    }
                }
                k.sys.close(fd);
            } catch (Throwable e) {
                failures.add(e);
            }
        }, "echo " + fd);
        t.start();
        return t;
    }

    @BothInets
    void echoReturnsEveryByteInOrder(String impl) throws Exception {
        try (InetKernel k = new InetKernel(impl)) {
            Syscalls s = k.sys;
            SockAddr at = new SockAddr();
            int l = k.listener(at);
            int c = k.tcp();
            s.connect(c, at);
            SockAddr from = new SockAddr();
            int a = s.accept(l, from);
            SockAddr mine = new SockAddr();
            s.getsockname(c, mine);
            assertEquals(mine, from, "accept reports the client's address");
            SockAddr peer = new SockAddr();
            s.getpeername(c, peer);
            assertEquals(at, peer);
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            Thread server = echo(k, a, failures);
            byte[] data = random(1 << 20, 1);
            Thread writer = new Thread(() -> {
                try {
                    k.writeAll(c, data);
                    s.shutdown(c, SocketDefs.SHUT_WR);
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            writer.start();
            byte[] back = k.readFully(c, data.length + 1);
            writer.join();
            server.join();
            assertEquals(List.of(), failures);
            assertArrayEquals(data, back, "the echo is the data, then end of stream");
            s.close(c);
            s.close(l);
        }
    }

    @BothInets
    void manyConcurrentConnectionsEachGetTheirOwnBytesBack(String impl) throws Exception {
        int conns = 24;
        try (InetKernel k = new InetKernel(impl)) {
            Syscalls s = k.sys;
            SockAddr at = new SockAddr();
            int l = k.listener(at);
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            List<Thread> servers = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    for (int i = 0; i < conns; i++) {
                        servers.add(echo(k, s.accept(l, null), failures));
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            acceptor.start();
            AtomicInteger ok = new AtomicInteger();
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < conns; i++) {
                int seed = i;
                Thread t = new Thread(() -> {
                    try {
                        byte[] data = random(40_000 + seed * 1000, seed);
                        int c = k.tcp();
                        s.connect(c, at);
                        for (int off = 0; off < data.length; off += 10_000) {
                            int n = Math.min(10_000, data.length - off);
                            k.writeAll(c, Arrays.copyOfRange(data, off, off + n));
                            assertArrayEquals(Arrays.copyOfRange(data, off, off + n), k.readFully(c, n));
                        }
                        s.shutdown(c, SocketDefs.SHUT_WR);
                        assertEquals(0, k.readFully(c, 1).length, "end of stream after the echo");
                        s.close(c);
                        ok.incrementAndGet();
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                t.start();
                clients.add(t);
            }
            for (Thread t : clients) {
                t.join();
            }
            acceptor.join();
            for (Thread t : servers) {
                t.join();
            }
            assertEquals(List.of(), failures);
            assertEquals(conns, ok.get());
            s.close(l);
        }
    }

    @BothInets
    void halfCloseLetsThePeerAnswerAfterEndOfStream(String impl) throws Exception {
        try (InetKernel k = new InetKernel(impl)) {
            Syscalls s = k.sys;
            SockAddr at = new SockAddr();
            int l = k.listener(at);
            int c = k.tcp();
            s.connect(c, at);
            int a = s.accept(l, null);
            k.writeAll(c, "question".getBytes(StandardCharsets.UTF_8));
            s.shutdown(c, SocketDefs.SHUT_WR);
            assertEquals("question", str(k.readFully(a, 100)), "the server reads the request, then end of stream");
            assertEquals(Errno.EPIPE, errno(() -> s.write(c, text("more"))), "the client's write side is shut");
            k.writeAll(a, "answer".getBytes(StandardCharsets.UTF_8));
            s.close(a);
            assertEquals("answer", str(k.readFully(c, 100)), "the client still reads after its own shutdown");
            s.close(c);
            s.close(l);
        }
    }

    @BothInets
    void connectingWhereNothingListensIsRefused(String impl) throws Exception {
        try (InetKernel k = new InetKernel(impl)) {
            int port = k.unusedPort();
            int c = k.tcp();
            assertEquals(Errno.ECONNREFUSED, errno(() -> k.sys.connect(c, SockAddr.in("127.0.0.1", port))));
            k.sys.close(c);
        }
    }

    @BothInets
    void anAbortedPeerResetsTheConnection(String impl) throws Exception {
        try (InetKernel k = new InetKernel(impl)) {
            Syscalls s = k.sys;
            SockAddr at = new SockAddr();
            int l = k.listener(at);
            int c = k.tcp();
            s.connect(c, at);
            int a = s.accept(l, null);
            s.setsockopt(a, SocketDefs.SOL_SOCKET, SocketDefs.SO_LINGER, 0);
            s.close(a);
            ByteBuffer b = ByteBuffer.allocate(10);
            assertEquals(Errno.ECONNRESET, errno(() -> s.read(c, b)), "a read after the peer's RST");
            assertEquals(0, s.read(c, b), "the reset is reported once, then the connection is over");
            assertEquals(Errno.EPIPE, errno(() -> s.write(c, text("x"))));
            s.close(c);
            s.close(l);
        }
    }

    @BothInets
    void nonBlockingConnectCompletesInTheBackground(String impl) throws Exception {
        try (InetKernel k = new InetKernel(impl)) {
            Syscalls s = k.sys;
            SockAddr at = new SockAddr();
            int l = k.listener(at);
            int c = k.tcp();
            k.setNonBlocking(c);
            int e = errno(() -> s.connect(c, at));
            assertTrue(e == 0 || e == Errno.EINPROGRESS, "connect: " + InetKernel.name(e));
            PollFd[] fds = {new PollFd(c, Poll.POLLOUT)};
            assertEquals(1, s.poll(fds, 10_000));
            assertTrue((fds[0].revents & Poll.POLLOUT) != 0);
            assertEquals(0, s.getsockopt(c, SocketDefs.SOL_SOCKET, SocketDefs.SO_ERROR));
            assertEquals(Errno.EISCONN, errno(() -> s.connect(c, at)));
            int a = s.accept(l, null);
            k.writeAll(c, "hi".getBytes(StandardCharsets.UTF_8));
            assertEquals("hi", str(k.readFully(a, 2)));
            ByteBuffer b = ByteBuffer.allocate(10);
            assertEquals(Errno.EAGAIN, errno(() -> s.read(c, b)), "nothing to read on a non-blocking socket");

            int port = k.unusedPort();
            int r = k.tcp();
            k.setNonBlocking(r);
            e = errno(() -> s.connect(r, SockAddr.in("127.0.0.1", port)));
            if (e == Errno.EINPROGRESS) {
                PollFd[] rf = {new PollFd(r, Poll.POLLOUT)};
                assertEquals(1, s.poll(rf, 10_000));
                e = s.getsockopt(r, SocketDefs.SOL_SOCKET, SocketDefs.SO_ERROR);
            }
            assertEquals(Errno.ECONNREFUSED, e, "refused, at once or through SO_ERROR");
            s.close(r);
            s.close(a);
            s.close(c);
            s.close(l);
        }
    }

    @BothInets
    void udpExchangeCarriesAddressesAndKeepsDatagramsWhole(String impl) throws Exception {
        try (InetKernel k = new InetKernel(impl)) {
            Syscalls s = k.sys;
            int server = k.udp();
            s.bind(server, SockAddr.in("127.0.0.1", 0));
            SockAddr at = new SockAddr();
            s.getsockname(server, at);
            int client = k.udp();
            assertEquals(5, s.sendto(client, text("hello"), 0, at));
            assertEquals(3, s.sendto(client, text("abc"), 0, at));
            ByteBuffer b = ByteBuffer.allocate(100);
            SockAddr from = new SockAddr();
            assertEquals(5, s.recvfrom(server, b, 0, from));
            assertEquals("hello", str(Arrays.copyOf(b.array(), 5)));
            SockAddr mine = new SockAddr();
            s.getsockname(client, mine);
            assertEquals(mine.port, from.port, "the sender's address comes with the datagram");
            assertEquals("127.0.0.1", SockAddr.format(from.addr));
            ByteBuffer small = ByteBuffer.allocate(2);
            assertEquals(2, s.recvfrom(server, small, 0, null), "a short buffer truncates the datagram");
            s.sendto(server, text("reply"), 0, from);
            b.clear();
            assertEquals(5, s.recvfrom(client, b, 0, null));
            assertEquals("reply", str(Arrays.copyOf(b.array(), 5)));

            s.connect(client, at);
            SockAddr peer = new SockAddr();
            s.getpeername(client, peer);
            assertEquals(at, peer);
            assertEquals(Errno.EISCONN, errno(() -> s.sendto(client, text("x"), 0, at)));
            assertEquals(4, s.write(client, text("once")));
            b.clear();
            assertEquals(4, s.read(server, b));

            int twin = k.udp();
            assertEquals(Errno.EADDRINUSE, errno(() -> s.bind(twin, at)), "the port is taken");
            s.close(twin);
            s.close(client);
            s.close(server);
        }
    }

    @BothInets
    void pollReportsReadinessAsItHappens(String impl) throws Exception {
        try (InetKernel k = new InetKernel(impl)) {
            Syscalls s = k.sys;
            SockAddr at = new SockAddr();
            int l = k.listener(at);
            PollFd[] lf = {new PollFd(l, Poll.POLLIN)};
            assertEquals(0, s.poll(lf, 0), "no connection yet");
            int c = k.tcp();
            s.connect(c, at);
            assertEquals(1, s.poll(lf, 10_000), "a connection to accept");
            assertEquals(Poll.POLLIN, lf[0].revents & Poll.POLLIN);
            int a = s.accept(l, null);
            PollFd[] af = {new PollFd(a, Poll.POLLIN | Poll.POLLOUT)};
            assertEquals(1, s.poll(af, 10_000));
            assertEquals(Poll.POLLOUT, af[0].revents & (Poll.POLLIN | Poll.POLLOUT), "writable, nothing to read");
            k.writeAll(c, "x".getBytes(StandardCharsets.UTF_8));
            PollFd[] rf = {new PollFd(a, Poll.POLLIN)};
            assertEquals(1, s.poll(rf, 10_000));
            assertEquals(Poll.POLLIN, rf[0].revents & Poll.POLLIN, "data arrived");
            assertEquals("x", str(k.readFully(a, 1)));
            rf[0].revents = 0;
            assertEquals(0, s.poll(rf, 0), "drained");
            s.close(c);
            assertEquals(1, s.poll(rf, 10_000), "end of stream is readable");
            assertEquals(0, k.readFully(a, 1).length);

            int u = k.udp();
            s.bind(u, SockAddr.in("127.0.0.1", 0));
            SockAddr uat = new SockAddr();
            s.getsockname(u, uat);
            PollFd[] uf = {new PollFd(u, Poll.POLLIN)};
            assertEquals(0, s.poll(uf, 0));
            int v = k.udp();
            s.sendto(v, text("d"), 0, uat);
            assertEquals(1, s.poll(uf, 10_000), "a datagram arrived");
            s.close(v);
            s.close(u);
            s.close(a);
            s.close(l);
        }
    }

    @BothInets
    void theUpcallFiresWhenStreamDataArrives(String impl) throws Exception {
        try (InetKernel k = new InetKernel(impl)) {
            Syscalls s = k.sys;
            SockAddr at = new SockAddr();
            int l = k.listener(at);
            int c = k.tcp();
            s.connect(c, at);
            int a = s.accept(l, null);
            Socket so = k.socketOf(a);
            CountDownLatch fired = new CountDownLatch(1);
            AtomicInteger queued = new AtomicInteger();
            so.setUpcall((x, ev) -> {
                if ((ev & Poll.POLLIN) != 0 && x.rcv.cc() > 0) {
                    queued.set(x.rcv.cc());
                    fired.countDown();
                }
            });
            k.writeAll(c, "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.UTF_8));
            assertTrue(fired.await(10, TimeUnit.SECONDS), "the upcall saw the request arrive");
            assertTrue(queued.get() > 0);
            so.setUpcall(null);
            assertEquals("GET / HTTP/1.0\r\n\r\n", str(k.readFully(a, 18)));
            s.close(a);
            s.close(c);
            s.close(l);
        }
    }
}
