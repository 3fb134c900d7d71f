package io.jrump.netinet.tcp;

import static io.jrump.netinet.tcp.TcpTestContext.OUR_MSS;
import static io.jrump.netinet.tcp.TcpTestContext.RCVBUF;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrump.kern.syscall.SockAddr;
import io.jrump.netinet.tcp.TcpTestContext.PeerOpts;
import io.jrump.wire.TcpFlags;
import io.jrump.wire.TcpRepr;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The three-way handshake (RFC 9293 section 3.5) in both directions with every combination of the
 * options a SYN may carry: MSS (RFC 9293 section 3.7.1), window scale and timestamps (RFC 7323 sections
 * 2 and 3), SACK-permitted (RFC 2018 section 2). Each test then moves data both ways, because what the
 * handshake agreed shows only there: the segment size, the window's scale, the options on every
 * segment.
 */
class TcpHandshakeTest {
    static final int NO = TcpRepr.NO_OPTION;

    /** Every subset of the four options, with MSS values below, at and above ours. */
    static Stream<PeerOpts> options() {
        List<PeerOpts> l = new ArrayList<>();
        for (int bits = 0; bits < 16; bits++) {
            l.add(new PeerOpts((bits & 1) != 0 ? 1460 : NO, (bits & 2) != 0 ? 7 : NO, (bits & 4) != 0,
                    (bits & 8) != 0));
        }
        l.add(PeerOpts.ALL.withMss(512));
        l.add(PeerOpts.ALL.withMss(9000));
        l.add(PeerOpts.ALL.withWscale(0));
        l.add(PeerOpts.ALL.withWscale(14));
        return l.stream();
    }

    /** The segment size the kernel may send: the peer's MSS (536 if it sent none), less timestamps. */
    static int effectiveMss(PeerOpts o) {
        int mss = Math.min(o.mss() == NO ? 536 : o.mss(), OUR_MSS);
        return mss - (o.ts() ? 12 : 0);
    }

    /** {@code net.inet.tcp.init_win}'s default, RFC 6928's ten segments of any size. */
    static int initialSegments(int mss) {
        return 10;
    }

