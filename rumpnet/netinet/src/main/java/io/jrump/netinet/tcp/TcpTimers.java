package io.jrump.netinet.tcp;

import io.jrump.hypercall.Errno;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.wire.TcpFlags;

/**
 * TCP's timers ({@code tcp_timer.c}), each a kernel callout per connection: retransmission (RFC 6298),
 * persist (RFC 9293 section 3.8.6.1), keepalive and connection establishment (RFC 1122 section
 * 4.2.3.6), delayed ACK (RFC 1122 section 4.2.3.2) and 2*MSL. Each runs with the connection's socket
 * locked and gives up if the connection closed while it waited.
 */
final class TcpTimers {
    /** BSD's persist bounds ({@code TCPTV_PERSMIN}, {@code TCPTV_PERSMAX}). */
    static final long PERSIST_MIN = 5 * Tcp.SEC;
    static final long PERSIST_MAX = 60 * Tcp.SEC;

    private final Tcp tcp;

    TcpTimers(Tcp tcp) {
        this.tcp = tcp;
    }

    /** The current retransmission timeout with backoff (RFC 6298 sections 2.4, 2.5, 5.5). */
    long rto(TcpCb tp) {
        long base = Math.max(tp.rtoNanos, tcp.rtoMinNanos());
        long t = tp.rxtShift >= 30 ? Tcp.RTO_MAX : base << tp.rxtShift;
        return Math.min(Math.max(t, tcp.rtoMinNanos()), Tcp.RTO_MAX);
    }

    void setRexmt(TcpCb tp) {
        tp.rexmtTimer.scheduleNanos(rto(tp));
    }

    /** {@code tcp_setpersist}: the next zero-window probe, backed off like the RTO within BSD's bounds. */
    void setPersist(TcpCb tp) {
        long base = tp.srttNanos > 0 ? tp.srttNanos + 4 * tp.rttvarNanos : Tcp.SEC;
        long t = tp.persistShift >= 20 ? PERSIST_MAX : base << tp.persistShift;
        t = Math.min(Math.max(t, PERSIST_MIN), PERSIST_MAX);
        tp.persistTimer.scheduleNanos(t);
        if (t < PERSIST_MAX) {
            tp.persistShift++;
        }
    }

    /**
     * A segment of {@code len} bytes with {@code flags} could not be sent for lack of buffers: no mbuf
     * for its header or to share the send buffer's data, or IP refused it with ENOBUFS ({@code
     * TCP_STAT_SELFQUENCH}, NetBSD's {@code tcp_output} error path). No segment from the peer may ever
     * come to prompt the connection again (the peer never saw this SYN, FIN or data), so a timer must:
     * RFC 9293 section 3.8.1 and RFC 6298 section 5.1 keep the retransmission timer running while
     * anything in sequence space waits, and the segment that never left counts as sent and lost. As
     * FreeBSD's {@code tcp_output} does on ENOBUFS, the retransmission timer is armed unless it or the
     * persist timer (which resends on its own) already runs; its expiry backs off and shrinks the
     * congestion window to one segment, which is NetBSD's {@code tcp_quench}, and after
     * {@link Tcp#MAXRXTSHIFT} fruitless tries drops the connection with ENOBUFS. A pure ACK or window
     * update, which holds no sequence space and is not retransmitted, is owed again through the
     * delayed-ACK timer (NetBSD's error path restarts it), without counting as a retransmission.
     */
    void quench(TcpCb tp, int len, int flags) {
        tcp.stats().inc(TcpStat.SELFQUENCH);
        tp.softError = Errno.ENOBUFS;
        if (len > 0 || (flags & (TcpFlags.SYN | TcpFlags.FIN)) != 0) {
            if (!tp.rexmtTimer.pending() && !tp.persistTimer.pending()) {
                setRexmt(tp);
            }
        } else if ((flags & TcpFlags.RST) == 0 && !tp.delackTimer.pending()) {
            tp.set(TcpCb.TF_DELACK);
            tp.delackTimer.schedule(Math.max(1, tcp.delackTicks.intValue()));
        }
    }

