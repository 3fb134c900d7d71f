package io.jrump.netinet.tcp;

import static io.jrump.netinet.tcp.TcpTestContext.SEC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.netinet.NetTestContext;
import io.jrump.netinet.lrp.LrpStat;
import io.jrump.wire.TcpFlags;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The listen queue and the SYN cache: {@code listen(fd, n)} bounds the connections waiting for
 * {@code accept} (as BSD, to 3n/2 queued), a full queue drops new SYNs before any work (seed 003, Lazy
 * Receiver Processing) and holds a completed handshake instead of resetting it; the SYN cache holds
 * at most {@code net.inet.tcp.syn_cache_limit} embryonic connections, evicting the oldest, and gives
 * up on an entry after its SYN,ACK retransmissions (Lemon's SYN cache, as NetBSD's
 * {@code tcp_syn_cache.c}; RFC 4987 section 3.6).
 */
class TcpListenTest {
    /** A SYN from {@code port}; the SYN,ACK it draws, or null. */
    private static Sent syn(TcpTestContext c, int port) {
        c.inject(c.seg().ports(port, TcpTestContext.LOCAL_PORT).seq(port * 1000).flags(TcpFlags.SYN).mss(1460));
        return c.poll();
    }

    private static void ack(TcpTestContext c, int port, Sent synAck) {
        c.inject(c.seg().ports(port, TcpTestContext.LOCAL_PORT).seq(port * 1000 + 1).ack(synAck.seq() + 1)
                .flags(TcpFlags.ACK));
    }