    /**
     * RFC 9293 section 3.5 figure 7 and RFC 7323 sections 2.2, 3.2, RFC 2018 section 2: the SYN,ACK
     * grants exactly the options the SYN offered (checked in {@link TcpTestContext#passiveOpen}); then
     * data in both directions carries timestamps only if agreed, windows scaled only if agreed, and
     * segments no larger than the peer's MSS.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("options")
    void passiveOpen(PeerOpts o) throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(o);
            exchange(c, p, o);
        }
    }

    /**
     * RFC 9293 section 3.5 figure 7 with the kernel connecting: its SYN offers everything (MSS of the
     * interface, window scale for its buffer, SACK-permitted, timestamps with TSecr 0); what it uses
     * afterwards is what the peer's SYN,ACK agreed to.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("options")
    void activeOpen(PeerOpts o) throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.activeOpen(o);
            assertEquals(0, c.soError(p.fd), "the connection is up");
            SockAddr peer = new SockAddr();
            c.sys.getpeername(p.fd, peer);
            assertEquals(TcpTestContext.REMOTE_PORT, peer.port);
            exchange(c, p, o);
        }
    }

    private static void exchange(TcpTestContext c, Peer p, PeerOpts o) throws Exception {
        // peer -> kernel: acknowledged at once (quick-ACK at the start), the window scaled if agreed
        p.inject(p.data(100));
        p.expect(p.expectAck().window(p.windowField(RCVBUF - 100)).sack());
        assertArrayEquals(new Seg().seq(p.peerIss + 1).data(100).data, c.read(p.fd, 1000));
        // kernel -> peer: the initial window in segments of the agreed size
        int mss = effectiveMss(o);
        int n = initialSegments(mss);
        byte[] out = TcpTestContext.bytes(12 * mss, 7);
        assertEquals(out.length, c.write(p.fd, out));
        for (int i = 0; i < n; i++) {
            Sent s = p.expect(Expect.flags(TcpFlags.ACK).anyPsh().seq(p.rcvNxt).ack(p.sndNxt)
                    .len(mss).ts(o.ts()).window(p.windowField(RCVBUF)).mss(NO).wscale(NO).sackOk(false));
            assertArrayEquals(java.util.Arrays.copyOfRange(out, i * mss, (i + 1) * mss), s.payload(),
                    "segment " + i + " carries the next bytes");
        }
        c.expectNothing("the congestion window is full");
    }

    /**
     * RFC 9293 section 3.5 figure 8, simultaneous open: our SYN crosses the peer's; we answer its SYN
     * with SYN,ACK and enter SYN_RECEIVED; its SYN,ACK then completes our side (line 6: ESTABLISHED).
     */
    @Test
    void simultaneousOpen() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            int fd = c.socket();
            try {
                c.sys.connect(fd, SockAddr.in(TcpTestContext.REMOTE, TcpTestContext.REMOTE_PORT));
            } catch (io.jrump.kern.ErrnoException e) {
                assertEquals(io.jrump.hypercall.Errno.EINPROGRESS, e.errno());
            }
            c.settle();
            Sent syn = c.expect(Expect.flags(TcpFlags.SYN));
            Peer p = new Peer(c, TcpTestContext.REMOTE_PORT, syn.tcp().sourcePort(), PeerOpts.MSS);
            p.fd = fd;
            p.kernelIss = syn.seq();
            p.rcvNxt = syn.seq();
            p.peerIss = 0x30000000;
            p.sndNxt = p.peerIss;
            // the peer's own SYN, crossing ours
            c.inject(p.seg().flags(TcpFlags.SYN).ack(0).mss(1460));
            p.sndNxt++;
            Sent synAck = p.expect(Expect.flags(TcpFlags.SYN | TcpFlags.ACK).seq(syn.seq()).ack(p.sndNxt)
                    .mss(OUR_MSS).len(0));
            assertEquals(syn.seq() + 1, p.rcvNxt, synAck.toString());
            // the peer's SYN,ACK (it got our SYN too)
            c.inject(p.seg().seq(p.peerIss).flags(TcpFlags.SYN | TcpFlags.ACK).mss(1460));
            c.drain();
            assertEquals(TcpState.ESTABLISHED, p.tcb().state, "state after the peer's SYN,ACK: " + p.tcb());
            assertEquals(0, c.soError(fd));
            // and data flows
            assertEquals(10, c.write(fd, new byte[10]));
            p.expect(Expect.flags(TcpFlags.ACK | TcpFlags.PSH).seq(p.rcvNxt).ack(p.sndNxt).len(10));
        }
    }

    /**
     * RFC 9293 section 3.10.7.3: in SYN_SENT an ACK that does not acknowledge our SYN is answered with
     * {@code <SEQ=SEG.ACK><CTL=RST>} and the connection goes on waiting.
     */
    @Test
    void synSentBadAckDrawsRst() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            int fd = c.socket();
            try {
                c.sys.connect(fd, SockAddr.in(TcpTestContext.REMOTE, TcpTestContext.REMOTE_PORT));
            } catch (io.jrump.kern.ErrnoException e) {
                assertEquals(io.jrump.hypercall.Errno.EINPROGRESS, e.errno());
            }
            c.settle();
            Sent syn = c.expect(Expect.flags(TcpFlags.SYN));
            int lport = syn.tcp().sourcePort();
            c.inject(c.seg().ports(TcpTestContext.REMOTE_PORT, lport).seq(0x5000).ack(syn.seq() + 1000)
                    .flags(TcpFlags.SYN | TcpFlags.ACK));
            c.expect(Expect.flags(TcpFlags.RST).seq(syn.seq() + 1000).len(0));
            // a proper SYN,ACK still completes the handshake
            c.inject(c.seg().ports(TcpTestContext.REMOTE_PORT, lport).seq(0x5000).ack(syn.seq() + 1)
                    .flags(TcpFlags.SYN | TcpFlags.ACK).mss(1460));
            c.expect(Expect.flags(TcpFlags.ACK).seq(syn.seq() + 1).ack(0x5001).len(0));
            assertEquals(0, c.soError(fd));
        }
    }

    /**
     * RFC 9293 section 3.10.7.1: a SYN to a port nobody listens on is refused with
     * {@code <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>}; a RST to it is dropped silently.
     */
    @Test
    void closedPortRefuses() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            c.inject(c.seg().ports(TcpTestContext.REMOTE_PORT, 9).seq(777).flags(TcpFlags.SYN).mss(1460));
            c.expect(Expect.flags(TcpFlags.RST | TcpFlags.ACK).seq(0).ack(778).window(0).len(0).noOptions());
            c.inject(c.seg().ports(TcpTestContext.REMOTE_PORT, 9).seq(777).ack(4242).flags(TcpFlags.ACK).data(5));
            c.expect(Expect.flags(TcpFlags.RST).seq(4242).len(0));
            c.inject(c.seg().ports(TcpTestContext.REMOTE_PORT, 9).seq(777).flags(TcpFlags.RST));
            c.expectNothing("a RST is never answered");
        }
    }

    /**
     * RFC 6528 section 3: ISN = M + F(four-tuple, secret), M a 4-microsecond clock. The same four-tuple a
     * second later gets an ISS exactly 250000 higher; another four-tuple at the same moment gets an
     * unrelated one.
     */
    @Test
    void initialSequenceNumbersFollowRfc6528() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            c.listen(4);
            c.inject(c.seg().ports(48000, TcpTestContext.LOCAL_PORT).seq(1).flags(TcpFlags.SYN));
            int iss1 = c.expect(Expect.flags(TcpFlags.SYN | TcpFlags.ACK)).seq();
            c.inject(c.seg().ports(48000, TcpTestContext.LOCAL_PORT).seq(2).flags(TcpFlags.RST));
            c.advance(TcpTestContext.SEC);
            c.inject(c.seg().ports(48000, TcpTestContext.LOCAL_PORT).seq(100).flags(TcpFlags.SYN));
            int iss2 = c.expect(Expect.flags(TcpFlags.SYN | TcpFlags.ACK)).seq();
            assertEquals(250_000, iss2 - iss1, "M advanced by one second of 4-microsecond ticks");
            c.inject(c.seg().ports(48001, TcpTestContext.LOCAL_PORT).seq(100).flags(TcpFlags.SYN));
            int other = c.expect(Expect.flags(TcpFlags.SYN | TcpFlags.ACK)).seq();
            long apart = Math.abs((long) (other - iss2));
            org.junit.jupiter.api.Assertions.assertTrue(apart > 1_000_000,
                    "another four-tuple's ISS is not near: " + Integer.toUnsignedString(other) + " vs "
                            + Integer.toUnsignedString(iss2));
        }
    }

    /**
     * RFC 7323 section 2.3 and {@code SO_RCVBUF}: the window scale offered is the smallest that lets the
     * whole receive buffer be advertised, on a SYN (1 MB: scale 5) and on a SYN,ACK (16 KB: no shift
     * needed, scale 0), and the windows that follow advertise that buffer.
     */
    @Test
    void windowScaleFollowsReceiveBuffer() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            c.sys.sysctlWrite("kern.sbmax", Integer.toString(4 << 20));
            int fd = c.socket();
            c.sys.setsockopt(fd, io.jrump.kern.syscall.SocketDefs.SOL_SOCKET, io.jrump.kern.syscall.SocketDefs.SO_RCVBUF, 1 << 20);
            try {
                c.sys.connect(fd, SockAddr.in(TcpTestContext.REMOTE, TcpTestContext.REMOTE_PORT));
            } catch (io.jrump.kern.ErrnoException e) {
                assertEquals(io.jrump.hypercall.Errno.EINPROGRESS, e.errno());
            }
            c.settle();
            Sent syn = c.expect(Expect.flags(TcpFlags.SYN).wscale(5).window(65535));
            c.inject(c.seg().ports(TcpTestContext.REMOTE_PORT, syn.tcp().sourcePort()).seq(0x9000)
                    .ack(syn.seq() + 1).flags(TcpFlags.SYN | TcpFlags.ACK).mss(1460).wscale(2));
            c.expect(Expect.flags(TcpFlags.ACK).ack(0x9001).window((1 << 20) >> 5));

            c.listen(4);
            c.sys.setsockopt(c.listenFd(), io.jrump.kern.syscall.SocketDefs.SOL_SOCKET, io.jrump.kern.syscall.SocketDefs.SO_RCVBUF,
                    16384);
            Peer p = c.passiveOpen(PeerOpts.ALL);
            assertEquals(0, p.kernelShift);
            p.inject(p.data(100));
            p.expect(p.expectAck().window(16384 - 100));
        }
    }
}
