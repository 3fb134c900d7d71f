package io.jrump.netinet.tcp;

import static io.jrump.netinet.tcp.TcpTestContext.MS;
import static io.jrump.netinet.tcp.TcpTestContext.SEC;
import static io.jrump.netinet.tcp.TcpTestContext.TICK;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.netinet.tcp.TcpTestContext.PeerOpts;
import io.jrump.wire.TcpFlags;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The retransmission timer, RFC 6298, under the manual clock: the initial RTO of one second (section
 * 2.1), the estimate from a measured round trip (section 2.2), exponential backoff to the cap (sections
 * 5.5, 2.5), Karn's rule (section 3), the 3-second RTO after a retransmitted SYN (section 5.7), and
 * giving up with ETIMEDOUT (RFC 9293 section 3.8.3, RFC 1122 section 4.2.3.5). Timer expiries are
 * checked to the clock's tick, the granularity of every kernel timer.
 */
class TcpRetransmitTest {
    /** The times the same segment is sent, the first included, until {@code count} are seen. */
    private static List<Sent> copies(TcpTestContext c, Sent first, int count, long maxGap) {
        List<Sent> l = new ArrayList<>();
        l.add(first);
        while (l.size() < count) {
            Sent s = c.awaitSegment(maxGap);
            assertTrue(s != null, "retransmission " + l.size() + " within " + maxGap / MS + " ms\n" + c.state());
            assertEquals(first.seq(), s.seq(), "the retransmission starts at SND.UNA: " + s);
            l.add(s);
        }
        return l;
    }

    private static long gap(List<Sent> l, int i) {
        return l.get(i).atNanos() - l.get(i - 1).atNanos();
    }

