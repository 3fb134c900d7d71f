package io.jrump.netinet.tcp;

import io.jrump.hypercall.Errno;
import io.jrump.netinet.Counters;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufChain;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.wire.TcpFlags;

/**
 * A segment for a synchronized connection or one in SYN_RECEIVED (RFC 9293 section 3.10.7.4,
 * "Otherwise"; FreeBSD's {@code tcp_do_segment}): the RST check with RFC 5961 section 3.2's exact
 * sequence number, PAWS (RFC 7323 section 5), the SYN check of RFC 5961 section 4, trimming to the
 * receive window, TS.Recent, and the ACK field's SYN_RECEIVED step; then {@link TcpAckInput} for the
 * rest of the ACK field and {@link TcpDataInput} for the text and FIN, and finally whatever the
 * segment made due is sent. Challenge ACKs, which several of these steps send, are rate limited here.
 */
final class TcpEstablished {
    private final Tcp tcp;
    private final MbufPool pool;
    private final Counters st;
    private final TcpAckInput acks;
    private final TcpDataInput data;
    /** RFC 5961 section 7's budget of challenge ACKs, one for the whole stack; guarded by this. */
    private long challengeWindowStart;
    private int challengeCount;

    TcpEstablished(Tcp tcp) {
        this.tcp = tcp;
        this.pool = tcp.inet().mbufs();
        this.st = tcp.stats();
        this.acks = new TcpAckInput(tcp, this);
        this.data = new TcpDataInput(tcp);
    }

    /**
     * RFC 9293 section 3.10.7.4: every synchronized state (and SYN_RECEIVED), in the RFC's order. Each
     * step either finishes with the segment or passes it on in {@code s}, trimmed to the window, with
     * what is left of its data in {@code s.m}; whatever a step drops it frees at once.
     */
    void input(TcpCb tp, TcpInput.Seg s, Mbuf m) {
        s.m = m;
        try {
            int rcvWnd = Math.max(tp.receiveWindow(), tp.rcvAdv - tp.rcvNxt);
            if (s.has(TcpFlags.RST)) {
                rstInput(tp, s, rcvWnd);
                return;
            }
            if (pawsRejects(tp, s) || synInput(tp, s) || !trimToWindow(tp, s, rcvWnd)) {
                return;
            }
            updateTsRecent(tp, s);
            if (!ackField(tp, s)) {
                return;
            }
            segmentText(tp, s);
        } finally {
            discard(s);
        }
    }

    /** Frees what is left of the segment's data. */
    private void discard(TcpInput.Seg s) {
        if (s.m != null) {
            pool.freeChain(s.m);
            s.m = null;
        }
    }

    /**
     * RFC 5961 section 3.2: a RST resets only if it is exactly at RCV.NXT; in the window it draws a
     * challenge ACK; elsewhere it is dropped. RSTs are exempt from PAWS (RFC 7323 section 5.3 R1).
     */
    private void rstInput(TcpCb tp, TcpInput.Seg s, int rcvWnd) {
        discard(s);
        if (s.seq == tp.rcvNxt) {
            st.inc(TcpStat.RCVRST);
            int err = switch (tp.state) {
                case TcpState.SYN_RECEIVED -> Errno.ECONNREFUSED;
                case TcpState.CLOSING, TcpState.LAST_ACK -> 0;
                case TcpState.CLOSE_WAIT -> Errno.EPIPE;
                default -> Errno.ECONNRESET;
            };
            if (err == Errno.EPIPE) {
                err = Errno.ECONNRESET;
            }
            tp.state = TcpState.CLOSED;
            if (err != 0 && !tp.so.isFreed()) {
                tp.so.setError(err);
            }
            tcp.close(tp);
        } else if (TcpSeq.inRange(s.seq, tp.rcvNxt, tp.rcvNxt + Math.max(rcvWnd, 1))) {
            challengeAck(tp);
        } else {
            st.inc(TcpStat.RSTIGNORED);
        }
    }

    /** RFC 7323 section 5.3: PAWS. True if the segment was an old duplicate, dropped and acknowledged. */
    private boolean pawsRejects(TcpCb tp, TcpInput.Seg s) {
        if (!s.ts || !tp.has(TcpCb.TF_RCVD_TSTMP) || s.tsVal - tp.tsRecent >= 0) {
            return false;
        }
        if (tcp.now() - tp.tsRecentAgeNanos > 24L * 86400 * Tcp.SEC) {
            tp.tsRecent = 0;
            return false;
        }
        st.inc(TcpStat.PAWSDROP);
        discard(s);
        tp.set(TcpCb.TF_ACKNOW);
        tcp.output().output(tp);
        return true;
    }

