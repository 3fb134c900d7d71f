package io.jrump.netinet.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.netinet.tcp.TcpTestContext.PeerOpts;
import io.jrump.wire.TcpFlags;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Selective acknowledgements, RFC 2018: the receiver reports the blocks it holds beyond a hole, the
 * newest first, never a block at or below the cumulative ACK, and no more than the option space holds;
 * the sender (RFC 6675) retransmits the hole and not what the peer holds.
 */
class TcpSackTest {
    /** Sends {@code len} bytes at {@code off} past {@code base} out of order. */
    private static void at(Peer p, int base, int off, int len) {
        p.inject(p.seg().seq(base + off).flags(TcpFlags.ACK).data(len));
    }

    /**
     * RFC 2018 section 4 and RFC 7323 section 3.2: with timestamps there is room for three blocks, without
     * for four; the newest is always first.
     */
    @Test
    void blocksFitTheOptionSpace() throws Exception {
        for (boolean ts : new boolean[] {true, false}) {
            try (TcpTestContext c = new TcpTestContext()) {
                Peer p = c.passiveOpen(PeerOpts.ALL.withTs(ts));
                int b = p.sndNxt;
                for (int i = 1; i <= 5; i++) {
                    at(p, b, 200 * i, 100);
                    Sent s = c.expect(Expect.flags(TcpFlags.ACK).ack(b).ts(ts));
                    List<io.jrump.wire.TcpRepr.SackBlock> blocks = s.tcp().sackBlocks();
                    assertEquals(Math.min(i, ts ? 3 : 4), blocks.size(), s.toString());
                    assertEquals(b + 200 * i, blocks.get(0).left(), "newest block first: " + s);
                }
            }
        }
    }

    /** RFC 2018 section 2: without SACK-permitted in the peer's SYN, no SACK option is ever sent. */
    @Test
    void noBlocksWithoutPermission() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.ALL.withSack(false));
            int b = p.sndNxt;
            at(p, b, 100, 100);
            c.expect(Expect.flags(TcpFlags.ACK).ack(b).sack());
        }
    }

    /**
     * RFC 6675 section 5: after three duplicate ACKs whose SACK blocks show the first segment missing,
     * the sender retransmits that segment alone, not the ones the peer holds; the cumulative ACK then
     * ends recovery.
     */
    @Test
    void senderRetransmitsOnlyTheHole() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.ALL);
            int mss = 1448;
            // grow the congestion window past the initial three segments
            c.write(p.fd, TcpTestContext.bytes(3 * mss, 1));
            for (Sent s : c.drain()) {
                p.saw(s);
            }
            p.inject(p.ack());
            c.expectNothing("all acknowledged");
            c.write(p.fd, TcpTestContext.bytes(5 * mss, 2));
            List<Sent> flight = c.drain();
            assertEquals(5, flight.size(), "five segments in flight: " + flight);
            int una = flight.get(0).seq();
            // the first is lost; the peer SACKs the others one by one
            for (int i = 1; i < 5; i++) {
                p.inject(p.seg().ack(una).sack(una + mss, una + (i + 1) * mss));
            }
            List<Sent> rexmit = c.drain();
            assertTrue(!rexmit.isEmpty(), "a retransmission after the duplicate ACKs\n" + c.state());
            for (Sent s : rexmit) {
                assertEquals(una, s.seq(), "only the hole is retransmitted: " + rexmit);
                assertEquals(mss, s.len());
            }
            assertEquals(1, rexmit.size(), "one retransmission: " + rexmit);
            p.inject(p.seg().ack(una + 5 * mss));
            c.expectNothing("recovered, nothing left to send");
            assertEquals(1, c.tcp.stats().get("SACK recovery episodes"));
        }
    }

    /**
     * RFC 2018 section 4: each out-of-order segment draws an immediate ACK (RFC 5681 section 4.2) whose
     * first block is the one holding that segment; blocks already covered by the cumulative ACK are
     * not reported; once the holes fill there is no option at all.
     */
    @Test
    void blocksAfterHoles() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.ALL);
            int b = p.sndNxt;
            at(p, b, 300, 100);
            c.expect(Expect.flags(TcpFlags.ACK).seq(p.rcvNxt).ack(b).len(0).sack(b + 300, b + 400));
            at(p, b, 100, 100);
            c.expect(Expect.flags(TcpFlags.ACK).ack(b).sack(b + 100, b + 200, b + 300, b + 400));
            at(p, b, 200, 50);
            c.expect(Expect.flags(TcpFlags.ACK).ack(b).sack(b + 100, b + 250, b + 300, b + 400));
            // the first hole fills: the cumulative ACK moves to the next hole; the block it passed is gone
            at(p, b, 0, 100);
            c.expect(Expect.flags(TcpFlags.ACK).ack(b + 250).sack(b + 300, b + 400));
            at(p, b, 250, 50);
            c.expect(Expect.flags(TcpFlags.ACK).ack(b + 400).sack());
            assertEquals(400, c.read(p.fd, 1000).length);
        }
    }
}
