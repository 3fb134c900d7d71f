package io.jrump.netinet.tcp;

import io.jrump.netinet.Counters;
import io.jrump.rumpnet.socket.Socket;
import io.jrump.wire.TcpFlags;

/**
 * What an arriving acknowledgement does to the sending side (RFC 9293 section 3.10.7.4, "fifth, check
 * the ACK field"; gVisor's {@code snd.go}, FreeBSD's ACK processing in {@code tcp_input.c} with
 * {@code tcp_sack.c}): the acceptable range of RFC 5961 section 5.2, the SACK scoreboard (RFC 2018),
 * duplicate-ACK counting (RFC 5681 section 2), limited transmit (RFC 3042), fast retransmit and
 * recovery (RFC 6582; RFC 6675 with SACK), RTT samples (RFC 6298, RFC 7323 section 4), freeing
 * acknowledged data, the send window update, and the state changes our FIN's acknowledgement brings.
 */
final class TcpAckInput {
    private final Tcp tcp;
    private final TcpEstablished established;
    private final Counters st;

    TcpAckInput(Tcp tcp, TcpEstablished established) {
        this.tcp = tcp;
        this.established = established;
        this.st = tcp.stats();
    }

    /**
     * RFC 9293 section 3.10.7.4 "fifth", with RFC 5961 section 5.2's acceptable range, duplicate-ACK
     * counting (RFC 5681 section 2), fast retransmit and recovery (RFC 6582; RFC 6675 with SACK), RTT
     * samples (RFC 6298 and RFC 7323 section 4), the send window update, and our FIN's acknowledgement,
     * for a segment already trimmed to the window ({@code s.seq}, {@code s.len}). False if the segment
     * is to be dropped.
     */
    boolean input(TcpCb tp, TcpInput.Seg s) {
        int ack = s.ack;
        int seq = s.seq;
        int len = s.len;
        // RFC 5961 section 5.2: SND.UNA - MAX.SND.WND =< SEG.ACK =< SND.NXT, else challenge and drop.
        if (TcpSeq.gt(ack, tp.sndMax)) {
            st.inc(TcpStat.RCVACKTOOMUCH);
            tp.set(TcpCb.TF_ACKNOW);
            tcp.output().output(tp);
            return false;
        }
        if (TcpSeq.lt(ack, tp.sndUna - Math.max(tp.maxSndWnd, 65535))) {
            st.inc(TcpStat.BADACK);
            established.challengeAck(tp);
            return false;
        }
        if (tp.has(TcpCb.TF_SACK_PERMIT) && s.sackCount > 0) {
            st.add(TcpStat.RCVSACKBLOCKS, s.sackCount);
            for (int i = 0; i < s.sackCount; i++) {
                tp.sack.add(s.sackL[i], s.sackR[i], TcpSeq.max(ack, tp.sndUna), tp.sndMax);
            }
        }
        int win = s.win << tp.sndScale;
        long now = tcp.now();
        if (TcpSeq.leq(ack, tp.sndUna)) {
            // RFC 5681 section 2: a duplicate ACK carries no data and no window change while data is
            // outstanding, and acknowledges SND.UNA. Answers to zero-window probes (RFC 9293 section
            // 3.8.6.1) repeat a zero window and signal no loss.
            if (len == 0 && ack == tp.sndUna && win == tp.sndWnd && win != 0 && tp.sndMax != tp.sndUna
                    && !s.has(TcpFlags.FIN)) {
                st.inc(TcpStat.RCVDUPACK);
                duplicateAck(tp, now);
            } else if (ack == tp.sndUna) {
                tp.dupAcks = 0;
            }
        } else {
            newAck(tp, s, ack, now);
            if (tp.has(TcpCb.TF_CLOSED)) {
                return false;
            }
        }
        // RFC 9293 section 3.10.7.4: update the send window from the newest segment.
        if (TcpSeq.lt(tp.sndWl1, seq) || tp.sndWl1 == seq && TcpSeq.leq(tp.sndWl2, ack)) {
            if (len == 0 && tp.sndWl2 == ack && win > tp.sndWnd) {
                st.inc(TcpStat.RCVWINUPD);
            }
            boolean opened = tp.sndWnd == 0 && win > 0;
            tp.sndWnd = win;
            tp.sndWl1 = seq;
            tp.sndWl2 = ack;
            if (win > tp.maxSndWnd) {
                tp.maxSndWnd = win;
            }
            if (opened) {
                if (tp.persistTimer.pending()) {
                    // RFC 9293 section 3.8.6.1: the probed bytes past SND.UNA were not taken; with no
                    // retransmission timer on them they are sent again now, as data.
                    tp.sndNxt = tp.sndUna;
                }
                tp.persistTimer.stop();
                tp.persistShift = 0;
            }
        }
        if (tp.sack.count() > 0) {
            tp.sack.advance(tp.sndUna);
        }
        return true;
    }

