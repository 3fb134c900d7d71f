package io.jrump.netinet.tcp;

import static io.jrump.netinet.tcp.TcpTestContext.SEC;
import static io.jrump.netinet.tcp.TcpTestContext.TICK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.netinet.tcp.TcpTestContext.PeerOpts;
import io.jrump.wire.TcpFlags;
import org.junit.jupiter.api.Test;

/**
 * Keepalives, RFC 1122 section 4.2.3.6: with {@code SO_KEEPALIVE} an idle connection is probed after
 * {@code TCP_KEEPIDLE} seconds with a segment whose sequence number is one below SND.NXT, so that the
 * peer must acknowledge it; probes repeat every {@code TCP_KEEPINTVL} and after {@code TCP_KEEPCNT}
 * unanswered ones the connection is dropped (ETIMEDOUT). A probe from the peer is answered.
 */
class TcpKeepaliveTest {
    private static Peer keepaliveConnection(TcpTestContext c) throws Exception {
        Peer p = c.passiveOpen(PeerOpts.MSS);
        c.sys.setsockopt(p.fd, SocketDefs.IPPROTO_TCP, SocketDefs.TCP_KEEPIDLE, 10);
        c.sys.setsockopt(p.fd, SocketDefs.IPPROTO_TCP, SocketDefs.TCP_KEEPINTVL, 5);
        c.sys.setsockopt(p.fd, SocketDefs.IPPROTO_TCP, SocketDefs.TCP_KEEPCNT, 3);
        c.sys.setsockopt(p.fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_KEEPALIVE, 1);
        return p;
    }

    private static Expect probe(Peer p) {
        return Expect.flags(TcpFlags.ACK).seq(p.rcvNxt - 1).ack(p.sndNxt).len(0);
    }

    /** RFC 1122 section 4.2.3.6: an answered probe keeps the connection; the next comes after another idle period. */
    @Test
    void answeredProbesKeepTheConnection() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = keepaliveConnection(c);
            long start = c.clock.monotonicNanos();
            for (int i = 0; i < 3; i++) {
                Sent s = c.awaitSegment(11 * SEC);
                assertTrue(s != null, "probe " + i + "\n" + c.state());
                assertTrue(probe(p).mismatches(s).isEmpty(), "probe " + i + ": " + s + " " + probe(p).mismatches(s));
                assertEquals(10 * SEC, s.atNanos() - start, TICK, "idle time before probe " + i);
                p.inject(p.ack());
                c.expectNothing("the answer needs none");
                start = c.clock.monotonicNanos();
            }
            assertEquals(TcpState.ESTABLISHED, p.tcb().state);
        }
    }

    /**
     * RFC 1122 section 4.2.3.6: unanswered probes every {@code TCP_KEEPINTVL}; after {@code TCP_KEEPCNT}
     * of them the connection is dropped with ETIMEDOUT and a RST.
     */
    @Test
    void unansweredProbesDropTheConnection() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = keepaliveConnection(c);
            long last = c.clock.monotonicNanos();
            for (int i = 0; i < 3; i++) {
                Sent s = c.awaitSegment(11 * SEC);
                assertTrue(s != null && probe(p).mismatches(s).isEmpty(), "probe " + i + ": " + s);
                assertEquals(i == 0 ? 10 * SEC : 5 * SEC, s.atNanos() - last, TICK, "interval before probe " + i);
                last = s.atNanos();
            }
            Sent rst = c.awaitSegment(6 * SEC);
            assertTrue(rst != null, "the drop is announced\n" + c.state());
            assertTrue(Expect.flags(TcpFlags.RST | TcpFlags.ACK).seq(p.rcvNxt).len(0).mismatches(rst).isEmpty(),
                    rst.toString());
            ErrnoException e = assertThrows(ErrnoException.class, () -> c.read(p.fd, 10));
            assertEquals(Errno.ETIMEDOUT, e.errno());
        }
    }

    /**
     * RFC 1122 section 4.2.3.6 and RFC 9293 section 3.10.7.4: the peer's keepalive probe (SEG.SEQ =
     * RCV.NXT - 1, no data) is not acceptable and must be answered with an ACK, or a keepalive peer
     * would drop a healthy connection.
     */
    @Test
    void peerProbeIsAnswered() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            c.inject(p.seg().seq(p.sndNxt - 1));
            p.expect(p.expectAck());
            // with the one garbage byte BSD once sent
            c.inject(p.seg().seq(p.sndNxt - 1).data(1));
            p.expect(p.expectAck());
        }
    }

    /**
     * RFC 7323 section 3.2: once timestamps are agreed, every segment but a RST carries them, a keepalive
     * probe included; a peer may drop one without (same section), and would then let the probes go
     * unanswered and the connection be dropped.
     */
    @Test
    void probeCarriesTimestamps() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.ALL);
            c.sys.setsockopt(p.fd, SocketDefs.IPPROTO_TCP, SocketDefs.TCP_KEEPIDLE, 10);
            c.sys.setsockopt(p.fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_KEEPALIVE, 1);
            Sent s = c.awaitSegment(11 * SEC);
            assertTrue(s != null, "a probe\n" + c.state());
            java.util.List<String> bad = probe(p).tsEcr(p.tsClock).window(p.windowField(TcpTestContext.RCVBUF))
                    .mismatches(s);
            assertTrue(bad.isEmpty(), s + " " + bad);
        }
    }
}
