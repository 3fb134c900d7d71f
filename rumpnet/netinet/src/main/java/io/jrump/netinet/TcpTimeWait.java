package io.jrump.netinet;

import io.jrump.net.wire.TcpFlags;

/**
 * TIME_WAIT, in one place (RFC 9293 section 3.6.1): a connection whose close we completed lingers for
 * 2*MSL ({@code net.inet.tcp.msl}) so that a lost final ACK can be repeated and old duplicates of this
 * incarnation die before the four-tuple is used again. This class decides everything that happens to
 * a connection in that state, so that a compact representation (NetBSD's vestigial TIME_WAIT) can
 * replace the full control block without touching the rest of TCP.
 */
final class TcpTimeWait {
    /** What {@link #input} decided about a segment. */
    enum Verdict { DROP, ACK, RECYCLE }

    private final Tcp tcp;
    private int count;

    TcpTimeWait(Tcp tcp) {
        this.tcp = tcp;
    }

    int count() {
        return count;
    }

    /** The connection enters TIME_WAIT: every timer but 2*MSL stops, and the user sees the close. */
    void enter(TcpCb tp) {
        tp.state = TcpState.TIME_WAIT;
        tp.rexmtTimer.stop();
        tp.persistTimer.stop();
        tp.keepTimer.stop();
        tp.delackTimer.stop();
        tp.reass.flush();
        tp.inp.timeWait = true;
        count++;
        tcp.stats().inc(TcpStat.TIMEWAIT);
        restart(tp);
        if (!tp.so.isFreed()) {
            tp.so.soisdisconnected();
        }
    }

    private void restart(TcpCb tp) {
        long t = 2 * tcp.mslNanos();
        if (t == 0) {
            tp.msl2Timer.schedule(1);
        } else {
            tp.msl2Timer.scheduleNanos(t);
        }
    }

    /** Called by {@link Tcp#close} for a connection leaving TIME_WAIT. */
    void left(TcpCb tp) {
        count--;
        tp.inp.timeWait = false;
    }

    void expire(TcpCb tp) {
        tcp.close(tp);
    }

    /**
     * A segment for a connection in TIME_WAIT. A retransmitted FIN is acknowledged again and restarts
     * the 2*MSL timer (RFC 9293 section 3.10.7.4, "eighth"); a RST is ignored (RFC 1337 section 3,
     * TIME-WAIT assassination); a SYN may open a new incarnation only if it is provably newer, by its
     * timestamp or else its sequence number (RFC 6191 section 2); anything else unacceptable is answered
     * with an ACK. {@code tsVal} matters only with {@code tsPresent}.
     */
    Verdict input(TcpCb tp, int seq, int flags, int len, boolean tsPresent, int tsVal) {
        if ((flags & TcpFlags.RST) != 0) {
            return Verdict.DROP;
        }
        if ((flags & TcpFlags.SYN) != 0 && (flags & TcpFlags.ACK) == 0) {
            boolean newer;
            if (tsPresent && tp.has(TcpCb.TF_RCVD_TSTMP)) {
                newer = tsVal - tp.tsRecent > 0;
            } else {
                newer = TcpSeq.gt(seq, tp.rcvNxt);
            }
            if (newer) {
                tcp.stats().inc(TcpStat.TW_RECYCLED);
                tcp.close(tp);
                return Verdict.RECYCLE;
            }
            return Verdict.ACK;
        }
        if ((flags & TcpFlags.FIN) != 0 && seq + len + 1 == tp.rcvNxt) {
            restart(tp);
            return Verdict.ACK;
        }
        if (len > 0 || (flags & TcpFlags.FIN) != 0) {
            return Verdict.ACK;
        }
        return Verdict.DROP;
    }

    /** The ISS for a connection replacing a TIME_WAIT one: above anything the old one used. */
    int recycledIss(int oldSndMax, int fresh) {
        return TcpSeq.gt(fresh, oldSndMax) ? fresh : oldSndMax + 128_000;
    }
}
