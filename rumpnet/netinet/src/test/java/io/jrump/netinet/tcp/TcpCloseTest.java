package io.jrump.netinet.tcp;

import static io.jrump.netinet.tcp.TcpTestContext.SEC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.netinet.tcp.TcpTestContext.PeerOpts;
import io.jrump.wire.TcpFlags;
import org.junit.jupiter.api.Test;

/**
 * Closing, RFC 9293 sections 3.6 and 3.10.4: active and passive close, half-close, simultaneous close
 * (figure 13), TIME_WAIT (section 3.6.1: a retransmitted FIN is acknowledged again and restarts 2*MSL;
 * RFC 1337: RSTs do not end it), and the abortive closes: {@code SO_LINGER} 0 and closing with
 * unread data send a RST (RFC 1122 section 4.2.2.13), as does data for a closed socket.
 */
class TcpCloseTest {
    private static Expect fin(Peer p) {
        return Expect.flags(TcpFlags.FIN | TcpFlags.ACK).seq(p.rcvNxt).ack(p.sndNxt).len(0);
    }

    /**
     * RFC 9293 section 3.6 figure 12 with the kernel closing first: FIN, FIN_WAIT_2 on its ACK, the
     * peer's FIN acknowledged, TIME_WAIT; a retransmitted FIN there is acknowledged again (section
     * 3.10.7.4, "eighth"); after 2*MSL the connection is gone and a segment for it is refused.
     */
    @Test
    void activeCloseAndTimeWait() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            c.sys.sysctlWrite("net.inet.tcp.msl", "10");
            // the full 2*MSL of RFC 9293, not NetBSD's MSL truncation for near peers
            c.sysctlIfPresent("net.inet.tcp.mslt.enable", "0");
            Peer p = c.passiveOpen(PeerOpts.ALL);
            c.sys.close(p.fd);
            c.settle();
            p.expect(fin(p).ts(true));
            p.inject(p.ack());
            c.expectNothing("FIN_WAIT_2 waits for the peer's FIN");
            p.inject(p.fin());
            p.expect(p.expectAck());
            assertEquals(1, c.tcp.timeWaitCount(), "in TIME_WAIT\n" + c.state());
            c.advance(15 * SEC);
            // the peer lost our ACK and repeats its FIN
            p.sndNxt--;
            p.inject(p.fin());
            p.expect(p.expectAck());
            // RFC 1337: a RST does not cut TIME_WAIT short
            c.inject(p.seg().flags(TcpFlags.RST));
            c.expectNothing("a RST in TIME_WAIT is ignored");
            // 2*MSL (20 s) counted from the repeated FIN, not from the first
            c.advance(15 * SEC);
            assertEquals(1, c.tcp.timeWaitCount(), "2*MSL restarted by the repeated FIN\n" + c.state());
            c.advance(6 * SEC);
            assertEquals(0, c.tcp.timeWaitCount(), "TIME_WAIT over\n" + c.state());
            assertEquals(0, c.tcp.conns().size());
            p.inject(p.seg().data(5));
            c.expect(Expect.flags(TcpFlags.RST).seq(p.rcvNxt).len(0));
        }
    }

    /**
     * RFC 9293 section 3.6, the peer closing first: its FIN is acknowledged and reads as end of stream;
     * the kernel may still send (CLOSE_WAIT is half-open), then its own close sends FIN (LAST_ACK), and
     * the peer's ACK of that ends the connection.
     */
    @Test
    void passiveCloseStillSends() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            p.inject(p.fin());
            p.expect(p.expectAck());
            assertEquals(0, c.read(p.fd, 10).length, "end of stream");
            byte[] d = TcpTestContext.bytes(300, 9);
            c.write(p.fd, d);
            Sent s = p.expect(Expect.flags(TcpFlags.ACK | TcpFlags.PSH).ack(p.sndNxt).len(300));
            assertArrayEquals(d, s.payload());
            c.sys.close(p.fd);
            c.settle();
            p.expect(fin(p));
            p.inject(p.ack());
            c.expectNothing("LAST_ACK ends on the ACK of our FIN");
            assertEquals(0, c.tcp.conns().size(), c.state());
            assertEquals(0, c.tcp.timeWaitCount(), "the passive closer has no TIME_WAIT");
        }
    }

    /**
     * Half-close, RFC 9293 section 3.6: after {@code shutdown(SHUT_WR)} our FIN is out, and data the peer
     * goes on sending is still received and acknowledged.
     */
    @Test
    void halfCloseKeepsReceiving() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            c.sys.shutdown(p.fd, SocketDefs.SHUT_WR);
            c.settle();
            p.expect(fin(p));
            p.inject(p.ack());
            for (int i = 0; i < 3; i++) {
                p.inject(p.data(1000));
                p.expect(p.expectAck());
            }
            assertEquals(3000, c.read(p.fd, 5000).length);
            ErrnoException e = assertThrows(ErrnoException.class, () -> c.write(p.fd, new byte[1]));
            assertEquals(Errno.EPIPE, e.errno(), "no writing after SHUT_WR");
            p.inject(p.fin());
            p.expect(p.expectAck());
            assertEquals(0, c.read(p.fd, 10).length);
            assertEquals(1, c.tcp.timeWaitCount());
        }
    }

    /**
     * Simultaneous close, RFC 9293 section 3.6 figure 13: the FINs cross; each side ACKs the other's
     * FIN from CLOSING, and both end in TIME_WAIT.
     */
    @Test
    void simultaneousClose() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            c.sys.close(p.fd);
            c.settle();
            Sent ourFin = p.expect(fin(p));
            // the peer's FIN, sent before it saw ours: it acknowledges only up to our FIN
            int ack = p.rcvNxt;
            p.rcvNxt = ourFin.seq();
            p.inject(p.fin());
            p.rcvNxt = ack;
            p.expect(Expect.flags(TcpFlags.ACK).seq(ourFin.seq() + 1).ack(p.sndNxt).len(0));
            p.inject(p.ack());
            c.expectNothing("CLOSING ends on the ACK of our FIN");
            assertEquals(1, c.tcp.timeWaitCount(), "TIME_WAIT after a simultaneous close\n" + c.state());
        }
    }

    /**
     * {@code SO_LINGER} with 0 seconds (RFC 9293 section 3.10.5 ABORT): close sends a RST instead of a
     * FIN, queued data is not sent, and the connection is gone at once.
     */
    @Test
    void lingerZeroAborts() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            p.window = 0;
            p.inject(p.ack());
            c.write(p.fd, new byte[500]);
            c.expectNothing("the peer's window is closed");
            c.sys.setsockopt(p.fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_LINGER, 0);
            c.sys.close(p.fd);
            c.settle();
            c.expect(Expect.flags(TcpFlags.RST | TcpFlags.ACK).seq(p.rcvNxt).ack(p.sndNxt).len(0).window(0));
            c.expectSilenceFor(120 * SEC, "nothing after the RST");
            assertEquals(0, c.tcp.conns().size());
            assertEquals(0, c.tcp.timeWaitCount());
        }
    }

    /**
     * RFC 1122 section 4.2.2.13 and RFC 9293 section 3.10.4: closing with received data unread resets the
     * connection (the peer learns its data was not consumed) instead of a graceful FIN.
     */
    @Test
    void closeWithUnreadDataResets() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            p.inject(p.data(100));
            p.expect(p.expectAck());
            c.sys.close(p.fd);
            c.settle();
            c.expect(Expect.flags(TcpFlags.RST | TcpFlags.ACK).seq(p.rcvNxt).ack(p.sndNxt).len(0));
            c.expectNothing("a RST and nothing else");
            assertEquals(0, c.tcp.conns().size());
        }
    }

    /**
     * RFC 1122 section 4.2.2.13: data arriving for a socket that was closed (FIN_WAIT after close) has
     * nobody to read it: the connection is reset.
     */
    @Test
    void dataAfterCloseResets() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            c.sys.close(p.fd);
            c.settle();
            p.expect(fin(p));
            p.inject(p.ack());
            p.inject(p.data(10));
            c.expect(Expect.flags(TcpFlags.RST | TcpFlags.ACK).seq(p.rcvNxt).len(0));
            assertEquals(0, c.tcp.conns().size());
        }
    }

    /**
     * FIN_WAIT_2 after close (BSD's {@code tcp_fin_wait_2} timeout; RFC 9293 section 3.10.7.4 lets it
     * wait forever, but nobody can read any more): a peer that never sends its FIN does not hold the
     * connection beyond 2*MSL; afterwards its segments are refused.
     */
    @Test
    void finWait2WithoutSocketTimesOut() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            c.sys.sysctlWrite("net.inet.tcp.msl", "10");
            Peer p = c.passiveOpen(PeerOpts.MSS);
            c.sys.close(p.fd);
            c.settle();
            p.expect(fin(p));
            p.inject(p.ack());
            c.expectSilenceFor(19 * SEC, "FIN_WAIT_2 waits quietly");
            assertEquals(1, c.tcp.conns().size(), "still waiting for the peer's FIN\n" + c.state());
            c.advance(3 * SEC);
            assertEquals(0, c.tcp.conns().size(), "given up after 2*MSL\n" + c.state());
            p.inject(p.seg().data(5));
            c.expect(Expect.flags(TcpFlags.RST).seq(p.rcvNxt).len(0));
        }
    }

    /**
     * RFC 9293 section 3.10.4: CLOSE with data queued behind a zero window: the FIN waits behind the
     * data; the window is probed; when it opens, the data and the FIN follow.
     */
    @Test
    void closeBehindZeroWindowSendsDataThenFin() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            p.window = 0;
            p.inject(p.ack());
            c.write(p.fd, TcpTestContext.bytes(300, 6));
            c.sys.close(p.fd);
            c.settle();
            c.expectNothing("neither data nor FIN fits a zero window");
            Sent probe = c.awaitSegment(10 * SEC);
            org.junit.jupiter.api.Assertions.assertTrue(probe != null && probe.len() == 1 && !probe.has(TcpFlags.FIN),
                    "a one-byte probe without FIN: " + probe);
            p.window = 65535;
            p.inject(p.ack());
            Sent d = p.expect(Expect.flags(TcpFlags.ACK | TcpFlags.FIN).anyPsh().seq(p.rcvNxt).len(300));
            assertArrayEquals(TcpTestContext.bytes(300, 6), d.payload());
            p.inject(p.ack());
            p.inject(p.fin());
            p.expect(p.expectAck());
            assertEquals(1, c.tcp.timeWaitCount());
        }
    }

    /** RFC 6298 section 5 for the FIN: unacknowledged, it is retransmitted with backoff like data. */
    @Test
    void finIsRetransmitted() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            c.sys.shutdown(p.fd, SocketDefs.SHUT_WR);
            c.settle();
            Sent f = p.expect(fin(p));
            long last = f.atNanos();
            long gap = SEC;
            for (int i = 0; i < 3; i++) {
                Sent r = c.awaitSegment(10 * SEC);
                org.junit.jupiter.api.Assertions.assertTrue(r != null && r.has(TcpFlags.FIN) && r.seq() == f.seq(),
                        "FIN retransmission " + i + ": " + r);
                assertEquals(gap, r.atNanos() - last, TcpTestContext.TICK);
                last = r.atNanos();
                gap *= 2;
            }
            p.inject(p.ack());
            c.expectSilenceFor(30 * SEC, "acknowledged: no more retransmissions");
        }
    }
}