    private void duplicateAck(TcpCb tp, long now) {
        boolean sack = tp.has(TcpCb.TF_SACK_PERMIT);
        if (tp.has(TcpCb.TF_SACK_RECOVERY)) {
            tcp.output().output(tp);
            return;
        }
        if (tp.has(TcpCb.TF_FASTRECOVERY)) {
            // RFC 6582 section 3.2 step 4: each further duplicate inflates the window by a segment.
            tp.cwnd += tp.maxseg;
            tcp.output().output(tp);
            return;
        }
        tp.dupAcks++;
        boolean lost = sack && tp.sack.isLost(tp.sndUna, tp.maxseg);
        if (tp.dupAcks < TcpSackBoard.DUP_THRESH && !lost) {
            limitedTransmit(tp);
            return;
        }
        // RFC 6582 section 3.2 step 2: no second reduction for losses of the same window. Below RECOVER
        // outside recovery means a retransmission timeout came first; there the section 4.2 ACK heuristic
        // tells a segment lost again (the last cumulative advance was small) from duplicates caused by
        // go-back-N resending what the receiver already had (a large advance), so that one more loss
        // while the window is rebuilt costs a fast retransmit and not a second, backed-off timeout.
        if (TcpSeq.lt(tp.sndUna, tp.recover)
                && !(tp.cwnd > tp.maxseg && tp.sndUna - tp.prevHighAck <= 4 * tp.maxseg)) {
            return;
        }
        st.inc(TcpStat.FASTREXMIT);
        tp.recover = tp.sndMax;
        tp.cc.congestion(tp, now);
        tp.rtTiming = false;
        tp.rexmtTimer.stop();
        if (sack) {
            // RFC 6675 section 5 steps (4.1) to (4.3): retransmit the first segment now, then let the pipe
            // decide.
            st.inc(TcpStat.SACKRECOVERY);
            tp.set(TcpCb.TF_SACK_RECOVERY);
            tp.highRxt = tp.sndUna;
            retransmitFirst(tp);
            tcp.output().output(tp);
        } else {
            tp.set(TcpCb.TF_FASTRECOVERY);
            retransmitFirst(tp);
            tp.cwnd = tp.ssthresh + TcpSackBoard.DUP_THRESH * tp.maxseg;
            tcp.output().output(tp);
        }
        if (!tp.rexmtTimer.pending()) {
            tcp.timers().setRexmt(tp);
        }
    }

    /**
     * RFC 3042: on the first two duplicate ACKs, one new segment each may go beyond the congestion
     * window, if the peer's window has room, so that a small window still produces the three duplicates
     * fast retransmit needs instead of waiting for the retransmission timer.
     */
    private void limitedTransmit(TcpCb tp) {
        if (tp.sndNxt != tp.sndMax || tp.has(TcpCb.TF_SENTFIN)) {
            return;
        }
        int saved = tp.cwnd;
        tp.cwnd = Math.max(saved, tp.sndMax - tp.sndUna + tp.maxseg);
        try {
            tcp.output().output(tp);
        } finally {
            tp.cwnd = saved;
        }
    }

    private void retransmitFirst(TcpCb tp) {
        int avail = tp.sndMax - tp.sndUna - (tp.has(TcpCb.TF_SENTFIN) ? 1 : 0);
        int len = Math.min(tp.maxseg, Math.max(0, Math.min(avail, tp.so.snd.cc())));
        int flags = TcpFlags.ACK;
        if (len == avail && tp.has(TcpCb.TF_SENTFIN)) {
            flags |= TcpFlags.FIN;
        }
        if (len == 0 && (flags & TcpFlags.FIN) == 0) {
            return;
        }
        int save = tp.sndNxt;
        tp.sndNxt = tp.sndUna;
        tcp.transmit().segment(tp, tp.sndUna, len, flags, true);
        tp.sndNxt = TcpSeq.max(save, tp.sndNxt);
        tp.highRxt = TcpSeq.max(tp.highRxt, tp.sndUna + len + ((flags & TcpFlags.FIN) != 0 ? 1 : 0));
    }

