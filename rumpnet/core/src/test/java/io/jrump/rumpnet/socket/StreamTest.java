package io.jrump.rumpnet.socket;

import static io.jrump.hypercall.Errno.*;
import static io.jrump.rumpnet.socket.Sk.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.ManualClock;
import io.jrump.kern.file.KFile;
import io.jrump.kern.Kernel;
import io.jrump.kern.file.Poll;
import io.jrump.kern.file.PollFd;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.testkit.RumpKernel;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

@RumpKernel(components = "rumpnet")
class StreamTest {
    private static final int SOL = SocketDefs.SOL_SOCKET;

    @Test
    void connectAndAcceptPairTwoSockets(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int lis = s.socket(AF, STREAM, 0);
        s.bind(lis, port(80));
        s.listen(lis, 5);
        assertEquals(1, s.getsockopt(lis, SOL, SocketDefs.SO_ACCEPTCONN));
        int c = s.socket(AF, STREAM, 0);
        assertEquals(0, s.getsockopt(c, SOL, SocketDefs.SO_ACCEPTCONN));
        s.connect(c, port(80));
        SockAddr from = new SockAddr();
        int a = s.accept(lis, from);
        SockAddr cname = new SockAddr();
        s.getsockname(c, cname);
        assertEquals(cname, from, "accept reports the client's address");
        SockAddr peer = new SockAddr();
        s.getpeername(c, peer);
        assertEquals(port(80), peer);
        assertEquals(0, s.fcntl(a, Syscalls.F_GETFL, 0) & KFile.O_NONBLOCK);

        assertEquals(5, s.write(c, bytes("hello")));
        ByteBuffer b = ByteBuffer.allocate(16);
        assertEquals(5, s.read(a, b));
        assertEquals("hello", str(b));
        assertErrno(EISCONN, () -> s.connect(c, port(80)));
        assertErrno(EINVAL, () -> s.connect(lis, port(80)));
        assertErrno(EINVAL, () -> s.listen(c, 5));
        assertErrno(EINVAL, () -> s.accept(c, null));
        s.close(a);
        s.close(c);
        s.close(lis);
    }

    @Test
    void anUnconnectedStreamIsEnotconn(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int c = s.socket(AF, STREAM, 0);
        assertErrno(ENOTCONN, () -> s.recvfrom(c, ByteBuffer.allocate(4), 0, null));
        assertErrno(ENOTCONN, () -> s.sendto(c, bytes("x"), 0, null));
        assertErrno(ENOTCONN, () -> s.getpeername(c, new SockAddr()));
        assertErrno(EINVAL, () -> s.sendto(c, bytes("x"), SocketDefs.MSG_EOR, null));
        s.close(c);
    }

    @Test
    void acceptOnANonBlockingListenerWithNothingQueuedIsEagain(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int lis = s.socket(AF, STREAM | SocketDefs.SOCK_NONBLOCK, 0);
        s.bind(lis, port(81));
        s.listen(lis, 5);
        assertErrno(EAGAIN, () -> s.accept(lis, null));
        int c = s.socket(AF, STREAM, 0);
        s.connect(c, port(81));
        int a = s.accept(lis, null);
        assertEquals(0, s.fcntl(a, Syscalls.F_GETFL, 0) & KFile.O_NONBLOCK, "the accepted socket blocks");
        assertErrno(EAGAIN, () -> s.accept(lis, null));
        s.close(a);
        s.close(c);
        s.close(lis);
    }

