package io.jrump.netinet.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.netinet.tcp.TcpTestContext.PeerOpts;
import io.jrump.wire.TcpFlags;
import org.junit.jupiter.api.Test;

/**
 * Resets and their blind-injection defences: RFC 5961 section 3 (a RST resets only at exactly RCV.NXT,
 * draws a challenge ACK elsewhere in the window, and is ignored outside it), section 4 (a SYN on a
 * synchronized connection draws a challenge ACK), section 7 (challenge ACKs are rate limited), and the
 * RST rules of RFC 9293 section 3.10.7 for embryonic connections.
 */
class TcpRstTest {
    private static void assertReset(TcpTestContext c, Peer p) {
        ErrnoException e = assertThrows(ErrnoException.class, () -> c.read(p.fd, 10));
        assertEquals(Errno.ECONNRESET, e.errno(), "read after the reset: " + e);
        assertEquals(0, c.tcp.conns().size(), "the connection is gone\n" + c.state());
    }

    /** RFC 5961 section 3.2: a RST whose sequence number is exactly RCV.NXT resets the connection, silently. */
    @Test
    void exactRstResets() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            c.inject(p.seg().flags(TcpFlags.RST).ack(0));
            c.expectNothing("a RST is never answered");
            assertReset(c, p);
            c.sys.close(p.fd);
        }
    }

    /**
     * RFC 5961 section 3.2: a RST in the window but not at RCV.NXT is answered with a challenge ACK
     * {@code <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>} and does not reset; the real peer's answer to that ACK
     * (an exact RST) would.
     */
    @Test
    void inWindowRstDrawsChallengeAck() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.ALL);
            c.inject(p.seg().seq(p.sndNxt + 1000).flags(TcpFlags.RST | TcpFlags.ACK));
            p.expect(p.expectAck().window(p.windowField(TcpTestContext.RCVBUF)));
            c.expectNothing("one challenge ACK");
            assertEquals(TcpState.ESTABLISHED, p.tcb().state);
            // the connection still works
            p.inject(p.data(10));
            p.expect(p.expectAck());
            assertEquals(10, c.read(p.fd, 100).length);
        }
    }

    /** RFC 5961 section 3.2 and RFC 9293 section 3.10.7.4: a RST outside the window is dropped silently. */
    @Test
    void outOfWindowRstIgnored() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            int wnd = p.windowField(TcpTestContext.RCVBUF) << p.kernelScale();
            c.inject(p.seg().seq(p.sndNxt + wnd + 1).flags(TcpFlags.RST));
            c.inject(p.seg().seq(p.sndNxt + wnd).flags(TcpFlags.RST));
            c.inject(p.seg().seq(p.sndNxt - 1).flags(TcpFlags.RST));
            c.inject(p.seg().seq(p.sndNxt - 100000).flags(TcpFlags.RST));
            c.expectNothing("out-of-window RSTs draw nothing");
            assertEquals(TcpState.ESTABLISHED, p.tcb().state);
            p.inject(p.data(10));
            p.expect(p.expectAck());
        }
    }

    /**
     * RFC 5961 section 4.2: a SYN on an established connection, in the window or not, is answered with
     * a challenge ACK and changes nothing.
     */
    @Test
    void synInSynchronizedStateDrawsChallengeAck() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.ALL);
            c.inject(p.seg().flags(TcpFlags.SYN).ack(0).mss(1460));
            p.expect(p.expectAck());
            c.inject(p.seg().seq(p.sndNxt + 100).flags(TcpFlags.SYN).ack(0));
            p.expect(p.expectAck());
            c.inject(p.seg().seq(p.sndNxt - 5_000_000).flags(TcpFlags.SYN | TcpFlags.ACK));
            p.expect(p.expectAck());
            assertEquals(TcpState.ESTABLISHED, p.tcb().state);
            p.inject(p.data(10));
            p.expect(p.expectAck());
        }
    }

    /** RFC 5961 section 7: no more challenge ACKs per second than {@code net.inet.tcp.challenge_ack_limit}. */
    @Test
    void challengeAcksAreRateLimited() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            c.sys.sysctlWrite("net.inet.tcp.challenge_ack_limit", "3");
            Peer p = c.passiveOpen(PeerOpts.MSS);
            for (int i = 0; i < 10; i++) {
                c.inject(p.seg().seq(p.sndNxt + 10 + i).flags(TcpFlags.RST));
            }
            assertEquals(3, c.drain().size(), "challenge ACKs in one second");
            c.advance(1100 * TcpTestContext.MS);
            c.inject(p.seg().seq(p.sndNxt + 10).flags(TcpFlags.RST));
            p.expect(p.expectAck());
        }
    }

    /**
     * RFC 9293 section 3.10.7.3: in SYN_SENT a RST is acceptable only if it acknowledges our SYN; then
     * the connection is refused (ECONNREFUSED). Without ACK it is dropped.
     */
    @Test
    void rstInSynSent() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            int fd = c.socket();
            assertThrows(ErrnoException.class,
                    () -> c.sys.connect(fd, SockAddr.in(TcpTestContext.REMOTE, TcpTestContext.REMOTE_PORT)));
            c.settle();
            Sent syn = c.expect(Expect.flags(TcpFlags.SYN));
            int lport = syn.tcp().sourcePort();
            c.inject(c.seg().ports(TcpTestContext.REMOTE_PORT, lport).seq(0).flags(TcpFlags.RST));
            c.inject(c.seg().ports(TcpTestContext.REMOTE_PORT, lport).seq(0).ack(syn.seq() + 7)
                    .flags(TcpFlags.RST | TcpFlags.ACK));
            c.expectNothing("RSTs are not answered");
            assertEquals(1, c.tcp.conns().size(), "still connecting\n" + c.state());
            c.inject(c.seg().ports(TcpTestContext.REMOTE_PORT, lport).seq(0).ack(syn.seq() + 1)
                    .flags(TcpFlags.RST | TcpFlags.ACK));
            assertEquals(Errno.ECONNREFUSED, c.soError(fd));
            assertEquals(0, c.tcp.conns().size());
            c.expectNothing("a refused connection sends nothing");
            c.sys.close(fd);
        }
    }

    /**
     * RFC 5961 section 3.2 for the SYN cache: only a RST at exactly IRS+1 removes an embryonic
     * connection; afterwards the handshake's ACK finds nothing and is reset (RFC 9293 section 3.10.7.2).
     */
    @Test
    void rstForEmbryonicConnection() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            c.listen(5);
            c.inject(c.seg().seq(1000).flags(TcpFlags.SYN).mss(1460));
            Sent synAck = c.expect(Expect.flags(TcpFlags.SYN | TcpFlags.ACK).ack(1001));
            c.inject(c.seg().seq(1005).flags(TcpFlags.RST));
            assertEquals(1, c.tcp.synCacheCount(), "a RST off by a few is ignored");
            c.inject(c.seg().seq(1001).flags(TcpFlags.RST));
            assertEquals(0, c.tcp.synCacheCount(), "the exact RST removed the entry");
            c.expectNothing("RSTs are not answered");
            c.inject(c.seg().seq(1001).ack(synAck.seq() + 1).flags(TcpFlags.ACK));
            c.expect(Expect.flags(TcpFlags.RST).seq(synAck.seq() + 1).len(0));
            assertEquals(0, c.tcp.conns().size());
        }
    }

    /**
     * After the peer's reset (RFC 9293 section 3.10.7.4, "second") a write fails with EPIPE, as
     * NetBSD's {@code sosend} checks SS_CANTSENDMORE before the pending error, and the pending
     * ECONNRESET is still reported to the reader; nothing more goes on the wire.
     */
    @Test
    void writeAfterResetFailsWithEpipe() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            c.inject(p.seg().flags(TcpFlags.RST));
            ErrnoException w = assertThrows(ErrnoException.class, () -> c.write(p.fd, new byte[10]));
            assertEquals(Errno.EPIPE, w.errno(), w.toString());
            ErrnoException r = assertThrows(ErrnoException.class, () -> c.read(p.fd, 10));
            assertEquals(Errno.ECONNRESET, r.errno(), r.toString());
            c.expectNothing("a reset connection sends nothing");
        }
    }
}