    /**
     * With a backlog of 2, three connections can wait (more than 3n/2 is full); the next SYN is dropped
     * without an answer and counted; after one {@code accept} a SYN is answered again.
     */
    @Test
    void backlogBoundsQueuedConnections() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            int l = c.listen(2);
            int port = 41000;
            for (int i = 0; i < 4; i++, port++) {
                Sent sa = syn(c, port);
                assertTrue(sa != null && sa.has(TcpFlags.SYN | TcpFlags.ACK), "SYN,ACK for connection " + i + ": " + sa);
                ack(c, port, sa);
                c.expectNothing("connection " + i + " queued");
            }
            assertEquals(null, syn(c, port), "a SYN for a full queue is dropped silently");
            if (!NetTestContext.LAZY) {
                assertEquals(1, c.tcp.stats().get("times the listen queue of a socket overflowed"));
            } else {
                assertEquals(1, c.inet.lrp().stats().get(LrpStat.PARKED), "the full listener's channel stops");
            }
            int fd = c.sys.accept(l, null);
            Sent sa = syn(c, port);
            assertTrue(sa != null && sa.has(TcpFlags.SYN | TcpFlags.ACK), "answered once there is room: " + sa);
            c.sys.close(fd);
        }
    }

    /**
     * A handshake whose ACK finds the queue full is neither reset nor lost: the SYN cache keeps the
     * entry, its SYN,ACK is retransmitted, and the peer's repeated ACK completes it once there is room.
     */
    @Test
    void fullQueueHoldsCompletedHandshake() throws Exception {
        // Eager semantics: under LRP the third SYN already finds the backlog exceeded (half-open requests
        // count, seed 003) and waits in the channel; LrpListenTest covers that.
        Assumptions.assumeFalse(NetTestContext.LAZY, "the SYN cache's hold of a completed handshake is eager behaviour");
        try (TcpTestContext c = new TcpTestContext()) {
            int l = c.listen(1);
            List<Sent> synAcks = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                synAcks.add(syn(c, 42000 + i));
                assertTrue(synAcks.get(i) != null, "SYN,ACK " + i);
            }
            ack(c, 42000, synAcks.get(0));
            ack(c, 42001, synAcks.get(1));
            ack(c, 42002, synAcks.get(2));
            c.expectNothing("the third handshake waits, without a RST");
            assertEquals(1, c.tcp.synCacheCount(), "the third is still in the SYN cache");
            c.sys.close(c.sys.accept(l, null));
            c.settle();
            c.expect(Expect.flags(TcpFlags.FIN | TcpFlags.ACK));

            Sent again = c.awaitSegment(2 * SEC);
            assertTrue(again != null && again.has(TcpFlags.SYN | TcpFlags.ACK) && again.seq() == synAcks.get(2).seq(),
                    "the held entry's SYN,ACK is retransmitted: " + again);
            c.drain();
            ack(c, 42002, again);
            c.expectNothing("the handshake completes");
            assertEquals(0, c.tcp.synCacheCount());
            int a = c.sys.accept(l, null);
            int b = c.sys.accept(l, null);
            assertTrue(a >= 0 && b >= 0);
        }
    }

    /**
     * {@code net.inet.tcp.syn_cache_limit}: a SYN flood keeps at most that many entries, the oldest
     * making way; an evicted entry's ACK finds nothing and is reset (RFC 9293 section 3.10.7.2); the
     * newest complete.
     */
    @Test
    void synCacheLimitEvictsOldest() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            c.sys.sysctlWrite("net.inet.tcp.syn_cache_limit", "4");
            int l = c.listen(16);
            List<Sent> synAcks = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                synAcks.add(syn(c, 43000 + i));
                assertEquals(Math.min(i + 1, 4), c.tcp.synCacheCount(), "entries after SYN " + i);
            }
            assertEquals(2, c.tcp.stats().get("SYN cache entries dropped due to overflow"));
            ack(c, 43000, synAcks.get(0));
            c.expect(Expect.flags(TcpFlags.RST).seq(synAcks.get(0).seq() + 1).len(0));
            ack(c, 43005, synAcks.get(5));
            c.expectNothing("the newest completes");
            int fd = c.sys.accept(l, null);
            c.sys.close(fd);
        }
    }

    /**
     * The SYN cache retransmits an unanswered SYN,ACK after 1, 2 and 4 more seconds, then drops the
     * entry; a late ACK is reset.
     */
    @Test
    void synCacheGivesUp() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            int l = c.listen(16);
            Sent first = syn(c, 44000);
            long t = first.atNanos();
            long[] expect = {SEC, 2 * SEC, 4 * SEC};
            for (long gap : expect) {
                Sent s = c.awaitSegment(5 * SEC);
                assertTrue(s != null && s.seq() == first.seq() && s.has(TcpFlags.SYN), "retransmitted SYN,ACK: " + s);
                assertEquals(gap, s.atNanos() - t, 250 * TcpTestContext.MS, "interval");
                t = s.atNanos();
            }
            c.expectSilenceFor(9 * SEC, "no fourth retransmission");
            assertEquals(0, c.tcp.synCacheCount(), "the entry timed out");
            ack(c, 44000, first);
            c.expect(Expect.flags(TcpFlags.RST).seq(first.seq() + 1));
            ErrnoException e = assertThrows(ErrnoException.class, () -> c.sys.accept(l, null));
            assertEquals(Errno.EAGAIN, e.errno());
        }
    }

    /**
     * A connection becomes visible to {@code accept} only when it is complete: an application blocked in
     * {@code accept} while the handshake's ACK is processed gets a connected socket with its peer's
     * address, never an aborted half-made one (the SYN cache's expansion races the accepting thread).
     */
    @Test
    void acceptRacingTheHandshake() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            int l = c.listen(64);
            c.sys.fcntl(l, io.jrump.kern.syscall.Syscalls.F_SETFL, 0);
            int n = 200;
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
            // At most 17 connections ahead of the acceptor, well inside the backlog of 64: a permit per
            // connection the test opens, given back as the acceptor takes one.
            java.util.concurrent.Semaphore ahead = new java.util.concurrent.Semaphore(17);
            Thread acceptor = new Thread(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        io.jrump.kern.syscall.SockAddr from = new io.jrump.kern.syscall.SockAddr();
                        int fd = c.sys.accept(l, from);
                        if (from.port < 46000 || from.port >= 46000 + n) {
                            failures.add(new AssertionError("accepted with peer port " + from.port));
                        }
                        accepted.incrementAndGet();
                        ahead.release();
                        c.sys.setsockopt(fd, io.jrump.kern.syscall.SocketDefs.SOL_SOCKET, io.jrump.kern.syscall.SocketDefs.SO_LINGER, 0);
                        c.sys.close(fd);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "acceptor");
            acceptor.start();
            for (int i = 0; i < n && failures.isEmpty(); i++) {
                int port = 46000 + i;
                assertTrue(ahead.tryAcquire(10, java.util.concurrent.TimeUnit.SECONDS),
                        "the acceptor took " + accepted.get() + " connections and no more; failures " + failures);
                c.inject(c.seg().ports(port, TcpTestContext.LOCAL_PORT).seq(port * 1000).flags(TcpFlags.SYN).mss(1460));
                Sent sa = null;
                for (Sent s : c.drain()) {
                    if (s.tcp().destinationPort() == port && s.has(TcpFlags.SYN)) {
                        sa = s;
                    }
                }
                assertTrue(sa != null, "SYN,ACK " + i);
                ack(c, port, sa);
            }
            acceptor.join(20_000);
            assertEquals(List.of(), failures);
            assertEquals(n, accepted.get());
        }
    }

    /**
     * The handshake's third segment may carry data and a FIN (RFC 9293 section 3.10.7.4): they are kept
     * for the connection, acknowledged, and read after {@code accept}.
     */
    @Test
    void thirdSegmentCarriesDataAndFin() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            int l = c.listen(4);
            Sent sa = syn(c, 47000);
            c.inject(c.seg().ports(47000, TcpTestContext.LOCAL_PORT).seq(47000 * 1000 + 1).ack(sa.seq() + 1)
                    .flags(TcpFlags.ACK | TcpFlags.PSH | TcpFlags.FIN).data(TcpTestContext.bytes(100, 4)));
            c.expect(Expect.flags(TcpFlags.ACK).seq(sa.seq() + 1).ack(47000 * 1000 + 102).len(0));
            int fd = c.sys.accept(l, null);
            org.junit.jupiter.api.Assertions.assertArrayEquals(TcpTestContext.bytes(100, 4), c.read(fd, 1000));
            assertEquals(0, c.read(fd, 1000).length, "then end of stream");
        }
    }

    /**
     * A connection reset by its peer while it waits in the accept queue is not handed out as if alive:
     * {@code accept} fails with ECONNABORTED (as BSD's {@code soaccept}), and the next one is fine.
     */
    @Test
    void resetWhileQueuedAbortsAccept() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            int l = c.listen(4);
            Sent sa = syn(c, 47100);
            ack(c, 47100, sa);
            c.inject(c.seg().ports(47100, TcpTestContext.LOCAL_PORT).seq(47100 * 1000 + 1).flags(TcpFlags.RST));
            c.expectNothing("a RST is not answered");
            ErrnoException e = assertThrows(ErrnoException.class, () -> c.sys.accept(l, null));
            assertEquals(Errno.ECONNABORTED, e.errno(), e.toString());
            Sent sb = syn(c, 47101);
            ack(c, 47101, sb);
            assertTrue(c.sys.accept(l, null) >= 0);
        }
    }

    /**
     * Closing a listener aborts the connections still queued on it: each peer gets a RST
     * ({@code soabort}, RFC 9293 section 3.10.5) instead of being left to time out.
     */
    @Test
    void closingListenerResetsQueuedConnections() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            int l = c.listen(4);
            Sent a = syn(c, 47200);
            ack(c, 47200, a);
            Sent b = syn(c, 47201);
            ack(c, 47201, b);
            c.sys.close(l);
            c.settle();
            java.util.Set<Integer> reset = new java.util.HashSet<>();
            for (Sent s : c.drain()) {
                assertTrue(s.has(TcpFlags.RST), "only RSTs: " + s);
                reset.add(s.tcp().destinationPort());
            }
            assertEquals(java.util.Set.of(47200, 47201), reset);
            assertEquals(0, c.tcp.conns().size());
        }
    }
}
