package io.jrump.netinet.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrump.netinet.tcp.TcpTestContext.PeerOpts;
import io.jrump.wire.TcpFlags;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Out-of-order arrival, RFC 9293 section 3.10.7.4 ("seventh, process the segment text") and RFC 5681
 * section 4.2: segments beyond a hole wait and are acknowledged at once with the hole's ACK; when the
 * hole fills, everything queued is delivered in order, overlaps counted once; a FIN beyond the hole
 * takes effect when the data before it arrives.
 */
class TcpReassemblyTest {
    /** The peer's byte stream from {@code base}: byte {@code i} is {@code (i * 7 + 3)}. */
    private static byte[] stream(int from, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) ((from + i) * 7 + 3);
        }
        return b;
    }

    private static void send(Peer p, int base, int off, int len, int flags) {
        p.inject(p.seg().seq(base + off).flags(flags).data(stream(off, len)));
    }

    private static byte[] readAll(TcpTestContext c, Peer p) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (;;) {
            byte[] b;
            try {
                b = c.read(p.fd, 65536);
            } catch (io.jrump.kern.ErrnoException e) {
                break;
            }
            if (b.length == 0) {
                break;
            }
            out.write(b);
        }
        return out.toByteArray();
    }

    /** Reordered and overlapping segments arrive as one exact stream. */
    @Test
    void reorderedOverlappingSegmentsDeliverInOrder() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            int b = p.sndNxt;
            int[][] order = {{1000, 500}, {3000, 1000}, {1200, 1000}, {2500, 800}, {0, 1100}, {2100, 400}};
            for (int[] s : order) {
                send(p, b, s[0], s[1], TcpFlags.ACK);
            }
            Sent last = null;
            for (Sent s : c.drain()) {
                last = s;
            }
            assertEquals(b + 4000, last.ack(), "everything acknowledged: " + last);
            assertArrayEquals(stream(0, 4000), readAll(c, p));
        }
    }

    /**
     * A segment beyond the hole that repeats one already queued is a complete duplicate, counted as one, not
     * as a drop for a full reassembly queue; the stream still arrives exactly once.
     */
    @Test
    void aRepeatedOutOfOrderSegmentIsADuplicateNotAFullQueue() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            int b = p.sndNxt;
            long dup0 = c.tcp.stats().get("completely duplicate packets");
            send(p, b, 1000, 500, TcpFlags.ACK);
            send(p, b, 1000, 500, TcpFlags.ACK);
            send(p, b, 1100, 200, TcpFlags.ACK);
            assertEquals(0, c.tcp.stats().get("segments dropped for a full reassembly queue"));
            assertEquals(2, c.tcp.stats().get("completely duplicate packets") - dup0);
            send(p, b, 0, 1000, TcpFlags.ACK);
            c.drain();
            assertArrayEquals(stream(0, 1500), readAll(c, p));
        }
    }

    /**
     * A FIN that arrives beyond a hole is held with its data: the ACK stays at the hole, and once the
     * hole fills the ACK covers the FIN and the reader sees end of stream after every byte.
     */
    @Test
    void finBeyondHoleWaitsForTheData() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            int b = p.sndNxt;
            send(p, b, 500, 500, TcpFlags.ACK | TcpFlags.FIN);
            c.expect(Expect.flags(TcpFlags.ACK).ack(b).len(0));
            assertEquals(TcpState.ESTABLISHED, p.tcb().state, "the FIN is not in sequence yet");
            send(p, b, 0, 500, TcpFlags.ACK);
            c.expect(Expect.flags(TcpFlags.ACK).ack(b + 1001).len(0));
            assertEquals(TcpState.CLOSE_WAIT, p.tcb().state);
            byte[] got = c.read(p.fd, 4096);
            assertArrayEquals(stream(0, 1000), got);
            assertEquals(0, c.read(p.fd, 10).length, "end of stream after the data");
        }
    }

    /** A retransmission overlapping data already received delivers only the new part. */
    @Test
    void partlyOldSegmentDeliversOnlyNewBytes() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            int b = p.sndNxt;
            send(p, b, 0, 600, TcpFlags.ACK);
            c.expect(Expect.flags(TcpFlags.ACK).ack(b + 600));
            send(p, b, 300, 700, TcpFlags.ACK);
            c.expect(Expect.flags(TcpFlags.ACK).ack(b + 1000));
            assertArrayEquals(stream(0, 1000), readAll(c, p));
        }
    }
}
