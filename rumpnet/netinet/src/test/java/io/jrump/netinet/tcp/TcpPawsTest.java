package io.jrump.netinet.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.netinet.tcp.TcpTestContext.PeerOpts;
import io.jrump.wire.TcpFlags;
import org.junit.jupiter.api.Test;

/**
 * Protection Against Wrapped Sequences, RFC 7323 section 5: a segment whose TSval is older than
 * TS.Recent is a duplicate from an earlier pass through sequence space; it is acknowledged and
 * dropped (rule R1), unless it is a RST or TS.Recent has gone stale after 24 days of idleness
 * (section 5.5). TS.Recent follows only segments that cover the left window edge (section 4.3).
 */
class TcpPawsTest {
    /** RFC 7323 section 5.3 R1: data with an old TSval is not accepted; the ACK repeats RCV.NXT and TS.Recent. */
    @Test
    void oldTimestampDataIsDropped() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.ALL);
            p.tsClock = 5000;
            p.inject(p.data(10));
            p.expect(p.expectAck().tsEcr(5000));
            int before = p.sndNxt;
            p.tsClock = 4000;
            p.inject(p.data(20));
            p.sndNxt = before;
            p.expect(Expect.flags(TcpFlags.ACK).seq(p.rcvNxt).ack(before).len(0).tsEcr(5000));
            assertEquals(10, c.read(p.fd, 100).length, "only the first segment's data arrived");
            assertEquals(1, c.tcp.stats().get("segments dropped by PAWS"), c.tcp.stats().snapshot().toString());
        }
    }

    /**
     * Our ACK of a segment was lost and the peer retransmits it later: the duplicate is acknowledged with
     * the retransmission's TSval echoed, not the original's (BSD's rule for RCV.NXT == Last.ACK.sent,
     * Stevens vol. 2 p. 869), so the peer's round-trip sample is the retransmission's and not the whole time
     * since the original was sent, its timeouts included.
     */
    @Test
    void duplicateOfAcknowledgedDataEchoesItsOwnTimestamp() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.ALL);
            p.tsClock = 5000;
            p.inject(p.data(100));
            p.expect(p.expectAck().tsEcr(5000));
            // the ACK is lost; 3 s later the peer retransmits the same 100 bytes
            p.sndNxt -= 100;
            p.tsClock = 8000;
            p.inject(p.data(100));
            p.expect(p.expectAck().tsEcr(8000));
            // and the echo keeps following the peer's clock for data in order
            p.tsClock = 8010;
            p.inject(p.data(10));
            p.expect(p.expectAck().tsEcr(8010));
            assertEquals(110, c.read(p.fd, 1000).length, "the duplicate was not delivered twice");
        }
    }

    /** RFC 7323 section 5.3 R1: a pure ACK with an old TSval acknowledges nothing; the data is retransmitted. */
    @Test
    void oldTimestampAckIsIgnored() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.ALL);
            p.tsClock = 5000;
            p.inject(p.ack());
            c.write(p.fd, new byte[100]);
            Sent d = p.expect(Expect.flags(TcpFlags.ACK | TcpFlags.PSH).len(100));
            p.tsClock = 4000;
            p.inject(p.ack());
            p.expect(p.expectAck().tsEcr(5000));
            c.advance(1100 * TcpTestContext.MS);
            Sent r = c.expect(Expect.flags(TcpFlags.ACK).anyPsh().seq(d.seq()).len(100));
            assertEquals(d.seq(), r.seq());
        }
    }

    /** RFC 7323 section 5.3 R1 applies only "if the RST bit is off": a RST with an old TSval still resets. */
    @Test
    void rstIsExemptFromPaws() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.ALL);
            p.tsClock = 5000;
            p.inject(p.data(1));
            p.expect(p.expectAck());
            p.tsClock = 1;
            c.inject(p.seg().flags(TcpFlags.RST));
            c.expectNothing("a RST is not answered");
            ErrnoException e = assertThrows(ErrnoException.class, () -> {
                c.read(p.fd, 10);
                c.read(p.fd, 10);
            });
            assertEquals(Errno.ECONNRESET, e.errno());
        }
    }

    /** RFC 7323 section 5.5: after more than 24 days idle TS.Recent is invalid and an old TSval is accepted. */
    @Test
    void staleTsRecentIsForgotten() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.ALL);
            p.tsClock = 1_000_000;
            p.inject(p.data(10));
            p.expect(p.expectAck());
            c.advance(25L * 86400 * TcpTestContext.SEC);
            p.tsClock = 500;
            p.inject(p.data(10));
            p.expect(p.expectAck().tsEcr(500));
            assertEquals(20, c.read(p.fd, 100).length);
        }
    }

    /**
     * RFC 7323 section 4.3: TS.Recent takes the TSval of a segment that covers Last.ACK.sent, not of an
     * out-of-order one: the ACK for a segment beyond a hole still echoes the in-order segment's TSval.
     */
    @Test
    void outOfOrderSegmentDoesNotUpdateTsRecent() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.ALL);
            p.tsClock = 300;
            p.inject(p.data(10));
            p.expect(p.expectAck().tsEcr(300));
            int hole = p.sndNxt;
            p.tsClock = 400;
            p.inject(p.seg().seq(hole + 100).flags(TcpFlags.ACK).data(50));
            c.expect(Expect.flags(TcpFlags.ACK).ack(hole).tsEcr(300).sack(hole + 100, hole + 150));
        }
    }

    /**
     * RFC 7323 section 4.3 (case A): when one ACK covers two segments (the delayed ACK of RFC 1122
     * section 4.2.3.2), it echoes the TSval of the earlier one, so that the peer's RTT sample includes the
     * delay.
     */
    @Test
    void delayedAckEchoesTheEarlierTimestamp() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            c.sys.sysctlWrite("net.inet.tcp.quickack", "0");
            Peer p = c.passiveOpen(PeerOpts.ALL);
            p.tsClock = 200;
            p.inject(p.data(1448));
            c.expectNothing("the first ACK is delayed");
            p.tsClock = 201;
            p.inject(p.data(1448));
            p.expect(p.expectAck().tsEcr(200));
        }
    }
}
