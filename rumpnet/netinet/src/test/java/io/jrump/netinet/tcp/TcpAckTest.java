package io.jrump.netinet.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrump.netinet.tcp.TcpTestContext.PeerOpts;
import io.jrump.wire.TcpFlags;
import org.junit.jupiter.api.Test;

/**
 * Sequence and acknowledgement acceptability on a synchronized connection, RFC 9293 section 3.10.7.4
 * ("first, check sequence number"; "fifth, check the ACK field") with RFC 5961 section 5: old
 * duplicates and data beyond the window are acknowledged and dropped, data straddling the window edge
 * is trimmed to it, an ACK for data never sent is answered and its segment dropped, and an ACK too
 * far below SND.UNA draws a challenge ACK.
 */
class TcpAckTest {
    /** RFC 9293 section 3.10.7.4: an entirely old segment is acknowledged (the peer lost our ACK) and dropped. */
    @Test
    void oldDuplicateIsAcknowledged() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            Seg first = p.data(100);
            p.inject(first);
            p.expect(p.expectAck());
            p.inject(first);
            p.expect(p.expectAck());
            assertEquals(100, c.read(p.fd, 1000).length, "the duplicate is not delivered twice");
        }
    }

    /**
     * RFC 9293 section 3.10.7.4: a segment partly beyond the window is trimmed to it; one wholly beyond is
     * acknowledged and dropped.
     */
    @Test
    void dataBeyondTheWindowIsTrimmedOrDropped() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            c.listen(16);
            c.sys.setsockopt(c.listenFd(), io.jrump.kern.syscall.SocketDefs.SOL_SOCKET, io.jrump.kern.syscall.SocketDefs.SO_RCVBUF,
                    2048);
            Peer p = c.passiveOpen(PeerOpts.MSS);
            p.inject(p.seg().seq(p.sndNxt + 5000).data(100));
            p.expect(p.expectAck().window(2048));
            p.inject(p.data(1400));
            p.expect(p.expectAck().window(2048 - 1400));
            p.inject(p.seg().data(1400));
            p.sndNxt += 648;
            p.expect(p.expectAck().window(0));
            assertEquals(2048, c.read(p.fd, 4096).length, "only what fit the window arrived");
        }
    }

    /**
     * RFC 9293 section 3.10.7.4 "fifth" and RFC 5961 section 5.2: an ACK for something not yet sent is
     * answered with an ACK and the segment, data included, is dropped.
     */
    @Test
    void ackOfUnsentDataIsDropped() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            int before = p.sndNxt;
            p.inject(p.seg().ack(p.rcvNxt + 5000).flags(TcpFlags.ACK | TcpFlags.PSH).data(50));
            p.sndNxt = before;
            p.expect(p.expectAck());
            c.expectNothing("one ACK");
            assertEquals(TcpState.ESTABLISHED, p.tcb().state);
            p.inject(p.data(10));
            p.expect(p.expectAck());
            assertEquals(10, c.read(p.fd, 1000).length, "the dropped segment's data never arrived");
        }
    }

    /**
     * RFC 5961 section 5.2: SEG.ACK must lie within SND.UNA - MAX.SND.WND and SND.NXT; an older one
     * draws a challenge ACK and the segment is dropped.
     */
    @Test
    void ackTooOldDrawsChallengeAck() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            int before = p.sndNxt;
            p.inject(p.seg().ack(p.rcvNxt - 1_000_000).flags(TcpFlags.ACK | TcpFlags.PSH).data(50));
            p.sndNxt = before;
            p.expect(p.expectAck());
            c.expectNothing("one challenge ACK");
            assertEquals(1, c.tcp.stats().get("challenge ACKs sent"));
            int[] queued = new int[1];
            c.sys.ioctl(p.fd, io.jrump.kern.syscall.SocketDefs.FIONREAD, queued);
            assertEquals(0, queued[0], "nothing delivered");
        }
    }

    /** RFC 9293 section 3.10.7.4 "fifth": a segment without ACK on a synchronized connection is dropped. */
    @Test
    void segmentWithoutAckIsDropped() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            int before = p.sndNxt;
            p.inject(p.data(30).flags(TcpFlags.PSH).ack(0));
            p.sndNxt = before;
            c.expectNothing("dropped without answer");
            p.inject(p.data(10));
            p.expect(p.expectAck());
            assertEquals(10, c.read(p.fd, 1000).length);
        }
    }

    /**
     * RFC 9293 section 3.10.7.4 "fifth": the send window is taken only from a segment newer than the one
     * that last set it (SND.WL1 < SEG.SEQ, or equal and SND.WL2 =< SEG.ACK). A reordered old ACK that
     * still carried a zero window (its SEG.SEQ is below SND.WL1) must not close the window newer
     * segments opened.
     */
    @Test
    void reorderedOldAckDoesNotChangeTheWindow() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            Seg old = p.seg().window(0);
            p.inject(p.data(100));
            p.expect(p.expectAck());
            p.inject(p.data(100));
            p.expect(p.expectAck());
            // the old ACK, sent before the data, arrives last
            p.inject(old);
            for (Sent s : c.drain()) {
                assertEquals(0, s.len(), "at most an ACK for the unacceptable segment: " + s);
            }
            c.write(p.fd, new byte[100]);
            p.expect(Expect.flags(TcpFlags.ACK | TcpFlags.PSH).len(100));
        }
    }
}