    @Test
    void sonewconnReturnsNullWhenTheQueueIsFull(Kernel k) throws Exception {
        LoopDomain d = LoopDomain.install(k);
        Syscalls s = k.syscalls();
        Sockets sockets = k.service(Sockets.class);
        int lis = s.socket(AF, STREAM, 0);
        s.bind(lis, port(82));
        s.listen(lis, 1);
        Socket head = socketOf(k, lis);
        assertEquals(1, head.qlimit());
        head.lock().enter();
        try {
            Socket a = Socket.sonewconn(head);
            Socket b = Socket.sonewconn(head, true);
            assertNotNull(a);
            assertNotNull(b);
            assertTrue(head.listenQueueFull());
            assertNull(Socket.sonewconn(head), "1 + 1/2 of the backlog is queued");
            assertEquals(1, head.q0len());
            assertEquals(1, head.qlen());
            assertEquals(head, a.head());
            assertTrue(a.hasState(Socket.SS_NOFDREF));
        } finally {
            head.lock().exit();
        }
        assertEquals(1, head.listenDrops());
        assertEquals(1, sockets.listenDrops());
        assertEquals(3, sockets.count());
        s.close(lis);
        assertEquals(0, sockets.count(), "closing the listener aborted its queued connections");

        int lis2 = s.socket(AF, STREAM, 0);
        s.bind(lis2, port(83));
        s.listen(lis2, 0);
        s.setsockopt(lis2, SOL, SocketDefs.SO_RCVBUF, 1000);
        int c1 = s.socket(AF, STREAM, 0);
        s.connect(c1, port(83));
        int c2 = s.socket(AF, STREAM, 0);
        assertErrno(ECONNREFUSED, () -> s.connect(c2, port(83)));
        int a = s.accept(lis2, null);
        assertEquals(1000, s.getsockopt(a, SOL, SocketDefs.SO_RCVBUF), "a connection inherits the listener's buffers");
        assertEquals(d.streamPorts.get(83), socketOf(k, lis2));
        for (int fd : new int[] {a, c1, c2, lis2}) {
            s.close(fd);
        }
    }

    @Test
    void aFullSendBufferBlocksUntilTheReaderDrainsIt(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int[] p = streamPair(s, 84);
        int c = p[1];
        int a = p[2];
        ByteBuffer all = Sk.pattern(20000, 3);
        all.limit(10000);
        s.ioctl(c, SocketDefs.FIONBIO, new int[] {1});
        int first = s.sendto(c, all, 0, null);
        assertEquals(2 * LoopDomain.STREAM_BUF, first, "the peer's receive buffer and our send buffer");
        assertEquals(first, all.position());
        assertErrno(EAGAIN, () -> s.sendto(c, all, 0, null));
        assertEquals(first, all.position());
        s.ioctl(c, SocketDefs.FIONBIO, new int[] {0});

        all.limit(20000);
        AtomicReference<Throwable> err = new AtomicReference<>();
        AtomicInteger sent = new AtomicInteger();
        Thread w = start("writer", () -> sent.set(s.sendto(c, all, 0, null)), err);
        awaitBlocked(w);
        byte[] got = readFully(s, a, 20000);
        w.join(10_000);
        assertNull(err.get());
        assertEquals(20000 - first, sent.get());
        assertArrayEquals(Sk.pattern(20000, 3).array(), got);
        for (int fd : p) {
            s.close(fd);
        }
    }

    @Test
    void msgWaitallWaitsForTheWholeCount(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int[] p = streamPair(s, 85);
        AtomicReference<Throwable> err = new AtomicReference<>();
        AtomicInteger got = new AtomicInteger();
        ByteBuffer dst = ByteBuffer.allocate(6000);
        Thread r = start("reader", () -> got.set(s.recvfrom(p[2], dst, SocketDefs.MSG_WAITALL, null)), err);
        ByteBuffer src = Sk.pattern(6000, 9);
        for (int i = 0; i < 3; i++) {
            awaitBlocked(r);
            src.limit((i + 1) * 2000);
            s.write(p[1], src);
        }
        r.join(10_000);
        assertNull(err.get());
        assertEquals(6000, got.get());
        assertArrayEquals(Sk.pattern(6000, 9).array(), dst.array());

        s.write(p[1], bytes("ab"));
        s.shutdown(p[1], SocketDefs.SHUT_WR);
        ByteBuffer b = ByteBuffer.allocate(10);
        assertEquals(2, s.recvfrom(p[2], b, SocketDefs.MSG_WAITALL, null), "end of stream ends the wait");
        for (int fd : p) {
            s.close(fd);
        }
    }

