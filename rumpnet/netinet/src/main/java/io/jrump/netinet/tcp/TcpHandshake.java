package io.jrump.netinet.tcp;

import io.jrump.hypercall.Errno;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.netinet.Counters;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.wire.TcpFlags;
import io.jrump.wire.TcpOption;

/**
 * The active open's second step (RFC 9293 section 3.10.7.3, SYN_SENT): the peer's SYN,ACK establishes
 * the connection with the options the two SYNs agreed, a bare SYN starts a simultaneous open, and a
 * RST acknowledging our SYN refuses the connection. gVisor keeps this as its {@code handshake}.
 */
final class TcpHandshake {
    private final Tcp tcp;
    private final MbufPool pool;
    private final Counters st;

    TcpHandshake(Tcp tcp) {
        this.tcp = tcp;
        this.pool = tcp.inet().mbufs();
        this.st = tcp.stats();
    }

    /** RFC 9293 section 3.10.7.3: SYN_SENT. */
    void synSent(TcpCb tp, TcpInput.Seg s, Mbuf m) {
        pool.freeChain(m);
        if (s.has(TcpFlags.ACK) && (TcpSeq.leq(s.ack, tp.iss) || TcpSeq.gt(s.ack, tp.sndMax))) {
            if (!s.has(TcpFlags.RST)) {
                tcp.transmit().respond(s.dst, s.dport, s.src, s.sport, s.ack, 0, TcpFlags.RST, 0, null, 0);
            }
            return;
        }
        if (s.has(TcpFlags.RST)) {
            // RFC 5961 section 3.2 also holds here: only a RST acknowledging our SYN counts.
            if (s.has(TcpFlags.ACK)) {
                st.inc(TcpStat.RCVRST);
                tcp.drop(tp, Errno.ECONNREFUSED);
            }
            return;
        }
        if (!s.has(TcpFlags.SYN)) {
            return;
        }
        tp.irs = s.seq;
        tp.rcvNxt = s.seq + 1;
        tp.rcvAdv = tp.rcvNxt;
        negotiate(tp, s);
        if (s.has(TcpFlags.ACK)) {
            tp.sndUna = s.ack;
            if (TcpSeq.lt(tp.sndNxt, tp.sndUna)) {
                tp.sndNxt = tp.sndUna;
            }
            tp.rexmtTimer.stop();
            boolean synLost = tp.rxtShift > 0;
            if (tp.rtTiming && TcpSeq.gt(s.ack, tp.rtSeq)) {
                tcp.timers().rttSample(tp, tcp.now() - tp.rtStartNanos);
                tp.rtTiming = false;
            } else if (s.ts && s.tsEcr != 0) {
                tcp.timers().rttSample(tp, (long) (tcp.tsNow() + tp.tsOffset - s.tsEcr) * Tcp.MS);
            }
            if (tp.rxtShift > 0 && tp.srttNanos == 0) {
                // RFC 6298 section 5.7: the SYN was retransmitted and nothing measured: data starts at 3 s.
                tp.rtoNanos = 3 * Tcp.SEC;
            }
            tp.rxtShift = 0;
            // RFC 7323 section 2.2: the window of a segment with SYN is never scaled.
            tp.sndWnd = s.win;
            tp.maxSndWnd = tp.sndWnd;
            tp.sndWl1 = s.seq;
            tp.sndWl2 = s.ack;
            tp.state = TcpState.ESTABLISHED;
            // DART's if_sockbuf (seed 002): an auto quota needs the round trip just measured.
            if (tcp.inet().applyIfSockbuf(tp.so, tp.inp.faddr(), tp.srttNanos)) {
                st.inc(TcpStat.IFSOCKBUF);
            }
            tcp.adapterBuffers.established(tp);
            tp.cc.init(tp, tcp.initialWindow(tp.maxseg, synLost));
            tp.highRxt = tp.recover = tp.sndUna;
            tp.quickAcks = tcp.quickAckSegs.intValue();
            st.inc(TcpStat.CONNECTS);
            tp.keepTimer.stop();
            if ((tp.so.options() & SocketDefs.SO_KEEPALIVE) != 0) {
                tcp.timers().startKeep(tp);
            }
            tp.so.soisconnected();
            tp.set(TcpCb.TF_ACKNOW);
            tcp.output().output(tp);
            return;
        }
        // Simultaneous open (RFC 9293 section 3.5, figure 8): SYN_RECEIVED, and our SYN again with an ACK.
        tp.sndWnd = s.win;
        tp.sndWl1 = s.seq;
        tp.sndWl2 = s.ack;
        tp.state = TcpState.SYN_RECEIVED;
        tp.sndNxt = tp.iss;
        tcp.output().output(tp);
    }

    /** The options of the peer's SYN decide what this connection uses (RFC 7323 sections 2, 3; RFC 2018). */
    private void negotiate(TcpCb tp, TcpInput.Seg s) {
        if (tp.has(TcpCb.TF_REQ_SCALE) && s.wscale >= 0) {
            tp.set(TcpCb.TF_RCVD_SCALE);
            tp.sndScale = Math.min(s.wscale, TcpOption.MAX_WINDOW_SCALE);
            tp.rcvScale = tp.requestedRcvScale;
        } else {
            tp.clear(TcpCb.TF_REQ_SCALE);
            tp.sndScale = 0;
            tp.rcvScale = 0;
        }
        if (tp.has(TcpCb.TF_REQ_TSTMP) && s.ts) {
            tp.set(TcpCb.TF_RCVD_TSTMP);
            tp.tsRecent = s.tsVal;
            tp.tsRecentAgeNanos = tcp.now();
        } else {
            tp.clear(TcpCb.TF_REQ_TSTMP);
        }
        if (tp.has(TcpCb.TF_WILL_SACK) && s.sackOk) {
            tp.set(TcpCb.TF_SACK_PERMIT);
        }
        tp.peerMss = s.mss > 0 ? s.mss : tcp.mssdflt.intValue();
        int mss = Math.min(tp.peerMss, tp.ourMss);
        if (tp.userMaxseg > 0) {
            mss = Math.min(mss, tp.userMaxseg);
        }
        tp.maxseg = Math.max(64, mss - (tp.has(TcpCb.TF_RCVD_TSTMP) ? TcpOutput.TS_OPT_LEN : 0));
    }
}