    /**
     * RFC 6298 sections 2.1, 5.5 and 2.5: before any RTT sample the RTO is 1 s; each expiry doubles it,
     * up to the cap (64 s here, at least the 60 s the RFC allows); after the last allowed
     * retransmission the connection is dropped, the user gets ETIMEDOUT and the peer a RST.
     */
    @Test
    void backoffDoublesThenGivesUp() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            byte[] data = TcpTestContext.bytes(100, 5);
            c.write(p.fd, data);
            Sent first = p.expect(Expect.flags(TcpFlags.ACK | TcpFlags.PSH).len(100));
            List<Sent> l = copies(c, first, 1 + Tcp.MAXRXTSHIFT, 65 * SEC);
            long expect = SEC;
            for (int i = 1; i < l.size(); i++) {
                assertEquals(expect, gap(l, i), TICK, "interval " + i + " of " + l);
                assertArrayEquals(data, l.get(i).payload(), "the same bytes again");
                expect = Math.min(2 * expect, Tcp.RTO_MAX);
            }
            Sent rst = c.awaitSegment(65 * SEC);
            assertTrue(rst != null, "the give-up is announced\n" + c.state());
            List<String> bad = Expect.flags(TcpFlags.RST | TcpFlags.ACK).seq(first.seq() + 100).len(0).mismatches(rst);
            assertTrue(bad.isEmpty(), rst + " " + bad);
            assertEquals(Tcp.RTO_MAX, rst.atNanos() - l.get(l.size() - 1).atNanos(), TICK);
            ErrnoException e = assertThrows(ErrnoException.class, () -> c.read(p.fd, 10));
            assertEquals(Errno.ETIMEDOUT, e.errno(), e.toString());
            c.expectSilenceFor(200 * SEC, "the connection is gone");
        }
    }

    /**
     * RFC 6298 section 2.2: the first measurement R gives SRTT = R, RTTVAR = R/2 and RTO = SRTT +
     * 4 RTTVAR = 3R; the next segment's retransmission waits that long.
     */
    @Test
    void measuredRoundTripSetsRto() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            c.write(p.fd, new byte[10]);
            p.expect(Expect.flags(TcpFlags.ACK | TcpFlags.PSH).len(10));
            c.advance(400 * MS);
            p.inject(p.ack());
            c.expectNothing("all acknowledged");
            c.write(p.fd, new byte[10]);
            Sent s = p.expect(Expect.flags(TcpFlags.ACK | TcpFlags.PSH).len(10));
            Sent r = c.awaitSegment(5 * SEC);
            assertTrue(r != null && r.seq() == s.seq(), "retransmitted: " + r);
            assertEquals(1200 * MS, r.atNanos() - s.atNanos(), 2 * TICK, "RTO = 3R for R = 400 ms");
        }
    }

    /**
     * RFC 6298 section 3 (Karn): the ACK of a retransmitted segment gives no RTT sample. Here it comes
     * 1.3 s after the first transmission; had it been taken, the next RTO would be 3.9 s.
     */
    @Test
    void karnIgnoresRetransmittedSegments() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            c.write(p.fd, new byte[10]);
            Sent s = p.expect(Expect.flags(TcpFlags.ACK | TcpFlags.PSH).len(10));
            Sent r = c.awaitSegment(2 * SEC);
            assertTrue(r != null && r.seq() == s.seq(), "retransmitted: " + r);
            c.advance(300 * MS);
            p.inject(p.ack());
            c.expectNothing("all acknowledged");
            c.write(p.fd, new byte[10]);
            Sent s2 = p.expect(Expect.flags(TcpFlags.ACK | TcpFlags.PSH).len(10));
            Sent r2 = c.awaitSegment(10 * SEC);
            assertTrue(r2 != null && r2.seq() == s2.seq(), "retransmitted: " + r2);
            long rto = r2.atNanos() - s2.atNanos();
            assertTrue(rto >= SEC - TICK && rto <= 2 * SEC + TICK, "RTO without a sample, maybe backed off: " + rto / MS);
        }
    }

    /**
     * RFC 6298 section 2.1 and RFC 9293 section 3.8.1: an unanswered SYN is retransmitted with the
     * same backoff; {@code net.inet.tcp.keepinit} (75 s) bounds the attempt, which fails with ETIMEDOUT
     * and no RST (nothing was synchronized).
     */
    @Test
    void synRetransmissionAndConnectTimeout() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            int fd = c.socket();
            assertThrows(ErrnoException.class,
                    () -> c.sys.connect(fd, SockAddr.in(TcpTestContext.REMOTE, TcpTestContext.REMOTE_PORT)));
            c.settle();
            Sent syn = c.expect(Expect.flags(TcpFlags.SYN));
            List<Sent> l = copies(c, syn, 7, 33 * SEC);
            long expect = SEC;
            for (int i = 1; i < l.size(); i++) {
                assertEquals(TcpFlags.SYN, l.get(i).flags(), l.get(i).toString());
                assertEquals(expect, gap(l, i), TICK, "SYN interval " + i + " of " + l);
                expect *= 2;
            }
            c.advance(76 * SEC - (c.clock.monotonicNanos() - syn.atNanos()));
            assertEquals(Errno.ETIMEDOUT, c.soError(fd), "connect timed out");
            c.expectNothing("no RST for a connection never synchronized");
            c.sys.close(fd);
        }
    }

    /**
     * RFC 6298 section 5.7: if the SYN had to be retransmitted and no RTT was measured, the RTO is
     * 3 s when data transfer begins.
     */
    @Test
    void rtoIsThreeSecondsAfterSynRetransmission() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            int fd = c.openAfterLostSyn();
            c.write(fd, new byte[10]);
            Sent d = c.expect(Expect.flags(TcpFlags.ACK | TcpFlags.PSH).len(10));
            Sent r = c.awaitSegment(10 * SEC);
            assertTrue(r != null && r.seq() == d.seq(), "retransmitted: " + r);
            assertEquals(3 * SEC, r.atNanos() - d.atNanos(), TICK, "RTO after a retransmitted SYN");
        }
    }

    /** RFC 6298 section 5.7 on the passive side: a retransmitted SYN,ACK leaves a 3 s RTO for the data. */
    @Test
    void rtoIsThreeSecondsAfterSynAckRetransmission() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            c.listen(5);
            c.inject(c.seg().seq(1000).flags(TcpFlags.SYN).mss(1460));
            Sent synAck = c.expect(Expect.flags(TcpFlags.SYN | TcpFlags.ACK).ack(1001));
            Sent again = c.awaitSegment(2 * SEC);
            assertTrue(again != null && again.seq() == synAck.seq() && again.has(TcpFlags.SYN),
                    "SYN,ACK retransmitted: " + again);
            c.inject(c.seg().seq(1001).ack(synAck.seq() + 1).flags(TcpFlags.ACK));
            int fd = c.sys.accept(c.listenFd(), null);
            c.expectNothing("the handshake is complete");
            c.write(fd, new byte[10]);
            Sent d = c.expect(Expect.flags(TcpFlags.ACK | TcpFlags.PSH).seq(synAck.seq() + 1).len(10));
            Sent r = c.awaitSegment(10 * SEC);
            assertTrue(r != null && r.seq() == d.seq(), "retransmitted: " + r);
            assertEquals(3 * SEC, r.atNanos() - d.atNanos(), TICK, "RTO after a retransmitted SYN,ACK");
        }
    }

    /**
     * RFC 7323 section 4 with RFC 6298 section 2.2: with timestamps the round trip is measured from the
     * TSecr the peer echoes; 400 ms give an RTO of 3R, as without them.
     */
    @Test
    void timestampsMeasureRoundTrip() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.ALL);
            c.write(p.fd, new byte[10]);
            p.expect(Expect.flags(TcpFlags.ACK | TcpFlags.PSH).len(10).ts(true));
            c.advance(400 * MS);
            p.inject(p.ack());
            c.expectNothing("all acknowledged");
            c.write(p.fd, new byte[10]);
            Sent s = p.expect(Expect.flags(TcpFlags.ACK | TcpFlags.PSH).len(10));
            Sent r = c.awaitSegment(5 * SEC);
            assertTrue(r != null && r.seq() == s.seq(), "retransmitted: " + r);
            assertEquals(1200 * MS, r.atNanos() - s.atNanos(), 2 * TICK, "RTO = 3R for R = 400 ms");
        }
    }
}