    @Test
    void msgPeekOnAStream(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int[] p = streamPair(s, 86);
        s.write(p[1], bytes("abc"));
        s.write(p[1], bytes("def"));
        ByteBuffer b = ByteBuffer.allocate(4);
        assertEquals(4, s.recvfrom(p[2], b, SocketDefs.MSG_PEEK, null));
        assertEquals("abcd", str(b));
        b = ByteBuffer.allocate(16);
        assertEquals(6, s.recvfrom(p[2], b, 0, null));
        assertEquals("abcdef", str(b));
        for (int fd : p) {
            s.close(fd);
        }
    }

    @Test
    void shutdownWriteGivesThePeerEofAndTheWriterEpipe(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int[] p = streamPair(s, 87);
        s.write(p[1], bytes("last words"));
        s.shutdown(p[1], SocketDefs.SHUT_WR);
        assertErrno(EPIPE, () -> s.write(p[1], bytes("more")));
        assertErrno(EPIPE, () -> s.sendto(p[1], bytes("more"), SocketDefs.MSG_NOSIGNAL, null));
        ByteBuffer b = ByteBuffer.allocate(64);
        assertEquals(10, s.read(p[2], b));
        assertEquals("last words", str(b));
        b.clear();
        assertEquals(0, s.read(p[2], b));
        assertEquals(0, s.read(p[2], b), "end of stream stays");

        s.write(p[2], bytes("reply"));
        b.clear();
        assertEquals(5, s.read(p[1], b), "the other direction still works");
        s.shutdown(p[1], SocketDefs.SHUT_RD);
        b.clear();
        assertEquals(0, s.read(p[1], b));
        for (int fd : p) {
            s.close(fd);
        }
    }

    @Test
    void streamWritesAreCutAtTheProtocolsSegmentSize(Kernel k) throws Exception {
        LoopDomain d = LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int[] p = streamPair(s, 88);
        d.segmentSize = 1000;
        d.streamSends.clear();
        assertEquals(3500, s.write(p[1], Sk.pattern(3500, 1)));
        assertEquals(List.of(1000, 1000, 1000, 500), d.streamSends);
        assertArrayEquals(Sk.pattern(3500, 1).array(), readFully(s, p[2], 3500));
        for (int fd : p) {
            s.close(fd);
        }
    }

    @Test
    void nonBlockingConnectIsEinprogressThenWritable(Kernel k) throws Exception {
        LoopDomain d = LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int lis = s.socket(AF, STREAM, 0);
        s.bind(lis, port(89));
        s.listen(lis, 5);
        int c = s.socket(AF, STREAM | SocketDefs.SOCK_NONBLOCK, 0);
        d.hold = true;
        assertErrno(EINPROGRESS, () -> s.connect(c, port(89)));
        assertErrno(EALREADY, () -> s.connect(c, port(89)));
        PollFd[] pf = {new PollFd(c, Poll.POLLOUT)};
        assertEquals(0, s.poll(pf, 0), "not writable while connecting");
        d.release();
        assertEquals(1, s.poll(pf, 1000));
        assertEquals(Poll.POLLOUT, pf[0].revents);
        assertEquals(0, s.getsockopt(c, SOL, SocketDefs.SO_ERROR));
        int a = s.accept(lis, null);
        s.close(a);
        s.close(c);
        s.close(lis);
    }

