package io.jrump.netinet.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.netinet.tcp.TcpTestContext.PeerOpts;
import io.jrump.wire.TcpFlags;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The first flight of a new connection, counted on the wire: {@code net.inet.tcp.init_win} segments (RFC
 * 6928, ten by default), RFC 5681 section 3.1's two to four when it is 0, and one segment after a lost SYN
 * or SYN,ACK (RFC 5681 section 3.1, RFC 6928 section 2).
 */
class TcpInitialWindowTest {
    private static final long SEC = 1_000_000_000L;

    /** Writes more than the window holds and counts the full segments that leave before any ACK. */
    private static int firstFlight(TcpTestContext c, Peer p, int mss) throws Exception {
        byte[] out = TcpTestContext.bytes(30 * mss, 3);
        assertEquals(out.length, c.write(p.fd, out));
        int n = 0;
        for (Sent s : c.drain()) {
            assertEquals(mss, s.len(), "full segments: " + s);
            assertArrayEquals(Arrays.copyOfRange(out, n * mss, (n + 1) * mss), s.payload(), "segment " + n);
            p.saw(s);
            n++;
        }
        c.expectNothing("the congestion window is full");
        return n;
    }

    @ParameterizedTest(name = "init_win {0}, peer MSS {1}: {2} segments")
    @CsvSource({"default, 1460, 10", "10, 536, 10", "4, 1460, 4", "1, 1460, 1",
                "0, 536, 4", "0, 1095, 4", "0, 1460, 3"})
    void firstFlightFollowsInitWin(String initWin, int peerMss, int segments) throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            if (!initWin.equals("default")) {
                c.sys.sysctlWrite("net.inet.tcp.init_win", initWin);
            }
            Peer p = c.passiveOpen(PeerOpts.MSS.withMss(peerMss).withWscale(4));
            assertEquals(segments, firstFlight(c, p, Math.min(peerMss, TcpTestContext.OUR_MSS)));
            // slow start: the ACK of the whole flight grows the window by two segments (RFC 3465, L = 2 SMSS)
            p.inject(p.ack());
            assertEquals(segments + Math.min(segments, 2), c.drain().size(), "the second flight");
        }
    }

    /** RFC 5681 section 3.1: after a retransmitted SYN the connecting side starts with one segment. */
    @Test
    void oneSegmentAfterLostSyn() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            int fd = c.openAfterLostSyn();
            assertEquals(5 * 1460, c.write(fd, new byte[5 * 1460]));
            var sent = c.drain();
            assertEquals(1, sent.size(), "one segment: " + sent);
            assertEquals(1460, sent.get(0).len());
        }
    }

    /** The same on the passive side: a retransmitted SYN,ACK leaves a window of one segment. */
    @Test
    void oneSegmentAfterLostSynAck() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            c.listen(5);
            c.inject(c.seg().seq(1000).flags(TcpFlags.SYN).mss(1460));
            Sent synAck = c.expect(Expect.flags(TcpFlags.SYN | TcpFlags.ACK).ack(1001));
            Sent again = c.awaitSegment(2 * SEC);
            assertTrue(again != null && again.has(TcpFlags.SYN), "SYN,ACK retransmitted: " + again);
            c.inject(c.seg().seq(1001).ack(synAck.seq() + 1).flags(TcpFlags.ACK));
            int fd = c.sys.accept(c.listenFd(), null);
            assertEquals(5 * 1460, c.write(fd, new byte[5 * 1460]));
            var sent = c.drain();
            assertEquals(1, sent.size(), "one segment: " + sent);
        }
    }

    /** Values outside 0 to 64 segments are refused, and the old value stays. */
    @Test
    void badValuesAreRefused() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            for (String bad : new String[] {"-1", "65", "ten"}) {
                ErrnoException e = assertThrows(ErrnoException.class,
                        () -> c.sys.sysctlWrite("net.inet.tcp.init_win", bad), bad);
                assertEquals(Errno.EINVAL, e.errno(), bad);
            }
            assertEquals("10", c.sys.sysctlRead("net.inet.tcp.init_win").trim());
        }
    }
}
