package io.jrump.netinet.tcp;

import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.wire.TcpFlags;

/**
 * {@code tcp_output}: decides what a connection sends now; {@link TcpTransmit} builds and sends each
 * segment.
 *
 * <p>What may be sent is bounded by the peer's window and the congestion window (RFC 5681 section
 * 3.1); during SACK recovery by the pipe estimate (RFC 6675 section 5). Small segments wait by Nagle's
 * rule (RFC 1122 section 4.2.3.4, RFC 896) unless {@code TCP_NODELAY}; the receiver's side of silly
 * window avoidance (RFC 1122 section 4.2.3.3) decides when a window update is worth a segment. A
 * segment that cannot be built for lack of mbufs ends the round but leaves a timer that tries again
 * ({@link TcpTimers#quench}), so that memory pressure delays a FIN or data and never strands them.
 */
final class TcpOutput {
    static final int TS_OPT_LEN = 12;

    private final Tcp tcp;
    private final TcpTransmit transmit;
    /** Per-thread scratch for SACK recovery's next hole, so that deciding allocates nothing. */
    private final ThreadLocal<int[]> holes = ThreadLocal.withInitial(() -> new int[2]);

    TcpOutput(Tcp tcp, TcpTransmit transmit) {
        this.tcp = tcp;
        this.transmit = transmit;
    }

    /** Where the send buffer's first byte sits in sequence space. */
    static int dataStart(TcpCb tp) {
        return tp.state <= TcpState.SYN_RECEIVED ? tp.iss + 1 : tp.sndUna;
    }

    /** Whether our FIN belongs in sequence space after the last byte of data. */
    private static boolean finState(TcpCb tp) {
        return tp.state == TcpState.FIN_WAIT_1 || tp.state == TcpState.CLOSING || tp.state == TcpState.LAST_ACK;
    }

    /** Sends whatever the connection may send now. Lock held. */
    void output(TcpCb tp) {
        if (tp.has(TcpCb.TF_CLOSED)) {
            return;
        }
        int st = tp.state;
        if (st == TcpState.CLOSED || st == TcpState.LISTEN) {
            return;
        }
        if (st == TcpState.SYN_SENT || st == TcpState.SYN_RECEIVED) {
            synOutput(tp);
            return;
        }
        if (tp.has(TcpCb.TF_SACK_RECOVERY)) {
            sackRecovery(tp);
        }
        tcp.autosize.beforeSend(tp, Math.min(tp.sndWnd & 0xffffffffL, tp.cwnd & 0xffffffffL));
        tcp.adapterBuffers.beforeSend(tp);
        int tsoMax = tsoPayload(tp);
        for (int guard = 0; guard < 100_000; guard++) {
            if (!sendNext(tp, tsoMax)) {
                return;
            }
        }
    }

    /** Before the connection is synchronized: our SYN (again), or in SYN_RECEIVED an ACK that is due. */
    private void synOutput(TcpCb tp) {
        if (tp.sndNxt == tp.iss) {
            int fl = tp.state == TcpState.SYN_SENT ? TcpFlags.SYN : TcpFlags.SYN | TcpFlags.ACK;
            transmit.segment(tp, tp.iss, 0, fl, false);
        } else if (tp.has(TcpCb.TF_ACKNOW) && tp.state == TcpState.SYN_RECEIVED) {
            transmit.segment(tp, tp.sndNxt, 0, TcpFlags.ACK, false);
        }
    }

    /**
     * Decides the next segment from SND.NXT (its length, whether it carries our FIN, whether it is
     * worth sending now) and sends it; true if another may follow.
     *
     * <p>A segment that starts at a prebuilt frame ({@code MbufFlags.M_PREBUILT}) is cut at the frame's
     * end, so that it is the frame and its checksum comes from the frame's precomputed sum (AFPA, issue
     * 17; seed {@code 000_e72d5458a6362c1e}). Such a segment always goes: the frame is the unit its owner
     * sized to a segment, and Nagle's rule (RFC 1122 section 4.2.3.4) holds back small writes, not
     * frames. With TSO the packet spans many segments and is not cut: the interface then segments and
     * sums in memory, and a frame boundary would only shrink the packet.
     */
    private boolean sendNext(TcpCb tp, int tsoMax) {
        int dataEnd = dataStart(tp) + tp.so.snd.cc();
        int avail = Math.max(0, dataEnd - tp.sndNxt);
        boolean retransmitting = TcpSeq.lt(tp.sndNxt, tp.sndMax);
        int len = sendLength(tp, avail, retransmitting, tsoMax);
        boolean frame = false;
        if (tp.so.snd.prebuiltFrames() != 0) {
            int fl = frameLength(tp, len);
            if (fl > 0) {
                len = fl;
                frame = true;
            }
        }
        boolean fin = finState(tp) && tp.sndNxt + len == dataEnd && (!tp.has(TcpCb.TF_SENTFIN) || retransmitting);
        if (!frame && !worthSending(tp, len, fin, retransmitting, dataEnd)) {
            armPersist(tp, avail);
            return false;
        }
        int flags = TcpFlags.ACK;
        if (fin) {
            flags |= TcpFlags.FIN;
        }
        if (len > 0 && tp.sndNxt + len == dataEnd) {
            flags |= TcpFlags.PSH;
        }
        return transmit.segment(tp, tp.sndNxt, len, flags, retransmitting) && len > 0 && !fin;
    }

