package io.jrump.netinet.tcp;

import io.jrump.wire.TcpFlags;
import io.jrump.wire.TcpRepr;

/**
 * The test peer's side of one connection with the kernel: its own sequence state (what it sends next,
 * what it expects from the kernel) and the options the handshake agreed, so that a test writes
 * {@code p.inject(p.data(100))} and {@code p.expect(p.expectAck())} instead of sequence arithmetic.
 */
final class Peer {
    final TcpTestContext ctx;
    final int remotePort;
    final int localPort;
    final TcpTestContext.PeerOpts opts;
    /** The kernel's descriptor for the connection. */
    int fd = -1;
    int peerIss;
    int kernelIss;
    /** The peer's next sequence number (SND.NXT on the peer). */
    int sndNxt;
    /** The next sequence number the peer expects from the kernel (RCV.NXT on the peer). */
    int rcvNxt;
    /** The peer's timestamp clock (its next TSval). */
    int tsClock = 100;
    /** The last TSval the kernel sent (the peer's TS.Recent, echoed as TSecr). */
    int tsRecent;
    /** The kernel's receive buffer for this connection. */
    int rcvBuf = TcpTestContext.RCVBUF;
    /** The window scale the kernel announced (0 when scaling was not agreed). */
    int kernelShift = TcpTestContext.RCV_SCALE;
    /** The window field the peer sends, unscaled. */
    int window = 65535;

    Peer(TcpTestContext ctx, int remotePort, int localPort, TcpTestContext.PeerOpts opts) {
        this.ctx = ctx;
        this.remotePort = remotePort;
        this.localPort = localPort;
        this.opts = opts;
    }

    /** Whether window scaling was agreed (both SYNs carried the option, RFC 7323 section 2.2). */
    boolean scaled() {
        return opts.wscale() >= 0;
    }

    /** The shift the kernel applies to the windows it sends. */
    int kernelScale() {
        return scaled() ? kernelShift : 0;
    }

    /** The window field the kernel should send with {@code free} bytes of receive buffer. */
    int windowField(int free) {
        return Math.min(free >> kernelScale(), 65535);
    }

    /** An ACK at the peer's current sequence state, with timestamps if agreed. */
    Seg seg() {
        Seg s = new Seg().ports(remotePort, localPort).seq(sndNxt).ack(rcvNxt).flags(TcpFlags.ACK).window(window);
        if (opts.ts()) {
            s.ts(tsClock, tsRecent);
        }
        return s;
    }

    Seg ack() {
        return seg();
    }

    /** {@code n} bytes of data at SND.NXT, which moves past them. */
    Seg data(int n) {
        Seg s = seg().flags(TcpFlags.ACK | TcpFlags.PSH).data(n);
        sndNxt += n;
        return s;
    }

    /** The peer's FIN at SND.NXT, which moves past it. */
    Seg fin() {
        Seg s = seg().flags(TcpFlags.ACK | TcpFlags.FIN);
        sndNxt += 1;
        return s;
    }

    void inject(Seg s) {
        ctx.inject(s);
    }

    /** The ACK the kernel owes for everything the peer sent, from where the kernel's sequence stands. */
    Expect expectAck() {
        Expect e = Expect.flags(TcpFlags.ACK).seq(rcvNxt).ack(sndNxt).len(0).ts(opts.ts());
        if (opts.ts()) {
            e.tsEcr(tsClock);
        }
        return e;
    }

    /** The next segment, checked against {@code e}; the peer takes note of its timestamp and data. */
    Sent expect(Expect e) {
        Sent s = ctx.expect(e);
        saw(s);
        return s;
    }

    /** Notes a segment the kernel sent: TS.Recent, and RCV.NXT if it is the next in order. */
    void saw(Sent s) {
        TcpRepr r = s.tcp();
        if (r.timestamps() != null) {
            tsRecent = r.timestamps().value();
        }
        if (s.seq() == rcvNxt || (s.has(TcpFlags.SYN) && s.seq() + 1 == rcvNxt)) {
            rcvNxt = s.seq() + s.seqLen();
        } else if (TcpSeq.gt(s.seq() + s.seqLen(), rcvNxt) && TcpSeq.leq(s.seq(), rcvNxt)) {
            rcvNxt = s.seq() + s.seqLen();
        }
    }

    TcpCb tcb() {
        return ctx.tcb(this);
    }
}
