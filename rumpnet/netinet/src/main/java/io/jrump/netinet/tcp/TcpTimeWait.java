package io.jrump.netinet.tcp;

import io.jrump.wire.TcpFlags;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * TIME_WAIT, in one place (RFC 9293 section 3.6.1): a connection whose close we completed lingers for
 * 2*MSL so that a lost final ACK can be repeated and old duplicates of this incarnation die before
 * the four-tuple is used again. The MSL is its class's ({@link TcpMslt}). A connection whose socket
 * is already closed, with {@code net.inet.tcp.vtw.enable} on, gives up its control block, pcb and
 * socket for a vestigial entry ({@link Vtw}); otherwise the full control block waits, as here. Both
 * answer segments by the one rule in {@link #judge}.
 */
final class TcpTimeWait {
    /** What {@link #input} decided about a segment. */
    enum Verdict { DROP, ACK, RECYCLE }

    /** {@link #judge}'s answers: drop; acknowledge; acknowledge and restart 2*MSL; make way for a new SYN. */
    static final int J_DROP = 0;
    static final int J_ACK = 1;
    static final int J_RESTART = 2;
    static final int J_RECYCLE = 3;

    private final Tcp tcp;
    private final AtomicInteger count = new AtomicInteger();

    TcpTimeWait(Tcp tcp) {
        this.tcp = tcp;
    }

    /** Full control blocks in TIME_WAIT. */
    int count() {
        return count.get();
    }

    /**
     * The connection enters TIME_WAIT: every timer but 2*MSL stops, the user sees the close, and a
     * connection nobody holds a descriptor for becomes a vestigial entry if VTW is on.
     */
    void enter(TcpCb tp) {
        tp.state = TcpState.TIME_WAIT;
        tp.rexmtTimer.stop();
        tp.persistTimer.stop();
        tp.keepTimer.stop();
        tp.delackTimer.stop();
        tp.reass.flush();
        tcp.stats().inc(TcpStat.TIMEWAIT);
        tp.mslClass = tcp.mslt().classify(tp);
        tp.timeWaitEnd = tcp.now() + tcp.mslt().timeWaitNanos(tp.mslClass);
        if (tp.has(TcpCb.TF_DETACHED) && vestigial(tp)) {
            return;
        }
        tp.inp.setTimeWait(true);
        count.incrementAndGet();
        restart(tp);
        if (!tp.so.isFreed()) {
            tp.so.soisdisconnected();
        }
    }

    /** The user closed a socket whose connection is in TIME_WAIT: it may become vestigial now. */
    void detached(TcpCb tp) {
        if (tp.state == TcpState.TIME_WAIT && !tp.has(TcpCb.TF_CLOSED)) {
            vestigial(tp);
        }
    }

    private boolean vestigial(TcpCb tp) {
        Vtw vtw = tcp.vtw();
        if (!vtw.enabled() || !vtw.add(tp, tp.mslClass, tp.timeWaitEnd)) {
            return false;
        }
        if (tp.inp.timeWait()) {
            left(tp);
        }
        tp.state = TcpState.CLOSED;
        tcp.close(tp);
        return true;
    }

    private void restart(TcpCb tp) {
        long t = tcp.mslt().timeWaitNanos(tp.mslClass);
        tp.timeWaitEnd = tcp.now() + t;
        if (t == 0) {
            tp.msl2Timer.schedule(1);
        } else {
            tp.msl2Timer.scheduleNanos(t);
        }
    }

    /** Called by {@link Tcp#close} for a connection leaving TIME_WAIT. */
    void left(TcpCb tp) {
        count.decrementAndGet();
        tp.inp.setTimeWait(false);
    }

    void expire(TcpCb tp) {
        tcp.close(tp);
    }

    /** A segment for a full control block in TIME_WAIT; see {@link #judge}. */
    Verdict input(TcpCb tp, int seq, int flags, int len, boolean tsPresent, int tsVal) {
        boolean ts = tp.has(TcpCb.TF_RCVD_TSTMP);
        switch (judge(tp.rcvNxt, ts, tp.tsRecent, seq, flags, len, tsPresent, tsVal)) {
            case J_RECYCLE -> {
                tcp.stats().inc(TcpStat.TW_RECYCLED);
                tcp.close(tp);
                return Verdict.RECYCLE;
            }
            case J_RESTART -> {
                restart(tp);
                return Verdict.ACK;
            }
            case J_ACK -> {
                return Verdict.ACK;
            }
            default -> {
                return Verdict.DROP;
            }
        }
    }

    /**
     * What TIME_WAIT does with a segment, given the connection's RCV.NXT and whether it used
     * timestamps (then {@code tsRecent}, the peer's last TSval). A retransmitted FIN is acknowledged
     * again and restarts 2*MSL (RFC 9293 section 3.10.7.4, "eighth"); a RST is ignored (RFC 1337
     * section 3, TIME-WAIT assassination); a SYN may open a new incarnation only if it is provably
     * newer (RFC 6191 section 2): by a greater timestamp when both incarnations use timestamps, by an
     * equal timestamp and a greater sequence number, and by a greater sequence number when the
     * timestamps cannot decide; an older SYN is answered with an ACK (RFC 9293 section 3.10.7.4,
     * "fourth", with RFC 5961 section 4), as is data or a FIN out of sequence (section 3.10.7.4,
     * "first"). A bare ACK is dropped: answering it could start an ACK loop with a peer also in
     * TIME_WAIT. {@code tsVal} matters only with {@code tsPresent}.
     */
    static int judge(int rcvNxt, boolean usedTs, int tsRecent, int seq, int flags, int len, boolean tsPresent,
                     int tsVal) {
        if ((flags & TcpFlags.RST) != 0) {
            return J_DROP;
        }
        if ((flags & TcpFlags.SYN) != 0 && (flags & TcpFlags.ACK) == 0) {
            boolean newer;
            if (tsPresent && usedTs) {
                newer = tsVal - tsRecent > 0 || tsVal == tsRecent && TcpSeq.gt(seq, rcvNxt);
            } else {
                newer = TcpSeq.gt(seq, rcvNxt);
            }
            return newer ? J_RECYCLE : J_ACK;
        }
        if ((flags & TcpFlags.FIN) != 0 && seq + len + 1 == rcvNxt) {
            return J_RESTART;
        }
        if (len > 0 || (flags & TcpFlags.FIN) != 0) {
            return J_ACK;
        }
        return J_DROP;
    }

    /** The ISS for a connection replacing a TIME_WAIT one: above anything the old one used. */
    int recycledIss(int oldSndMax, int fresh) {
        return TcpSeq.gt(fresh, oldSndMax) ? fresh : oldSndMax + 128_000;
    }
}