    @Test
    void aRefusedConnectionIsReportedOnceThroughSoError(Kernel k) throws Exception {
        LoopDomain d = LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int c = s.socket(AF, STREAM | SocketDefs.SOCK_NONBLOCK, 0);
        d.hold = true;
        assertErrno(EINPROGRESS, () -> s.connect(c, port(90)));
        d.release();
        PollFd[] pf = {new PollFd(c, Poll.POLLOUT)};
        assertEquals(1, s.poll(pf, 1000));
        assertTrue((pf[0].revents & Poll.POLLERR) != 0);
        assertTrue((pf[0].revents & Poll.POLLOUT) != 0);
        assertEquals(ECONNREFUSED, s.getsockopt(c, SOL, SocketDefs.SO_ERROR));
        assertEquals(0, s.getsockopt(c, SOL, SocketDefs.SO_ERROR), "reported once");
        assertEquals(1, s.poll(pf, 0));
        assertEquals(Poll.POLLHUP, pf[0].revents);

        int b = s.socket(AF, STREAM, 0);
        assertErrno(ECONNREFUSED, () -> s.connect(b, port(90)));
        s.close(b);
        s.close(c);
    }

    @Test
    void pollSeesConnectionsDataSpaceAndHangup(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int lis = s.socket(AF, STREAM, 0);
        s.bind(lis, port(91));
        s.listen(lis, 5);
        PollFd[] pl = {new PollFd(lis, Poll.POLLIN)};
        assertEquals(0, s.poll(pl, 0));
        AtomicReference<Throwable> err = new AtomicReference<>();
        AtomicInteger ready = new AtomicInteger();
        Thread t = start("acceptor poll", () -> ready.set(s.poll(new PollFd[] {new PollFd(lis, Poll.POLLIN)}, -1)), err);
        awaitBlocked(t);
        int c = s.socket(AF, STREAM, 0);
        s.connect(c, port(91));
        t.join(10_000);
        assertEquals(1, ready.get(), "a queued connection makes the listener readable");
        int a = s.accept(lis, null);
        assertEquals(0, s.poll(pl, 0));

        PollFd[] pa = {new PollFd(a, Poll.POLLIN | Poll.POLLOUT)};
        assertEquals(1, s.poll(pa, 0));
        assertEquals(Poll.POLLOUT, pa[0].revents);
        s.write(c, bytes("x"));
        s.poll(pa, 0);
        assertEquals(Poll.POLLIN | Poll.POLLOUT, pa[0].revents);
        int[] n = new int[1];
        s.ioctl(a, SocketDefs.FIONREAD, n);
        assertEquals(1, n[0]);

        s.ioctl(c, SocketDefs.FIONBIO, new int[] {1});
        ByteBuffer big = ByteBuffer.allocate(3 * LoopDomain.STREAM_BUF);
        s.write(c, big);
        PollFd[] pc = {new PollFd(c, Poll.POLLOUT)};
        assertEquals(0, s.poll(pc, 0), "full buffers are not writable");
        s.ioctl(a, SocketDefs.FIONREAD, n);
        assertEquals(LoopDomain.STREAM_BUF, n[0]);
        readFully(s, a, LoopDomain.STREAM_BUF);
        assertEquals(1, s.poll(pc, 0));
        assertEquals(Poll.POLLOUT, pc[0].revents);

        s.close(c);
        s.poll(pa, 0);
        assertTrue((pa[0].revents & Poll.POLLHUP) != 0, "peer gone: " + pa[0].revents);
        assertTrue((pa[0].revents & Poll.POLLIN) != 0);
        assertEquals(0, pa[0].revents & Poll.POLLOUT);
        s.close(a);
        s.close(lis);
    }

    @Test
    void soErrorAndLingerZeroResetThePeer(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int[] p = streamPair(s, 92);
        s.setsockopt(p[1], SOL, SocketDefs.SO_LINGER, 0);
        assertEquals(0, s.getsockopt(p[1], SOL, SocketDefs.SO_LINGER));
        assertEquals(-1, s.getsockopt(p[2], SOL, SocketDefs.SO_LINGER));
        s.close(p[1]);
        ByteBuffer b = ByteBuffer.allocate(8);
        assertErrno(ECONNRESET, () -> s.read(p[2], b));
        assertEquals(0, s.read(p[2], b), "then end of stream");
        assertErrno(EPIPE, () -> s.write(p[2], bytes("x")));
        s.close(p[2]);
        s.close(p[0]);
    }