    /** An ACK for new data: RFC 6298 sample, free acknowledged bytes, recovery and window growth. */
    private void newAck(TcpCb tp, TcpInput.Seg s, int ack, long now) {
        Socket so = tp.so;
        int acked = ack - tp.sndUna;
        st.inc(TcpStat.RCVACKPACK);
        st.add(TcpStat.RCVACKBYTE, acked);
        // RFC 7323 section 4.1 with timestamps; else Karn's timed segment (RFC 6298 section 3). An echoed
        // timestamp names the transmission it answers, so it is a valid sample after a retransmission too,
        // and that sample is what ends the backoff (RFC 6298 section 5.7); refusing it during backoff let
        // separate losses add up to the give-up count on a lossy path.
        if (s.ts && s.tsEcr != 0 && tp.has(TcpCb.TF_RCVD_TSTMP)) {
            int rttMs = tcp.tsNow() + tp.tsOffset - s.tsEcr;
            if (rttMs >= 0) {
                tcp.timers().rttSample(tp, rttMs * Tcp.MS + Tcp.MS / 2);
            }
        } else if (tp.rtTiming && TcpSeq.gt(ack, tp.rtSeq)) {
            tcp.timers().rttSample(tp, now - tp.rtStartNanos);
            tp.rtTiming = false;
        }
        boolean finAcked = tp.has(TcpCb.TF_SENTFIN) && ack == tp.sndMax;
        int dataAcked = Math.min(acked - (finAcked ? 1 : 0), so.snd.cc());
        if (dataAcked > 0) {
            so.snd.drop(dataAcked);
        }
        int oldUna = tp.sndUna;
        tp.prevHighAck = oldUna;
        tp.sndUna = ack;
        if (TcpSeq.lt(tp.sndNxt, tp.sndUna)) {
            tp.sndNxt = tp.sndUna;
        }
        if (TcpSeq.lt(tp.highRxt, tp.sndUna)) {
            tp.highRxt = tp.sndUna;
        }
        if (tp.has(TcpCb.TF_SACK_RECOVERY | TcpCb.TF_FASTRECOVERY)) {
            if (TcpSeq.geq(ack, tp.recover)) {
                // RFC 6582 section 3.2 step 3 and RFC 6675 section 5 (A): recovery is over.
                boolean newreno = tp.has(TcpCb.TF_FASTRECOVERY);
                tp.clear(TcpCb.TF_SACK_RECOVERY | TcpCb.TF_FASTRECOVERY);
                if (newreno) {
                    tp.cc.recovered(tp);
                } else {
                    tp.cwnd = Math.max(tp.ssthresh, tp.maxseg);
                }
                tp.dupAcks = 0;
            } else if (tp.has(TcpCb.TF_FASTRECOVERY)) {
                // RFC 6582 section 3.2 step 5: a partial ACK retransmits the next hole at once and
                // deflates the window by what it acknowledged.
                retransmitFirst(tp);
                tp.cwnd = Math.max(tp.cwnd - acked + (acked >= tp.maxseg ? tp.maxseg : 0), tp.maxseg);
                tcp.timers().setRexmt(tp);
            }
        } else {
            tp.dupAcks = 0;
            tp.cc.ack(tp, acked, now);
        }
        if (tp.sndUna == tp.sndMax) {
            tp.rexmtTimer.stop();
            tp.rxtShift = 0;
        } else if (!tp.has(TcpCb.TF_FASTRECOVERY) || TcpSeq.geq(ack, tp.recover)) {
            tcp.timers().setRexmt(tp);
        }
        if (dataAcked > 0 || oldUna != ack) {
            so.sowwakeup();
        }
        // A kernel client's send completions run once the sequence state is consistent, since they may
        // send more; and before our FIN's acknowledgement may close the connection, which would fail them.
        if (dataAcked > 0 && tp.connHook != null) {
            tp.connHook.acked(dataAcked);
        }
        if (finAcked && !tp.has(TcpCb.TF_CLOSED)) {
            switch (tp.state) {
                case TcpState.FIN_WAIT_1 -> {
                    tp.state = TcpState.FIN_WAIT_2;
                    // the user can receive nothing more: do not wait forever for the peer's FIN
                    if (so.hasState(Socket.SS_CANTRCVMORE) && !tp.msl2Timer.pending()) {
                        tp.msl2Timer.scheduleNanos(2 * tcp.mslNanos() + Tcp.SEC);
                    }
                }
                case TcpState.CLOSING -> tcp.timeWait().enter(tp);
                case TcpState.LAST_ACK -> tcp.close(tp);
                default -> {
                }
            }
        }
    }
}