    /**
     * The next segment's length if it is to be one prebuilt frame ({@link TcpTransmit#prebuiltLength}),
     * else 0; never for a TSO packet.
     */
    private int frameLength(TcpCb tp, int len) {
        return len > 0 && len <= tp.maxseg - sackOptLen(tp) ? transmit.prebuiltLength(tp, tp.sndNxt, len) : 0;
    }

    /**
     * How much of the {@code avail} unsent bytes the next segment takes: what the peer's window and the
     * congestion window leave (RFC 5681 section 3.1), at most a segment, or with TSO a packet of whole
     * segments.
     */
    private static int sendLength(TcpCb tp, int avail, boolean retransmitting, int tsoMax) {
        int off = tp.sndNxt - tp.sndUna;
        long win = Math.min(tp.sndWnd & 0xffffffffL, tp.cwnd & 0xffffffffL);
        if (tp.has(TcpCb.TF_FORCE) && win == 0) {
            win = 1;
        }
        long usable = win - off;
        int mss = tp.maxseg - sackOptLen(tp);
        // TSO: new data goes in one packet of whole segments that the interface cuts; retransmissions
        // and recovery stay one segment at a time, so that loss recovery is exactly as without it.
        int cap = tsoMax > mss && !retransmitting && !tp.has(TcpCb.TF_SACK_RECOVERY) ? tsoMax / mss * mss : mss;
        int len = (int) Math.max(0, Math.min(Math.min(avail, usable), cap));
        if (len > mss && len < avail) {
            len -= len % mss;
        }
        return len;
    }

    /**
     * Whether a segment of {@code len} bytes goes now: a full one always; a short one if it empties the
     * buffer while nothing is outstanding or Nagle is off (RFC 1122 section 4.2.3.4), when forced or
     * retransmitting, or if it is half the peer's largest window; otherwise a FIN, an ACK that is due,
     * or a window update worth announcing.
     */
    private static boolean worthSending(TcpCb tp, int len, boolean fin, boolean retransmitting, int dataEnd) {
        if (len > 0) {
            int mseg = tp.maxseg - sackOptLen(tp);
            boolean idle = tp.sndMax == tp.sndUna;
            if (len >= mseg) {
                return true;
            }
            if ((idle || tp.has(TcpCb.TF_NODELAY) || fin) && tp.sndNxt + len == dataEnd) {
                return true;
            }
            if (tp.has(TcpCb.TF_FORCE) || retransmitting) {
                return true;
            }
            if (tp.maxSndWnd > 0 && len >= tp.maxSndWnd / 2) {
                return true;
            }
        }
        return fin || tp.has(TcpCb.TF_ACKNOW) || windowUpdateDue(tp);
    }

    /**
     * Nothing goes now though {@code avail} bytes wait: RFC 9293 section 3.8.6.1, a zero window is
     * probed; nothing is outstanding to time. With a small window the same timer is RFC 1122 section
     * 4.2.3.4's override timeout for data that silly window avoidance holds back (as BSD arms persist
     * for any unsent data).
     */
    private void armPersist(TcpCb tp, int avail) {
        if (avail > 0 && (tp.sndWnd == 0 || tp.sndMax == tp.sndUna) && !tp.rexmtTimer.pending()
                && !tp.persistTimer.pending()) {
            tp.rxtShift = 0;
            tp.sndNxt = tp.sndUna;
            tcp.timers().setPersist(tp);
        }
    }

    /**
     * The payload one packet may carry, from the route's interface's {@code if_buflen} (DART, seed 002: the
     * layer which builds segments builds them at the size the adapter takes, and the adapter cuts them into
     * wire frames and fills in their checksums), if that is above the MTU and the adapter segments
     * ({@code M_CSUM_TSOv4}); else 0, segments of one MSS. Not with a capture on the interface, which should
     * see the segments that go on the wire.
     */
    private int tsoPayload(TcpCb tp) {
        var rt = tcp.inet().routes().lookup(tp.inp.faddr());
        return rt == null ? 0 : buflenPayload(rt.ifp());
    }

