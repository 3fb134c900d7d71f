package io.jrump.netinet.tcp;

import static io.jrump.netinet.tcp.TcpTestContext.MS;
import static io.jrump.netinet.tcp.TcpTestContext.TICK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.netinet.tcp.TcpTestContext.PeerOpts;
import io.jrump.wire.TcpFlags;
import org.junit.jupiter.api.Test;

/**
 * The acknowledgement policy, RFC 1122 section 4.2.3.2 and RFC 5681 section 4.2: an ACK may be delayed,
 * but by less than 0.5 s ({@code net.inet.tcp.delack_ticks}, 100 ms here) and never past the second
 * full-sized segment; the first {@code net.inet.tcp.quickack} segments of a connection are ACKed at
 * once so that the peer's slow start is not held back; a delayed ACK rides on data sent meanwhile.
 */
class TcpDelayedAckTest {
    private static TcpTestContext context(int quickAcks) throws Exception {
        TcpTestContext c = new TcpTestContext();
        c.sys.sysctlWrite("net.inet.tcp.quickack", Integer.toString(quickAcks));
        return c;
    }

    /** RFC 1122 section 4.2.3.2: a lone segment's ACK waits for the delayed-ACK timer, no longer. */
    @Test
    void loneSegmentAckIsDelayed() throws Exception {
        try (TcpTestContext c = context(0)) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            long t = c.clock.monotonicNanos();
            p.inject(p.data(100));
            c.expectNothing("the ACK is delayed");
            Sent a = c.awaitSegment(500 * MS);
            assertTrue(a != null, "an ACK within 0.5 s (RFC 1122 section 4.2.3.2)");
            assertTrue(p.expectAck().mismatches(a).isEmpty(), a + " " + p.expectAck().mismatches(a));
            assertEquals(100 * MS, a.atNanos() - t, TICK, "delack_ticks of 100 ms");
        }
    }

    /** RFC 5681 section 4.2: at least every second full-sized segment is ACKed at once. */
    @Test
    void everySecondFullSegmentIsAcked() throws Exception {
        try (TcpTestContext c = context(0)) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            for (int i = 0; i < 3; i++) {
                p.inject(p.data(1460));
                c.expectNothing("the first of two segments waits");
                p.inject(p.data(1460));
                p.expect(p.expectAck());
            }
        }
    }

    /**
     * RFC 5681 section 4.2 counts full-sized segments of the wire: one segment carrying several of them (a
     * 64 KB GSO frame from a Linux tap) is ACKed at once, and so is a lone full-sized one that follows it.
     */
    @Test
    void aSegmentLargerThanTheMssIsAckedAtOnce() throws Exception {
        try (TcpTestContext c = context(0)) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            for (int i = 0; i < 2; i++) {
                p.inject(p.data(3 * 1460));
                p.expect(p.expectAck());
            }
            p.inject(p.data(1460));
            c.expectNothing("a full-sized segment after the ACK waits for its second, as before");
        }
    }

    /** The quick-ACK start: the first {@code net.inet.tcp.quickack} segments are ACKed one by one, at once. */
    @Test
    void quickAckAtStart() throws Exception {
        try (TcpTestContext c = context(4)) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            for (int i = 0; i < 4; i++) {
                p.inject(p.data(100));
                p.expect(p.expectAck());
            }
            p.inject(p.data(100));
            c.expectNothing("after the quick ACKs the delay applies");
        }
    }

    /** RFC 1122 section 4.2.3.2: data the application sends meanwhile carries the delayed ACK. */
    @Test
    void delayedAckRidesOnData() throws Exception {
        try (TcpTestContext c = context(0)) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            p.inject(p.data(100));
            c.expectNothing("the ACK is delayed");
            c.advance(20 * MS);
            c.write(p.fd, new byte[50]);
            p.expect(Expect.flags(TcpFlags.ACK | TcpFlags.PSH).seq(p.rcvNxt).ack(p.sndNxt).len(50));
            c.expectSilenceFor(300 * MS, "no separate ACK: the data carried it");
        }
    }
}