    /**
     * RFC 5961 section 4: a SYN in a synchronized state is answered with a challenge ACK. True if the
     * segment was a SYN and is finished with; a simultaneous open's SYN,ACK goes on as its ACK.
     */
    private boolean synInput(TcpCb tp, TcpInput.Seg s) {
        if (s.has(TcpFlags.SYN) && tp.state == TcpState.SYN_RECEIVED && s.seq == tp.irs && s.has(TcpFlags.ACK)
                && TcpSeq.gt(s.ack, tp.sndUna) && TcpSeq.leq(s.ack, tp.sndMax)) {
            // RFC 9293 section 3.5 figure 8 line 6: in a simultaneous open the peer's SYN,ACK acknowledges
            // our SYN; its SYN was counted already, so what remains is the ACK that establishes us.
            discard(s);
            s.seq += 1;
            s.len = 0;
            s.flags &= ~TcpFlags.SYN;
            // RFC 7323 section 2.2: its window is unscaled; rounded down to the scale, the arithmetic
            // below, which scales it, errs small.
            s.win >>>= tp.sndScale;
        }
        if (!s.has(TcpFlags.SYN)) {
            return false;
        }
        discard(s);
        if (tp.state == TcpState.SYN_RECEIVED && s.seq == tp.irs) {
            tp.set(TcpCb.TF_ACKNOW);
            tcp.output().output(tp);
            return true;
        }
        challengeAck(tp);
        return true;
    }

    /**
     * RFC 9293 section 3.10.7.4, first: sequence number acceptability, trimming the segment to the
     * window. False if nothing of it is left to process.
     */
    private boolean trimToWindow(TcpCb tp, TcpInput.Seg s, int rcvWnd) {
        s.fin = s.has(TcpFlags.FIN);
        int todrop = tp.rcvNxt - s.seq;
        if (todrop > 0) {
            if (todrop > s.len || todrop == s.len && !s.fin) {
                // entirely old: a duplicate. Acknowledge it (the peer may have missed our ACK) and drop.
                st.inc(TcpStat.RCVDUPPACK);
                st.add(TcpStat.RCVDUPBYTE, s.len);
                discard(s);
                if (s.len > 0 || s.fin) {
                    duplicateTsRecent(tp, s);
                    tp.set(TcpCb.TF_ACKNOW);
                    tcp.output().output(tp);
                    return false;
                }
                // a pure ACK with an old sequence number still carries a valid ACK (RFC 9293 accepts a
                // zero-length segment at RCV.NXT only; BSD processes its ACK, as we do). Being
                // unacceptable it is also answered (RFC 9293 section 3.10.7.4): a keepalive probe
                // (RFC 1122 section 4.2.3.6) is exactly such a segment.
                // Its own (old) sequence number stays: the send window is not taken from an old
                // segment (RFC 9293 section 3.10.7.4, SND.WL1).
                if (todrop > Math.max(rcvWnd, tp.maxseg) * 2) {
                    return false;
                }
                tp.set(TcpCb.TF_ACKNOW);
            } else {
                MbufChain.adj(s.m, todrop);
                s.seq += todrop;
                s.len -= todrop;
                st.inc(TcpStat.RCVDUPPACK);
                st.add(TcpStat.RCVDUPBYTE, todrop);
            }
        }
        int over = s.seq + s.len - (tp.rcvNxt + rcvWnd);
        if (over > 0) {
            st.inc(TcpStat.RCVPACKAFTERWIN);
            if (over >= s.len) {
                if (rcvWnd == 0 && s.seq == tp.rcvNxt) {
                    st.inc(TcpStat.RCVWINPROBE);
                } else if (s.len > 0 || s.fin) {
                    // beyond the window: acknowledge and drop (RFC 9293 section 3.10.7.4 "first")
                    discard(s);
                    tp.set(TcpCb.TF_ACKNOW);
                    tcp.output().output(tp);
                    return false;
                }
                discard(s);
                s.len = 0;
                s.fin = false;
                tp.set(TcpCb.TF_ACKNOW);
            } else {
                MbufChain.adj(s.m, -over);
                s.len -= over;
                s.fin = false;
            }
        }
        return true;
    }