    @Test
    void closingAListenerAbortsItsQueuedConnections(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int lis = s.socket(AF, STREAM, 0);
        s.bind(lis, port(93));
        s.listen(lis, 5);
        int c = s.socket(AF, STREAM, 0);
        s.connect(c, port(93));
        s.close(lis);
        assertErrno(ECONNRESET, () -> s.read(c, ByteBuffer.allocate(4)));
        s.close(c);
        assertEquals(0, k.service(Sockets.class).count());
    }

    @Test
    void socketOptionsAtSolSocket(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int fd = s.socket(AF, STREAM, 0);
        for (int opt : new int[] {SocketDefs.SO_REUSEADDR, SocketDefs.SO_REUSEPORT, SocketDefs.SO_KEEPALIVE,
                SocketDefs.SO_BROADCAST, SocketDefs.SO_DONTROUTE, SocketDefs.SO_OOBINLINE}) {
            assertEquals(0, s.getsockopt(fd, SOL, opt));
            s.setsockopt(fd, SOL, opt, 1);
            assertEquals(1, s.getsockopt(fd, SOL, opt));
            s.setsockopt(fd, SOL, opt, 0);
            assertEquals(0, s.getsockopt(fd, SOL, opt));
        }
        s.setsockopt(fd, SOL, SocketDefs.SO_LINGER, 5);
        assertEquals(5, s.getsockopt(fd, SOL, SocketDefs.SO_LINGER));
        s.setsockopt(fd, SOL, SocketDefs.SO_LINGER, -1);
        assertEquals(-1, s.getsockopt(fd, SOL, SocketDefs.SO_LINGER));
        s.setsockopt(fd, SOL, SocketDefs.SO_SNDTIMEO, 1500);
        assertEquals(1500, s.getsockopt(fd, SOL, SocketDefs.SO_SNDTIMEO));
        assertEquals(STREAM, s.getsockopt(fd, SOL, SocketDefs.SO_TYPE));
        assertErrno(ENOPROTOOPT, () -> s.setsockopt(fd, SOL, SocketDefs.SO_TYPE, 1));
        assertErrno(ENOPROTOOPT, () -> s.setsockopt(fd, SOL, 0x7777, 1));
        assertErrno(ENOPROTOOPT, () -> s.getsockopt(fd, SocketDefs.IPPROTO_TCP, SocketDefs.TCP_NODELAY));
        assertErrno(ENOPROTOOPT, () -> s.setsockopt(fd, SocketDefs.IPPROTO_TCP, SocketDefs.TCP_NODELAY, 1));
        s.close(fd);
    }

    @Test
    void closeReleasesEveryMbuf(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        MbufPool pool = k.service(MbufPool.class);
        int[] p = streamPair(s, 94);
        s.ioctl(p[1], SocketDefs.FIONBIO, new int[] {1});
        s.write(p[1], ByteBuffer.allocate(3 * LoopDomain.STREAM_BUF));
        s.write(p[2], ByteBuffer.allocate(100));
        int c2 = s.socket(AF, STREAM, 0);
        s.connect(c2, port(94));
        s.write(c2, ByteBuffer.allocate(1000));
        assertTrue(socketOf(k, p[1]).snd.cc() > 0);
        assertTrue(pool.stats().mbufsInUse() > 0);
        for (int fd : p) {
            s.close(fd);
        }
        s.close(c2);
        assertEquals(0, k.service(Sockets.class).count());
        assertEquals(0, pool.stats().mbufsInUse());
        assertEquals(0, pool.stats().clustersInUse());
    }

    @Test
    void aBlockedAcceptIsWokenByAConnection(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int lis = s.socket(AF, STREAM, 0);
        s.bind(lis, port(95));
        s.listen(lis, 5);
        AtomicReference<Throwable> err = new AtomicReference<>();
        AtomicInteger fd = new AtomicInteger(-1);
        Thread t = start("acceptor", () -> fd.set(s.accept(lis, null)), err);
        awaitBlocked(t);
        int c = s.socket(AF, STREAM, 0);
        s.connect(c, port(95));
        t.join(10_000);
        assertNull(err.get());
        assertTrue(fd.get() >= 0);
        s.write(c, bytes("ok"));
        ByteBuffer b = ByteBuffer.allocate(4);
        assertEquals(2, s.read(fd.get(), b));
        s.close(fd.get());
        s.close(c);
        s.close(lis);
    }

