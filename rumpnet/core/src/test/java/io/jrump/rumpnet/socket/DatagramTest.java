package io.jrump.rumpnet.socket;

import static io.jrump.hypercall.Errno.*;
import static io.jrump.rumpnet.socket.Sk.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.ManualClock;
import io.jrump.kern.Cred;
import io.jrump.kern.Kernel;
import io.jrump.kern.file.Poll;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.SyscallArgs;
import io.jrump.kern.syscall.SyscallNumbers;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.testkit.RumpKernel;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

@RumpKernel(components = "rumpnet")
class DatagramTest {

    @Test
    void datagramBoundariesArePreservedAndTruncationReported(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int rx = dgram(s, 100);
        int tx = dgram(s, 101);
        assertEquals(3, s.sendto(tx, bytes("one"), 0, port(100)));
        assertEquals(5, s.sendto(tx, bytes("three"), 0, port(100)));
        assertEquals(0, s.sendto(tx, ByteBuffer.allocate(0), 0, port(100)));
        assertEquals(11, s.sendto(tx, bytes("a long one."), 0, port(100)));
        assertEquals(10, s.sendto(tx, bytes("0123456789"), 0, port(100)));
        k.softints().drain();

        SockAddr from = new SockAddr();
        ByteBuffer b = ByteBuffer.allocate(64);
        assertEquals(3, s.recvfrom(rx, b, 0, from));
        assertEquals("one", str(b));
        assertEquals(port(101), from);
        b.clear();
        assertEquals(5, s.recvfrom(rx, b, 0, null));
        assertEquals("three", str(b));
        b.clear();
        assertEquals(0, s.recvfrom(rx, b, 0, null), "an empty datagram is a datagram");

        ByteBuffer small = ByteBuffer.allocate(4);
        assertEquals(4, s.recvfrom(rx, small, 0, null));
        assertEquals("a lo", str(small));

        small.clear();
        SyscallArgs a = new SyscallArgs();
        a.i[0] = rx;
        a.o[1] = small;
        a.i[2] = SocketDefs.MSG_TRUNC;
        assertEquals(10, s.syscall(SyscallNumbers.SYS_recvmsg, a), "MSG_TRUNC returns the real length");
        assertEquals(SocketDefs.MSG_TRUNC, a.result);
        assertEquals("0123", str(small));
        assertErrno(EAGAIN, () -> s.recvfrom(rx, ByteBuffer.allocate(8), SocketDefs.MSG_DONTWAIT, null));
        s.close(rx);
        s.close(tx);
    }

    @Test
    void aBlockedReceiveIsWokenByASendFromAnotherThread(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int rx = dgram(s, 200);
        int tx = dgram(s, 201);
        AtomicReference<Throwable> err = new AtomicReference<>();
        AtomicReference<String> got = new AtomicReference<>();
        Thread t = start("reader", () -> {
            ByteBuffer b = ByteBuffer.allocate(32);
            SockAddr from = new SockAddr();
            s.recvfrom(rx, b, 0, from);
            got.set(str(b) + " from " + from.port);
        }, err);
        awaitBlocked(t);
        s.sendto(tx, bytes("wake up"), 0, port(200));
        t.join(10_000);
        assertEquals(null, err.get());
        assertEquals("wake up from 201", got.get());
        s.close(rx);
        s.close(tx);
    }