    /**
     * A retransmission of data we already acknowledged: trimmed, it is an empty segment at RCV.NXT, and if
     * that is Last.ACK.sent (our ACK was lost) its TSval becomes TS.Recent, so the ACK we answer with echoes
     * the retransmission and the peer measures the round trip that this retransmission took. RFC 7323
     * section 4.3 tests Last.ACK.sent &lt; SEG.SEQ + SEG.LEN, which an empty segment never passes; BSD tests
     * &lt;= after trimming (Stevens, TCP/IP Illustrated vol. 2, p. 869) for this very case. Echoing the old
     * TS.Recent instead made every lost ACK a sample of the whole time since the original transmission,
     * backoff included: on a lossy path the RTO grew to its 64 s ceiling and throughput fell a thousandfold.
     */
    private void duplicateTsRecent(TcpCb tp, TcpInput.Seg s) {
        if (s.ts && tp.has(TcpCb.TF_RCVD_TSTMP) && tp.lastAckSent == tp.rcvNxt && s.tsVal - tp.tsRecent >= 0) {
            tp.tsRecent = s.tsVal;
            tp.tsRecentAgeNanos = tcp.now();
        }
    }

    /** RFC 7323 section 4.3: TS.Recent follows the segment that covers RCV.NXT (Last.ACK.sent). */
    private void updateTsRecent(TcpCb tp, TcpInput.Seg s) {
        if (s.ts && tp.has(TcpCb.TF_RCVD_TSTMP) && TcpSeq.leq(s.seq, tp.lastAckSent)
                && TcpSeq.geq(s.seq + s.len + (s.fin ? 1 : 0), tp.lastAckSent) && s.tsVal - tp.tsRecent >= 0) {
            tp.tsRecent = s.tsVal;
            tp.tsRecentAgeNanos = tcp.now();
        }
    }

    /**
     * RFC 9293 section 3.10.7.4, fifth: a segment without ACK is dropped; in SYN_RECEIVED an acceptable
     * ACK establishes the connection and any other is answered with a RST; then {@link TcpAckInput}.
     * False if the segment goes no further.
     */
    private boolean ackField(TcpCb tp, TcpInput.Seg s) {
        if (!s.has(TcpFlags.ACK)) {
            discard(s);
            return false;
        }
        if (tp.state == TcpState.SYN_RECEIVED) {
            if (TcpSeq.gt(s.ack, tp.sndUna) && TcpSeq.leq(s.ack, tp.sndMax)) {
                tp.state = TcpState.ESTABLISHED;
                tp.cc.init(tp, tcp.initialWindow(tp.maxseg, tp.rxtShift > 0));
                tp.sndWnd = s.win << tp.sndScale;
                tp.sndWl1 = s.seq;
                tp.sndWl2 = s.ack;
                st.inc(TcpStat.CONNECTS);
                tp.keepTimer.stop();
                tp.so.soisconnected();
            } else {
                discard(s);
                tcp.transmit().respond(s.dst, s.dport, s.src, s.sport, s.ack, 0, TcpFlags.RST, 0, null, 0);
                return false;
            }
        }
        if (!acks.input(tp, s) || tp.has(TcpCb.TF_CLOSED)) {
            discard(s);
            return false;
        }
        return true;
    }

    /**
     * RFC 9293 section 3.10.7.4, seventh and eighth: text and FIN go to {@link TcpDataInput} while the
     * peer may still send; then whatever the segment made due (an ACK, data the window now admits) is
     * sent.
     */
    private void segmentText(TcpCb tp, TcpInput.Seg s) {
        if (s.len > 0 || s.fin) {
            if (!TcpState.canReceive(tp.state)) {
                // data after the peer's FIN: ignored (RFC 9293 section 3.10.7.4 "seventh")
                discard(s);
                s.len = 0;
                s.fin = false;
            } else if (tp.has(TcpCb.TF_DETACHED) && s.len > 0) {
                // RFC 1122 section 4.2.2.13: data for a closed socket resets the connection.
                st.inc(TcpStat.RCVAFTERCLOSE);
                discard(s);
                tcp.drop(tp, 0);
                return;
            }
        }
        if (s.len > 0 || s.fin) {
            Mbuf m = s.m;
            s.m = null;
            data.input(tp, s, m);
        } else {
            discard(s);
        }
        if (!tp.has(TcpCb.TF_CLOSED)) {
            tcp.output().output(tp);
        }
    }

    /** RFC 5961 section 7: challenge ACKs are rate limited, or they become an amplifier. */
    void challengeAck(TcpCb tp) {
        if (!challengeAllowed()) {
            return;
        }
        st.inc(TcpStat.CHALLENGEACK);
        tp.set(TcpCb.TF_ACKNOW);
        tcp.transmit().segment(tp, tp.sndNxt, 0, TcpFlags.ACK, false);
    }

    /** Takes one challenge ACK from this second's budget ({@code net.inet.tcp.challenge_ack_limit}). */
    private synchronized boolean challengeAllowed() {
        long now = tcp.now();
        if (now - challengeWindowStart > Tcp.SEC) {
            challengeWindowStart = now;
            challengeCount = 0;
        }
        return ++challengeCount <= tcp.challengeAckLimit.intValue();
    }
}
