package io.jrump.netinet.tcp;

import static io.jrump.netinet.tcp.TcpTestContext.SEC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.netinet.MbufStarvation;
import io.jrump.netinet.tcp.TcpTestContext.PeerOpts;
import io.jrump.wire.TcpFlags;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/**
 * A segment that cannot be built for lack of mbufs is not forgotten (RFC 9293 section 3.8.1, RFC 6298
 * section 5.1: what holds sequence space is retransmitted until acknowledged): the connection keeps a
 * timer that tries again, so once memory returns the FIN, the data or the SYN goes out, though nothing
 * from the peer prompts it. Memory is taken away with {@link MbufStarvation} just before the segment
 * would be sent; the tests wait for the segment, not for a time.
 */
class TcpNoBuffersTest {
    /** Long enough for several backed-off retries, so the first ones happen while memory is still short. */
    private static final long STARVED = 20 * SEC;
    /** Generous: the backed-off retransmission timer that finds memory again fires well within it. */
    private static final long PATIENCE = 5 * 60 * SEC;

    /**
     * RFC 9293 section 3.10.4: CLOSE in ESTABLISHED queues a FIN. With no mbuf to carry it, nothing is
     * sent; once memory returns the FIN goes out, and the close completes through FIN_WAIT_2 into
     * TIME_WAIT as usual.
     */
    @Test
    void finThatFoundNoMbufIsSentOnceMemoryReturns() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.ALL);
            try (MbufStarvation starved = new MbufStarvation(c)) {
                c.sys.close(p.fd);
                c.settle();
                c.expectSilenceFor(STARVED, "no mbuf for the FIN");
            }
            Sent fin = c.awaitSegment(PATIENCE);
            assertTrue(fin != null, "the FIN never came once memory returned\n" + c.state());
            assertTrue(Expect.flags(TcpFlags.FIN | TcpFlags.ACK).seq(p.rcvNxt).ack(p.sndNxt).len(0).ts(true)
                    .mismatches(fin).isEmpty(), "the FIN: " + fin);
            p.saw(fin);
            p.inject(p.ack());
            p.inject(p.fin());
            p.expect(p.expectAck());
            assertEquals(1, c.tcp.timeWaitCount(), "in TIME_WAIT\n" + c.state());
        }
    }

    /**
     * Data written while no mbuf can head a segment waits in the send buffer; once memory returns it is
     * sent, every byte in order, without the peer asking.
     */
    @Test
    void dataThatFoundNoMbufIsSentOnceMemoryReturns() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.ALL);
            byte[] data = TcpTestContext.bytes(3000, 11);
            try (MbufStarvation starved = new MbufStarvation(c)) {
                assertEquals(data.length, c.write(p.fd, data), "the write queues the data");
                c.expectSilenceFor(STARVED, "no mbuf to head a segment");
            }
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            while (got.size() < data.length) {
                Sent s = c.awaitSegment(PATIENCE);
                if (s == null) {
                    fail("data stopped after " + got.size() + " bytes once memory returned\n" + c.state());
                }
                assertEquals(p.rcvNxt, s.seq(), "the next byte in order: " + s);
                p.saw(s);
                got.writeBytes(s.payload());
                p.inject(p.ack());
            }
            assertArrayEquals(data, got.toByteArray());
        }
    }

    /**
     * A connect whose SYN found no mbuf: once memory returns the SYN is sent and the handshake completes
     * (RFC 9293 section 3.8.1 retransmits a SYN like data).
     */
    @Test
    void synThatFoundNoMbufIsSentOnceMemoryReturns() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            int fd = c.socket();
            try (MbufStarvation starved = new MbufStarvation(c)) {
                try {
                    c.sys.connect(fd, SockAddr.in(TcpTestContext.REMOTE, TcpTestContext.REMOTE_PORT));
                    fail("a non-blocking connect completes only after the handshake");
                } catch (ErrnoException e) {
                    assertEquals(Errno.EINPROGRESS, e.errno(), "connect: " + e);
                }
                c.settle();
                c.expectSilenceFor(STARVED, "no mbuf for the SYN");
            }
            Sent syn = c.awaitSegment(PATIENCE);
            assertTrue(syn != null, "the SYN never came once memory returned\n" + c.state());
            assertTrue(Expect.flags(TcpFlags.SYN).ack(0).len(0).mismatches(syn).isEmpty(), "the SYN: " + syn);
        }
    }

    /**
     * A window update holds no sequence space and is never retransmitted, yet a peer that waits on a
     * closed window depends on it (RFC 9293 section 3.8.6.1 leaves it to the peer's probes otherwise).
     * One the reader's progress made due while no mbuf was left is owed again through the delayed-ACK
     * timer and goes out once memory returns.
     */
    @Test
    void windowUpdateThatFoundNoMbufIsSentOnceMemoryReturns() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(new PeerOpts(1460, 7, false, false));
            int queued = 48 * 1460;
            for (int i = 0; i < 48; i++) {
                p.inject(p.data(1460));
            }
            c.drain();
            int read = 0;
            try (MbufStarvation starved = new MbufStarvation(c)) {
                while (read < queued) {
                    read += c.read(p.fd, 65536).length;
                }
                c.expectSilenceFor(STARVED, "no mbuf for the window update");
            }
            Sent upd = c.awaitSegment(PATIENCE);
            assertTrue(upd != null, "the window update never came once memory returned\n" + c.state());
            assertTrue(p.expectAck().window(p.windowField(TcpTestContext.RCVBUF)).mismatches(upd).isEmpty(),
                    "the window update: " + upd);
        }
    }
}
