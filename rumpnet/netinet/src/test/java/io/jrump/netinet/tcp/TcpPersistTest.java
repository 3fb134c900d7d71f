package io.jrump.netinet.tcp;

import static io.jrump.netinet.tcp.TcpTestContext.MS;
import static io.jrump.netinet.tcp.TcpTestContext.SEC;
import static io.jrump.netinet.tcp.TcpTestContext.TICK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.syscall.SocketDefs;
import io.jrump.netinet.tcp.TcpTestContext.PeerOpts;
import io.jrump.wire.TcpFlags;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Zero windows from both sides: the sender probes a closed window on the persist timer and never gives
 * up while the peer answers (RFC 9293 section 3.8.6.1, RFC 1122 section 4.2.2.17); the receiver
 * advertises zero when its buffer is full, answers probes with the unchanged window, and announces
 * the window when the application reads (RFC 1122 section 4.2.3.3).
 */
class TcpPersistTest {
    /**
     * RFC 9293 section 3.8.6.1 and RFC 1122 section 4.2.2.17: with the peer's window at zero, queued
     * data waits; one-byte probes follow at backed-off intervals between 5 and 60 s (BSD's persist
     * bounds) and go on for as long as the peer answers; when the window opens the data flows at once.
     */
    @Test
    void zeroWindowIsProbed() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            p.window = 0;
            p.inject(p.ack());
            c.expectNothing("a window update needs no answer");
            assertEquals(100, c.write(p.fd, TcpTestContext.bytes(100, 1)));
            c.expectNothing("the window is closed");
            List<Long> gaps = new ArrayList<>();
            long last = c.clock.monotonicNanos();
            for (int i = 0; i < 12; i++) {
                Sent probe = null;
                for (int t = 0; t < 61_000 && probe == null; t += 10) {
                    c.advance(TICK);
                    probe = c.poll();
                }
                assertTrue(probe != null, "probe " + i + " within 61 s\n" + c.state());
                List<String> bad = Expect.flags(TcpFlags.ACK).anyPsh().seq(p.rcvNxt).ack(p.sndNxt).len(1)
                        .window(p.windowField(TcpTestContext.RCVBUF)).mismatches(probe);
                assertTrue(bad.isEmpty(), "probe " + i + ": " + probe + " " + bad);
                gaps.add(probe.atNanos() - last);
                last = probe.atNanos();
                // the peer still has no room: it acknowledges nothing and repeats the zero window
                p.inject(p.ack());
                c.expectNothing("the answer to a probe needs no answer");
            }
            for (int i = 0; i < gaps.size(); i++) {
                long g = gaps.get(i);
                assertTrue(g >= 5 * SEC - TICK && g <= 60 * SEC + TICK, "probe interval " + i + " " + gaps);
                if (i > 0) {
                    assertTrue(g >= gaps.get(i - 1) - TICK, "intervals never shrink: " + gaps);
                }
            }
            assertEquals(60 * SEC, gaps.get(gaps.size() - 1), 2 * TICK, "backoff reaches the 60 s cap: " + gaps);
            assertEquals(TcpState.ESTABLISHED, p.tcb().state, "probing never drops the connection");
            assertEquals(0, c.tcp.stats().get("fast retransmits"), "answers to probes are not duplicate ACKs");
        }
    }

    /**
     * RFC 9293 section 3.8.6.1: when the peer's window opens after probes it did not take, the queued
     * data, the probed byte included, is sent at once.
     */
    @Test
    void openedWindowSendsAtOnce() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            p.window = 0;
            p.inject(p.ack());
            byte[] data = TcpTestContext.bytes(100, 1);
            c.write(p.fd, data);
            for (int i = 0; i < 3; i++) {
                Sent probe = null;
                for (int t = 0; t < 61_000 && probe == null; t += 10) {
                    c.advance(TICK);
                    probe = c.poll();
                }
                assertTrue(probe != null && probe.len() == 1, "probe " + i + ": " + probe + "\n" + c.state());
                p.inject(p.ack());
            }
            p.window = 65535;
            p.inject(p.ack());
            Sent d = p.expect(Expect.flags(TcpFlags.ACK).anyPsh().seq(p.rcvNxt).len(100));
            org.junit.jupiter.api.Assertions.assertArrayEquals(data, d.payload());
        }
    }

    /**
     * The receiver's side: a full buffer advertises a zero window; a probe beyond it is acknowledged
     * with the window still zero and its byte not taken (RFC 9293 section 3.10.7.4, "If the RCV.WND is
     * zero, no segments will be acceptable, but special allowance should be made to accept valid
     * ACKs"); reading makes the kernel announce the opened window (RFC 1122 section 4.2.3.3).
     */
    @Test
    void fullBufferAdvertisesZeroWindow() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            c.listen(16);
            c.sys.setsockopt(c.listenFd(), SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVBUF, 4096);
            Peer p = c.passiveOpen(PeerOpts.MSS);
            for (int i = 1; i <= 4; i++) {
                p.inject(p.data(1024));
                p.expect(p.expectAck().window(4096 - 1024 * i));
            }
            p.inject(p.seg().flags(TcpFlags.ACK).data(1));
            p.expect(p.expectAck().window(0));
            assertEquals(1, c.tcp.stats().get("window probes received"), c.tcp.stats().snapshot().toString());
            assertEquals(4096, c.read(p.fd, 8192).length);
            p.expect(p.expectAck().window(4096));
            c.expectNothing("one window update");
        }
    }

    /**
     * RFC 9293 section 3.8.6.1: a window that closes while data is outstanding is probed once the
     * outstanding data has been acknowledged, and the unacknowledged data is not lost.
     */
    @Test
    void windowClosingWithDataInFlight() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            c.write(p.fd, TcpTestContext.bytes(2920, 2));
            List<Sent> first = c.drain();
            assertEquals(2, first.size(), "two full segments: " + first);
            // acknowledge 1460 and close the window
            p.rcvNxt += 1460;
            p.window = 0;
            p.inject(p.ack());
            c.expectNothing("nothing fits a zero window");
            c.advance(200 * MS);
            c.expectNothing("nothing fits a zero window");
            // the rest is acknowledged too, with the window still closed
            p.rcvNxt += 1460;
            p.inject(p.ack());
            c.write(p.fd, TcpTestContext.bytes(10, 3));
            c.expectNothing("the window is closed");
            Sent probe = null;
            for (int t = 0; t < 7000 && probe == null; t += 10) {
                c.advance(TICK);
                probe = c.poll();
            }
            assertTrue(probe != null, "a probe comes\n" + c.state());
            assertEquals(1, probe.len(), probe.toString());
            assertEquals(p.rcvNxt, probe.seq(), probe.toString());
        }
    }

    /**
     * RFC 9293 section 3.10.7.4: with our window at zero no data is acceptable, "but special allowance
     * should be made to accept valid ACKs": the peer's probe acknowledging our data stops its
     * retransmission.
     */
    @Test
    void zeroReceiveWindowStillTakesAcks() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            c.listen(16);
            c.sys.setsockopt(c.listenFd(), SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVBUF, 2048);
            Peer p = c.passiveOpen(PeerOpts.MSS);
            p.inject(p.data(1024));
            p.expect(p.expectAck());
            p.inject(p.data(1024));
            p.expect(p.expectAck().window(0));
            c.write(p.fd, new byte[100]);
            Sent d = p.expect(Expect.flags(TcpFlags.ACK | TcpFlags.PSH).len(100));
            // the peer probes our closed window, acknowledging our data on the way
            p.inject(p.seg().data(1));
            p.expect(p.expectAck().window(0));
            c.expectSilenceFor(3 * SEC, "the data was acknowledged: no retransmission of " + d);
        }
    }
}