    @Test
    @RumpKernel(components = "rumpnet", manualClock = true)
    void soLingerWaitsForTheSendBufferToDrain(Kernel k, ManualClock clock) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int[] p = streamPair(s, 96);
        s.setsockopt(p[1], SOL, SocketDefs.SO_LINGER, 2);
        s.ioctl(p[1], SocketDefs.FIONBIO, new int[] {1});
        assertEquals(2 * LoopDomain.STREAM_BUF, s.write(p[1], Sk.pattern(3 * LoopDomain.STREAM_BUF, 6)));
        s.ioctl(p[1], SocketDefs.FIONBIO, new int[] {0});
        AtomicReference<Throwable> err = new AtomicReference<>();
        Thread closer = start("closer", () -> s.close(p[1]), err);
        awaitBlocked(closer);
        byte[] got = readFully(s, p[2], 2 * LoopDomain.STREAM_BUF);
        closer.join(10_000);
        assertTrue(!closer.isAlive(), "close returned once the buffer drained");
        assertArrayEquals(java.util.Arrays.copyOf(Sk.pattern(3 * LoopDomain.STREAM_BUF, 6).array(),
                2 * LoopDomain.STREAM_BUF), got);
        assertEquals(0, s.read(p[2], ByteBuffer.allocate(4)));

        int[] q = streamPair(s, 97);
        s.setsockopt(q[1], SOL, SocketDefs.SO_LINGER, 2);
        s.ioctl(q[1], SocketDefs.FIONBIO, new int[] {1});
        s.write(q[1], ByteBuffer.allocate(3 * LoopDomain.STREAM_BUF));
        s.ioctl(q[1], SocketDefs.FIONBIO, new int[] {0});
        Thread closer2 = start("closer2", () -> s.close(q[1]), err);
        awaitBlocked(clock, closer2);
        clock.advance(1_500_000_000L);
        awaitBlocked(clock, closer2);
        assertTrue(closer2.isAlive(), "still lingering");
        clock.advance(600_000_000L);
        closer2.join(10_000);
        assertTrue(!closer2.isAlive(), "close gave up after the linger time");
        assertNull(err.get());
        for (int fd : new int[] {p[0], p[2], q[0], q[2]}) {
            s.close(fd);
        }
    }

    @Test
    @RumpKernel(components = "rumpnet", manualClock = true)
    void soSndtimeoEndsABlockedSendWithWhatWasSent(Kernel k, ManualClock clock) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int[] p = streamPair(s, 98);
        s.setsockopt(p[1], SOL, SocketDefs.SO_SNDTIMEO, 100);
        AtomicReference<Throwable> err = new AtomicReference<>();
        AtomicInteger sent = new AtomicInteger();
        Thread w = start("writer", () -> sent.set(s.write(p[1], ByteBuffer.allocate(10000))), err);
        awaitBlocked(clock, w);
        clock.advance(150_000_000L);
        w.join(10_000);
        assertNull(err.get());
        assertEquals(2 * LoopDomain.STREAM_BUF, sent.get(), "a partial write returns its count");
        AtomicInteger errno = new AtomicInteger();
        Thread w2 = start("writer2", () -> {
            try {
                s.write(p[1], ByteBuffer.allocate(10));
            } catch (io.jrump.kern.ErrnoException e) {
                errno.set(e.errno());
            }
        }, err);
        awaitBlocked(clock, w2);
        clock.advance(150_000_000L);
        w2.join(10_000);
        assertEquals(EAGAIN, errno.get());
        for (int fd : p) {
            s.close(fd);
        }
    }
}