    /**
     * RFC 6298 section 2: a new round-trip sample. The first sets SRTT = R, RTTVAR = R/2; later ones
     * smooth with alpha = 1/8 and beta = 1/4; RTO = SRTT + max(G, 4 RTTVAR), G the clock tick.
     */
    void rttSample(TcpCb tp, long r) {
        if (r < 0) {
            return;
        }
        if (tp.srttNanos == 0) {
            tp.srttNanos = Math.max(r, 1);
            tp.rttvarNanos = r / 2;
        } else {
            long err = Math.abs(tp.srttNanos - r);
            tp.rttvarNanos = (3 * tp.rttvarNanos + err) / 4;
            tp.srttNanos = Math.max((7 * tp.srttNanos + r) / 8, 1);
        }
        long g = Tcp.SEC / tcp.inet().kernel().callouts().hz();
        tp.rtoNanos = Math.min(Math.max(tp.srttNanos + Math.max(g, 4 * tp.rttvarNanos), tcp.rtoMinNanos()),
                Tcp.RTO_MAX);
        tp.rxtShift = 0;
        tcp.stats().inc(TcpStat.RTTUPDATED);
    }

    /**
     * The retransmission timer expired (RFC 6298 section 5.4 to 5.7): retransmit the earliest unacknowledged
     * segment, back off, collapse the congestion window to the loss window (RFC 5681 section 3.1), forget
     * SACK information (RFC 2018 section 8), and give up with ETIMEDOUT after too many tries.
     */
    void rexmt(TcpCb tp) {
        var so = tp.so;
        so.lock().enter();
        try {
            if (tp.has(TcpCb.TF_CLOSED) || tp.rexmtTimer.pending()) {
                return;
            }
            tcp.stats().inc(TcpStat.REXMTTIMEO);
            int limit = tp.state < TcpState.ESTABLISHED ? Tcp.SYN_RETRIES : Tcp.MAXRXTSHIFT;
            if (++tp.rxtShift > limit) {
                tcp.stats().inc(TcpStat.TIMEOUTDROP);
                tcp.drop(tp, tp.softError != 0 ? tp.softError : Errno.ETIMEDOUT);
                return;
            }
            if (tp.state >= TcpState.ESTABLISHED) {
                tp.cc.timeout(tp, tcp.now());
            }
            tp.clear(TcpCb.TF_FASTRECOVERY | TcpCb.TF_SACK_RECOVERY);
            tp.sack.clear();
            tp.dupAcks = 0;
            tp.highRxt = tp.sndUna;
            tp.recover = tp.sndMax;
            tp.rtTiming = false;
            if (tp.state == TcpState.SYN_SENT && tp.rxtShift == 3) {
                // RFC 7323 appendix A / BSD: a peer that drops SYNs with options gets them without.
                tp.clear(TcpCb.TF_REQ_SCALE | TcpCb.TF_REQ_TSTMP | TcpCb.TF_SACK_PERMIT);
            }
            tp.sndNxt = tp.state < TcpState.ESTABLISHED ? tp.iss : tp.sndUna;
            if (tp.state >= TcpState.ESTABLISHED && tp.sndMax == tp.sndUna + 1 && tp.has(TcpCb.TF_SENTFIN)
                    && tp.so.snd.cc() == 0) {
                tp.sndNxt = tp.sndUna;
            }
            setRexmt(tp);
            tcp.output().output(tp);
        } finally {
            so.lock().exit();
        }
    }

