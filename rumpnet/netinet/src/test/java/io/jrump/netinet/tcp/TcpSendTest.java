package io.jrump.netinet.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.syscall.SocketDefs;
import io.jrump.netinet.tcp.TcpTestContext.PeerOpts;
import io.jrump.wire.TcpFlags;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the sender puts on the wire: Nagle's rule (RFC 1122 section 4.2.3.4, RFC 896) holds back a
 * small segment while data is unacknowledged unless {@code TCP_NODELAY}; the peer's window, scaled as
 * agreed (RFC 7323 section 2.3), and the congestion window (RFC 5681 section 3.1) bound what is in
 * flight; three duplicate ACKs without SACK trigger a fast retransmit of the first unacknowledged
 * segment (RFC 5681 section 3.2, RFC 6582).
 */
class TcpSendTest {
    /** RFC 1122 section 4.2.3.4: a small write waits while earlier data is unacknowledged, then goes. */
    @Test
    void nagleHoldsSmallSegments() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            c.write(p.fd, new byte[10]);
            p.expect(Expect.flags(TcpFlags.ACK | TcpFlags.PSH).seq(p.rcvNxt).len(10));
            c.write(p.fd, new byte[10]);
            c.write(p.fd, new byte[10]);
            c.expectNothing("Nagle holds small segments while 10 bytes are unacknowledged");
            p.inject(p.ack());
            p.expect(Expect.flags(TcpFlags.ACK | TcpFlags.PSH).seq(p.rcvNxt).len(20));
        }
    }

    /** {@code TCP_NODELAY} turns Nagle's rule off: every write leaves at once. */
    @Test
    void noDelaySendsAtOnce() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            c.sys.setsockopt(p.fd, SocketDefs.IPPROTO_TCP, SocketDefs.TCP_NODELAY, 1);
            for (int i = 0; i < 3; i++) {
                c.write(p.fd, new byte[10]);
                p.expect(Expect.flags(TcpFlags.ACK | TcpFlags.PSH).seq(p.rcvNxt).len(10));
            }
        }
    }

    /**
     * RFC 7323 section 2.3: the peer's window field is shifted by the scale it announced; RFC 9293
     * section 3.8.6: no more than that window is sent.
     */
    @Test
    void peerWindowIsScaledAndRespected() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.ALL.withWscale(2).withTs(false));
            c.sys.setsockopt(p.fd, SocketDefs.IPPROTO_TCP, SocketDefs.TCP_NODELAY, 1);
            p.window = 500; // 2000 bytes
            p.inject(p.ack());
            c.write(p.fd, new byte[5000]);
            int total = 0;
            for (int round = 0; round < 4 && total < 5000; round++) {
                List<Sent> l = c.drain();
                int sum = 0;
                for (Sent s : l) {
                    sum += s.len();
                    p.saw(s);
                }
                assertTrue(sum > 0 && sum <= 2000, "within a 500 << 2 byte window: " + l);
                total += sum;
                p.inject(p.ack());
            }
            assertEquals(5000, total, "everything sent, window by window");
        }
    }

    /**
     * RFC 5681 section 3.2 and RFC 6582 section 3.2: without SACK, the third duplicate ACK retransmits the
     * first unacknowledged segment at once, before any timeout; the ACK of everything ends recovery.
     */
    @Test
    void threeDuplicateAcksRetransmit() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            int mss = 1460;
            c.write(p.fd, new byte[3 * mss]);
            for (Sent s : c.drain()) {
                p.saw(s);
            }
            p.inject(p.ack());
            c.write(p.fd, new byte[5 * mss]);
            List<Sent> flight = c.drain();
            assertEquals(5, flight.size(), flight.toString());
            int una = flight.get(0).seq();
            for (int i = 0; i < 2; i++) {
                p.inject(p.seg().ack(una));
                c.expectNothing("duplicate ACK " + (i + 1) + " of 3");
            }
            p.inject(p.seg().ack(una));
            Sent r = c.poll();
            assertTrue(r != null && r.seq() == una && r.len() == mss, "fast retransmit of the first segment: " + r);
            assertEquals(1, c.tcp.stats().get("fast retransmits"));
            c.drain();
            p.inject(p.seg().ack(una + 5 * mss));
            c.expectNothing("everything acknowledged");
            assertEquals(TcpState.ESTABLISHED, p.tcb().state);
        }
    }

    /**
     * RFC 9293 section 3.7.1 and {@code TCP_MAXSEG}: the segment size is the smaller of the peer's MSS
     * and the user's limit.
     */
    @Test
    void userMaxsegLimitsSegments() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            c.sys.setsockopt(p.fd, SocketDefs.IPPROTO_TCP, SocketDefs.TCP_MAXSEG, 700);
            c.write(p.fd, new byte[2100]);
            for (int i = 0; i < 3; i++) {
                p.expect(Expect.flags(TcpFlags.ACK).anyPsh().seq(p.rcvNxt).len(700));
            }
        }
    }

    /**
     * RFC 7323 section 2.2: the window field of a segment with SYN is never scaled. The peer's SYN,ACK
     * offers 1000 bytes with a window scale of 7; until its next segment the kernel may send 1000 bytes,
     * not 128000.
     */
    @Test
    void synAckWindowIsNotScaled() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            int fd = c.socket();
            c.sys.setsockopt(fd, SocketDefs.IPPROTO_TCP, SocketDefs.TCP_NODELAY, 1);
            try {
                c.sys.connect(fd, io.jrump.kern.syscall.SockAddr.in(TcpTestContext.REMOTE, TcpTestContext.REMOTE_PORT));
            } catch (io.jrump.kern.ErrnoException e) {
                assertEquals(io.jrump.hypercall.Errno.EINPROGRESS, e.errno());
            }
            c.settle();
            Sent syn = c.expect(Expect.flags(TcpFlags.SYN));
            c.inject(c.seg().ports(TcpTestContext.REMOTE_PORT, syn.tcp().sourcePort()).seq(0x4000)
                    .ack(syn.seq() + 1).flags(TcpFlags.SYN | TcpFlags.ACK).window(1000).mss(1460).wscale(7));
            c.expect(Expect.flags(TcpFlags.ACK).seq(syn.seq() + 1).ack(0x4001).len(0));
            c.write(fd, new byte[5000]);
            int sum = 0;
            List<Sent> l = c.drain();
            for (Sent s : l) {
                sum += s.len();
            }
            assertEquals(1000, sum, "what a 1000-byte window allows: " + l);
        }
    }

    /**
     * RFC 7323 section 2.2 in a simultaneous open (RFC 9293 section 3.5 figure 8): the peer's SYN,ACK
     * that completes it carries an unscaled window too.
     */
    @Test
    void simultaneousOpenSynAckWindowIsNotScaled() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            int fd = c.socket();
            c.sys.setsockopt(fd, SocketDefs.IPPROTO_TCP, SocketDefs.TCP_NODELAY, 1);
            try {
                c.sys.connect(fd, io.jrump.kern.syscall.SockAddr.in(TcpTestContext.REMOTE, TcpTestContext.REMOTE_PORT));
            } catch (io.jrump.kern.ErrnoException e) {
                assertEquals(io.jrump.hypercall.Errno.EINPROGRESS, e.errno());
            }
            c.settle();
            Sent syn = c.expect(Expect.flags(TcpFlags.SYN));
            int lport = syn.tcp().sourcePort();
            c.inject(c.seg().ports(TcpTestContext.REMOTE_PORT, lport).seq(0x4000).flags(TcpFlags.SYN).window(1000)
                    .mss(1460).wscale(7));
            c.expect(Expect.flags(TcpFlags.SYN | TcpFlags.ACK).ack(0x4001));
            c.inject(c.seg().ports(TcpTestContext.REMOTE_PORT, lport).seq(0x4000).ack(syn.seq() + 1)
                    .flags(TcpFlags.SYN | TcpFlags.ACK).window(1000).mss(1460).wscale(7));
            c.drain();
            c.write(fd, new byte[5000]);
            int sum = 0;
            List<Sent> l = c.drain();
            for (Sent s : l) {
                sum += s.len();
            }
            assertTrue(sum > 0 && sum <= 1000, "within a 1000-byte window: " + l);
        }
    }

    /**
     * RFC 6582 section 3.2 step 5: in NewReno recovery a partial ACK (it covers the retransmitted segment
     * but not all that was outstanding) retransmits the next unacknowledged segment at once, without
     * waiting for three more duplicates or a timeout.
     */
    @Test
    void partialAckRetransmitsNextHole() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            int mss = 1460;
            c.write(p.fd, new byte[3 * mss]);
            for (Sent s : c.drain()) {
                p.saw(s);
            }
            p.inject(p.ack());
            c.write(p.fd, new byte[5 * mss]);
            List<Sent> flight = c.drain();
            assertEquals(5, flight.size(), flight.toString());
            int una = flight.get(0).seq();
            // segments 1 and 3 are lost: three duplicates for segment 1
            for (int i = 0; i < 3; i++) {
                p.inject(p.seg().ack(una));
            }
            List<Sent> r1 = c.drain();
            assertTrue(!r1.isEmpty() && r1.get(0).seq() == una, "fast retransmit of segment 1: " + r1);
            // the retransmission arrives: the peer now acknowledges through segment 2 only
            p.inject(p.seg().ack(una + 2 * mss));
            List<Sent> r3 = c.drain();
            assertTrue(!r3.isEmpty() && r3.get(0).seq() == una + 2 * mss && r3.get(0).len() == mss,
                    "the partial ACK retransmits segment 3 at once: " + r3);
        }
    }

    /**
     * RFC 1122 section 4.2.3.4: sender-side silly window avoidance holds back a segment smaller than the
     * MSS and than half the largest window the peer offered, but only until an override timeout. A peer
     * that shrank its window to 500 bytes with nothing in flight must still get those 500 bytes, not a
     * connection that waits forever.
     */
    @Test
    void smallWindowIsUsedAfterOverrideTimeout() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            p.window = 500;
            p.inject(p.ack());
            c.write(p.fd, new byte[1000]);
            Sent s = c.awaitSegment(10 * TcpTestContext.SEC);
            assertTrue(s != null, "the 500 bytes the window allows are sent eventually\n" + c.state());
            assertEquals(500, s.len(), s.toString());
        }
    }
}