    /** The TCP payload of a packet of {@code ifp}'s {@code if_buflen}, or 0 when it takes no large packets. */
    static int buflenPayload(io.jrump.net.Ifnet ifp) {
        int buflen = ifp.buflen();
        if ((ifp.csumFlagsTx() & CsumFlags.M_CSUM_TSOv4) == 0 || ifp.hasTaps() || buflen <= ifp.mtu()) {
            return 0;
        }
        return Math.min(buflen, 65535) - 20 - 60;
    }

    /** Bytes the SACK option will take on the next segment. */
    static int sackOptLen(TcpCb tp) {
        if (!tp.has(TcpCb.TF_SACK_PERMIT) || tp.reass.isEmpty()) {
            return 0;
        }
        int max = tp.has(TcpCb.TF_RCVD_TSTMP) ? 3 : 4;
        int n = Math.min(max, tp.reass.segments());
        return 4 + 8 * n;
    }

    /**
     * Whether the receive window is worth advertising again on its own. RFC 1122 section 4.2.3.3 sets the
     * floor (it grew by two segments, or by half the buffer); above it, as FreeBSD's {@code tcp_output}
     * does, a large buffer waits until the growth is a quarter of the buffer or the window the peer still
     * has shrank to an eighth of it. Otherwise a reader taking 64 KB at a time from a 2 MB autosized
     * buffer sends an update per read, more segments than it receives from a sender of 64 KB (TSO/GSO)
     * packets, each a wakeup and a system call on a tap.
     */
    private static boolean windowUpdateDue(TcpCb tp) {
        if (!TcpState.canReceive(tp.state)) {
            return false;
        }
        int hiwat = tp.so.rcv.hiwat();
        int maxwin = 65535 << tp.rcvScale;
        int win = Math.min(tp.so.rcv.space() - tp.reass.bytes(), maxwin);
        int peerHas = tp.rcvAdv - tp.rcvNxt;
        int adv = win - peerHas;
        if (adv >= 2 * tp.maxseg) {
            return adv >= hiwat / 4 || peerHas <= hiwat / 8 || hiwat <= 8 * tp.maxseg || adv >= maxwin;
        }
        return adv >= hiwat / 2 && adv > 0;
    }

    /**
     * RFC 6675 section 5 steps (C) and (D): while the pipe leaves a segment's room in the congestion
     * window, send by {@code NextSeg}: lost holes first, then new data, then other holes.
     */
    private void sackRecovery(TcpCb tp) {
        int[] hole = holes.get();
        int mss = tp.maxseg - sackOptLen(tp);
        for (int guard = 0; guard < 10_000; guard++) {
            int pipe = tp.sack.pipe(tp.sndUna, tp.sndMax, tp.highRxt, tp.maxseg);
            if (tp.cwnd - pipe < mss) {
                return;
            }
            if (tp.sack.nextHole(tp.sndUna, tp.highRxt, tp.maxseg, true, hole)) {
                retransmitHole(tp, hole[0], hole[1], mss);
                continue;
            }
            int dataEnd = dataStart(tp) + tp.so.snd.cc();
            long wnd = (tp.sndWnd & 0xffffffffL) - (tp.sndMax - tp.sndUna);
            int newLen = (int) Math.max(0, Math.min(Math.min(dataEnd - tp.sndMax, wnd), mss));
            if (newLen > 0) {
                tp.sndNxt = tp.sndMax;
                if (!transmit.segment(tp, tp.sndMax, newLen, TcpFlags.ACK, false)) {
                    return;
                }
                continue;
            }
            if (tp.sack.nextHole(tp.sndUna, tp.highRxt, tp.maxseg, false, hole)) {
                retransmitHole(tp, hole[0], hole[1], mss);
                continue;
            }
            return;
        }
    }

    private void retransmitHole(TcpCb tp, int start, int end, int mss) {
        int len = Math.min(end - start, mss);
        int save = tp.sndNxt;
        int dataEnd = dataStart(tp) + tp.so.snd.cc();
        int flags = TcpFlags.ACK;
        if (start + len == dataEnd && tp.has(TcpCb.TF_SENTFIN)) {
            flags |= TcpFlags.FIN;
        }
        if (len <= 0) {
            if ((flags & TcpFlags.FIN) == 0) {
                tp.highRxt = end;
                return;
            }
        }
        transmit.segment(tp, start, len, flags, true);
        tp.highRxt = start + len + ((flags & TcpFlags.FIN) != 0 ? 1 : 0);
        tp.sndNxt = TcpSeq.max(save, tp.sndNxt);
        tcp.stats().inc(TcpStat.SACKREXMIT);
    }
}