    void persist(TcpCb tp) {
        var so = tp.so;
        so.lock().enter();
        try {
            if (tp.has(TcpCb.TF_CLOSED) || tp.persistTimer.pending()) {
                return;
            }
            tcp.stats().inc(TcpStat.PERSISTTIMEO);
            // RFC 1122 section 4.2.2.17: the probing goes on as long as the peer answers with a zero window.
            setPersist(tp);
            if (tp.sndWnd == 0) {
                // RFC 9293 section 3.8.6.1: every probe carries the first unacknowledged byte again; the
                // last probe's byte was not taken, and leaving SND.NXT past it would leave nothing to send.
                tp.sndNxt = tp.sndUna;
            }
            tp.set(TcpCb.TF_FORCE);
            try {
                tcp.output().output(tp);
            } finally {
                tp.clear(TcpCb.TF_FORCE);
            }
        } finally {
            so.lock().exit();
        }
    }

    /**
     * Connection establishment and keepalive ({@code tcp_timer_keep}): a connection not up within
     * {@code net.inet.tcp.keepinit} fails with ETIMEDOUT; an idle one with {@code SO_KEEPALIVE} is probed
     * every {@code keepintvl} with a segment one below SND.UNA (RFC 1122 section 4.2.3.6), which the peer
     * must answer with an ACK, and dropped after {@code keepcnt} silent probes.
     */
    void keep(TcpCb tp) {
        var so = tp.so;
        so.lock().enter();
        try {
            if (tp.has(TcpCb.TF_CLOSED) || tp.keepTimer.pending()) {
                return;
            }
            if (tp.state < TcpState.ESTABLISHED) {
                tcp.stats().inc(TcpStat.KEEPTIMEO);
                tcp.drop(tp, Errno.ETIMEDOUT);
                return;
            }
            if ((so.options() & SocketDefs.SO_KEEPALIVE) == 0 || tp.state > TcpState.CLOSE_WAIT) {
                return;
            }
            long now = tcp.now();
            long idle = now - tp.lastRcvNanos;
            long keepIdle = tp.keepIdle * Tcp.SEC;
            if (idle < keepIdle && tp.keepProbes == 0) {
                tp.keepTimer.scheduleNanos(keepIdle - idle);
                return;
            }
            tcp.stats().inc(TcpStat.KEEPTIMEO);
            if (tp.keepProbes >= tp.keepCnt) {
                tcp.stats().inc(TcpStat.KEEPDROPS);
                tcp.drop(tp, Errno.ETIMEDOUT);
                return;
            }
            tp.keepProbes++;
            tcp.stats().inc(TcpStat.KEEPPROBE);
            // Built as the connection's own segment, so it carries timestamps when they were agreed
            // (RFC 7323 section 3.2: every non-RST segment does).
            tcp.transmit().segment(tp, tp.sndUna - 1, 0, TcpFlags.ACK, false);
            tp.keepTimer.scheduleNanos(tp.keepIntvl * Tcp.SEC);
        } finally {
            so.lock().exit();
        }
    }

    /** Starts the keepalive clock, after establishment or when {@code SO_KEEPALIVE} is turned on. */
    void startKeep(TcpCb tp) {
        tp.keepProbes = 0;
        tp.keepTimer.scheduleNanos(tp.keepIdle * Tcp.SEC);
    }

    void delack(TcpCb tp) {
        var so = tp.so;
        so.lock().enter();
        try {
            if (tp.has(TcpCb.TF_CLOSED) || !tp.has(TcpCb.TF_DELACK)) {
                return;
            }
            tcp.stats().inc(TcpStat.DELACK);
            tp.set(TcpCb.TF_ACKNOW);
            tcp.output().output(tp);
        } finally {
            so.lock().exit();
        }
    }

    /** TIME_WAIT's end, or a FIN_WAIT_2 whose socket is gone waited long enough for the peer's FIN. */
    void msl2(TcpCb tp) {
        var so = tp.so;
        so.lock().enter();
        try {
            if (tp.has(TcpCb.TF_CLOSED) || tp.msl2Timer.pending()) {
                return;
            }
            if (tp.state == TcpState.TIME_WAIT) {
                tcp.timeWait().expire(tp);
            } else if (tp.state == TcpState.FIN_WAIT_2) {
                tcp.close(tp);
            }
        } finally {
            so.lock().exit();
        }
    }
}