    @Test
    @RumpKernel(components = "rumpnet", manualClock = true)
    void soRcvtimeoExpiresWithEagain(Kernel k, ManualClock clock) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int rx = dgram(s, 300);
        s.setsockopt(rx, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 250);
        assertEquals(250, s.getsockopt(rx, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO));
        AtomicInteger errno = new AtomicInteger();
        AtomicReference<Throwable> err = new AtomicReference<>();
        Thread t = start("timed reader", () -> {
            try {
                s.recvfrom(rx, ByteBuffer.allocate(8), 0, null);
            } catch (io.jrump.kern.ErrnoException e) {
                errno.set(e.errno());
            }
        }, err);
        awaitBlocked(clock, t);
        clock.advance(TimeUnit.MILLISECONDS.toNanos(200));
        awaitBlocked(clock, t);
        assertTrue(t.isAlive(), "not yet timed out");
        clock.advance(TimeUnit.MILLISECONDS.toNanos(60));
        t.join(10_000);
        assertEquals(EAGAIN, errno.get());
        assertErrno(EDOM, () -> s.setsockopt(rx, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, -1));
        s.close(rx);
    }

    @Test
    void msgPeekLeavesTheDatagramQueued(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int rx = dgram(s, 400);
        int tx = dgram(s, 401);
        s.sendto(tx, bytes("peekaboo"), 0, port(400));
        s.sendto(tx, bytes("second"), 0, port(400));
        k.softints().drain();
        ByteBuffer b = ByteBuffer.allocate(4);
        SockAddr from = new SockAddr();
        assertEquals(4, s.recvfrom(rx, b, SocketDefs.MSG_PEEK, from));
        assertEquals("peek", str(b));
        assertEquals(401, from.port);
        b = ByteBuffer.allocate(32);
        assertEquals(8, s.recvfrom(rx, b, SocketDefs.MSG_PEEK | SocketDefs.MSG_TRUNC, null));
        assertEquals("peekaboo", str(b));
        b.clear();
        assertEquals(8, s.recvfrom(rx, b, 0, null));
        assertEquals("peekaboo", str(b));
        b.clear();
        assertEquals(6, s.recvfrom(rx, b, 0, null));
        assertEquals("second", str(b));
        s.close(rx);
        s.close(tx);
    }

    @Test
    void addressingErrors(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int rx = dgram(s, 500);
        int tx = s.socket(AF, DGRAM, 0);
        assertErrno(EDESTADDRREQ, () -> s.sendto(tx, bytes("x"), 0, null));
        assertErrno(EDESTADDRREQ, () -> s.write(tx, bytes("x")));
        assertErrno(ENOTCONN, () -> s.getpeername(tx, new SockAddr()));
        assertErrno(EAFNOSUPPORT, () -> s.bind(tx, SockAddr.in("10.0.0.1", 5)));
        assertErrno(EAFNOSUPPORT, () -> s.connect(tx, SockAddr.in("10.0.0.1", 5)));
        assertErrno(EFAULT, () -> s.bind(tx, null));

        s.connect(tx, port(500));
        SockAddr peer = new SockAddr();
        s.getpeername(tx, peer);
        assertEquals(port(500), peer);
        SockAddr self = new SockAddr();
        s.getsockname(tx, self);
        assertTrue(self.port >= 49152, "connect bound an ephemeral port: " + self);
        assertEquals(3, s.write(tx, bytes("abc")));
        assertErrno(EISCONN, () -> s.sendto(tx, bytes("x"), 0, port(500)));
        k.softints().drain();
        ByteBuffer b = ByteBuffer.allocate(8);
        SockAddr from = new SockAddr();
        assertEquals(3, s.recvfrom(rx, b, 0, from));
        assertEquals(self, from);

        s.connect(tx, new SockAddr(SocketDefs.AF_UNSPEC, 0, 0));
        assertErrno(ENOTCONN, () -> s.getpeername(tx, new SockAddr()));
        assertErrno(EDESTADDRREQ, () -> s.sendto(tx, bytes("x"), 0, null));
        assertErrno(EINVAL, () -> s.listen(rx, 5));
        assertErrno(EINVAL, () -> s.accept(rx, null));
        assertErrno(EINVAL, () -> s.shutdown(rx, 7));
        s.close(rx);
        s.close(tx);
    }

    @Test
    void bufferSizesAreHonouredAndBoundedByKernSbmax(Kernel k) throws Exception {
        LoopDomain d = LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int rx = dgram(s, 600);
        int tx = dgram(s, 601);
        int sol = SocketDefs.SOL_SOCKET;
        assertEquals(LoopDomain.DGRAM_BUF, s.getsockopt(tx, sol, SocketDefs.SO_SNDBUF));
        s.setsockopt(tx, sol, SocketDefs.SO_SNDBUF, 1000);
        assertEquals(1000, s.getsockopt(tx, sol, SocketDefs.SO_SNDBUF));
        assertEquals(1000, s.sendto(tx, ByteBuffer.allocate(1000), 0, port(600)));
        assertErrno(EMSGSIZE, () -> s.sendto(tx, ByteBuffer.allocate(1001), 0, port(600)));
        assertErrno(EINVAL, () -> s.setsockopt(tx, sol, SocketDefs.SO_SNDBUF, 0));
        assertErrno(EINVAL, () -> s.setsockopt(tx, sol, SocketDefs.SO_RCVBUF, -5));
        assertErrno(EINVAL, () -> s.setsockopt(tx, sol, SocketDefs.SO_RCVBUF, 262145));
        s.setsockopt(tx, sol, SocketDefs.SO_RCVBUF, 262144);
        s.sysctlWrite("kern.sbmax", "524288");
        s.setsockopt(tx, sol, SocketDefs.SO_RCVBUF, 400000);
        assertEquals(400000, s.getsockopt(tx, sol, SocketDefs.SO_RCVBUF));

        // Let the 1000-byte datagram arrive before shrinking the buffer it must fit in.
        k.softints().drain();
        s.setsockopt(rx, sol, SocketDefs.SO_RCVTIMEO, 20_000);
        assertEquals(1000, s.recvfrom(rx, ByteBuffer.allocate(2000), 0, null));
        s.setsockopt(rx, sol, SocketDefs.SO_RCVBUF, 100);
        int before = d.dgramDrops.get();
        s.sendto(tx, ByteBuffer.allocate(200), 0, port(600));
        s.sendto(tx, ByteBuffer.allocate(50), 0, port(600));
        k.softints().drain();
        assertEquals(before + 1, d.dgramDrops.get(), "the datagram larger than SO_RCVBUF was dropped");
        assertEquals(50, s.recvfrom(rx, ByteBuffer.allocate(2000), 0, null));
        assertEquals(1, socketOf(k, rx).rcv.drops());

        s.setsockopt(rx, sol, SocketDefs.SO_RCVLOWAT, 1_000_000);
        assertEquals(100, s.getsockopt(rx, sol, SocketDefs.SO_RCVLOWAT), "capped at the high-water mark");
        assertErrno(EINVAL, () -> s.setsockopt(rx, sol, SocketDefs.SO_SNDLOWAT, 0));
        s.close(rx);
        s.close(tx);
    }

    @Test
    void fionreadIsTheFirstDatagramsLength(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int rx = dgram(s, 700);
        int tx = dgram(s, 701);
        int[] n = new int[1];
        s.ioctl(rx, SocketDefs.FIONREAD, n);
        assertEquals(0, n[0]);
        s.sendto(tx, ByteBuffer.allocate(10), 0, port(700));
        s.sendto(tx, ByteBuffer.allocate(20), 0, port(700));
        k.softints().drain();
        s.ioctl(rx, SocketDefs.FIONREAD, n);
        assertEquals(10, n[0]);
        s.recvfrom(rx, ByteBuffer.allocate(64), 0, null);
        s.ioctl(rx, SocketDefs.FIONREAD, n);
        assertEquals(20, n[0]);
        assertErrno(EFAULT, () -> s.ioctl(rx, SocketDefs.FIONREAD, null));
        assertErrno(EOPNOTSUPP, () -> s.ioctl(rx, 0xc0206911L, new Object()));
        s.close(rx);
        s.close(tx);
    }

    @Test
    void killingAProcessBlockedInRecvfromGivesEintr(Kernel k) throws Exception {
        LoopDomain.install(k);
        Proc p = k.newProcess("victim", Cred.ROOT);
        Syscalls ps = p.syscalls();
        int fd = dgram(ps, 800);
        AtomicInteger errno = new AtomicInteger();
        AtomicReference<Throwable> err = new AtomicReference<>();
        Thread t = start("victim", () -> {
            try {
                ps.recvfrom(fd, ByteBuffer.allocate(8), 0, null);
            } catch (io.jrump.kern.ErrnoException e) {
                errno.set(e.errno());
            }
        }, err);
        awaitBlocked(t);
        k.exitProcess(p);
        t.join(10_000);
        assertEquals(EINTR, errno.get());
        assertEquals(0, k.service(Sockets.class).count(), "the socket was closed with the process");
    }

    @Test
    void theUpcallFiresOnDataArrivalWithTheSocketLocked(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int rx = dgram(s, 900);
        int tx = dgram(s, 901);
        Socket so = socketOf(k, rx);
        CountDownLatch fired = new CountDownLatch(1);
        AtomicBoolean locked = new AtomicBoolean();
        AtomicInteger events = new AtomicInteger();
        AtomicInteger queued = new AtomicInteger();
        so.setUpcall((x, ev) -> {
            locked.set(x.lock().owned());
            events.set(ev);
            queued.set(x.rcv.cc());
            fired.countDown();
        });
        s.sendto(tx, bytes("hello"), 0, port(900));
        assertTrue(fired.await(10, TimeUnit.SECONDS));
        assertTrue(locked.get());
        assertEquals(Poll.POLLIN, events.get());
        assertEquals(5, queued.get());
        so.setUpcall(null);
        s.close(rx);
        s.close(tx);
    }

    @Test
    void pollReportsReadableWritableAndWakesAWaiter(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int rx = dgram(s, 1000);
        int tx = dgram(s, 1001);
        io.jrump.kern.file.PollFd[] p = {new io.jrump.kern.file.PollFd(rx, Poll.POLLIN | Poll.POLLOUT)};
        assertEquals(1, s.poll(p, 0));
        assertEquals(Poll.POLLOUT, p[0].revents, "a datagram socket is writable unconnected");
        p[0].events = Poll.POLLIN | Poll.POLLRDNORM;
        assertEquals(0, s.poll(p, 0));
        AtomicReference<Throwable> err = new AtomicReference<>();
        AtomicInteger ready = new AtomicInteger(-1);
        Thread t = start("poller", () -> ready.set(s.poll(new io.jrump.kern.file.PollFd[] {
                new io.jrump.kern.file.PollFd(rx, Poll.POLLIN)}, -1)), err);
        awaitBlocked(t);
        s.sendto(tx, ByteBuffer.allocate(0), 0, port(1000));
        t.join(10_000);
        assertEquals(1, ready.get(), "an empty datagram makes the socket readable");
        assertEquals(1, s.poll(p, 0));
        assertEquals(Poll.POLLIN | Poll.POLLRDNORM, p[0].revents);
        s.close(rx);
        s.close(tx);
    }

    @Test
    @RumpKernel(components = "rumpnet", memoryLimit = "4m")
    void anExhaustedMbufPoolIsEnobufs(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        s.sysctlWrite("kern.sbmax", String.valueOf(8 << 20));
        int tx = dgram(s, 1100);
        s.setsockopt(tx, SocketDefs.SOL_SOCKET, SocketDefs.SO_SNDBUF, 6 << 20);
        assertErrno(ENOBUFS, () -> s.sendto(tx, ByteBuffer.allocate(5 << 20), 0, port(1101)));
        assertEquals(0, k.service(MbufPool.class).stats().mbufsInUse());
        assertEquals(1000, s.sendto(tx, ByteBuffer.allocate(1000), 0, port(1101)), "idle clusters are reused");
        s.close(tx);
    }

    @Test
    void closeReleasesQueuedDatagrams(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        MbufPool pool = k.service(MbufPool.class);
        int rx = dgram(s, 1200);
        int tx = dgram(s, 1201);
        for (int i = 0; i < 3; i++) {
            s.sendto(tx, Sk.pattern(3000, i), 0, port(1200));
        }
        k.softints().drain();
        ByteBuffer b = ByteBuffer.allocate(3000);
        s.recvfrom(rx, b, 0, null);
        assertArrayEquals(Sk.pattern(3000, 0).array(), b.array());
        assertTrue(pool.stats().mbufsInUse() > 0);
        s.close(rx);
        s.close(tx);
        assertEquals(0, pool.stats().mbufsInUse());
        assertEquals(0, pool.stats().clustersInUse());
    }
}
