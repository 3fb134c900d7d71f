package io.jrump.netinet.tcp;

import io.jrump.hypercall.Errno;
import io.jrump.netinet.Counters;
import io.jrump.rumpnet.socket.Socket;
import io.jrump.wire.Ipv4Packet;
import io.jrump.wire.TcpPacket;

/**
 * ICMP errors about segments we sent ({@code tcp_ctlinput} in NetBSD's {@code tcp_subr.c}): failing a
 * connection attempt, remembering soft errors, and path MTU discovery.
 */
final class TcpCtlInput {
    private static final int MIN_PATH_MTU = 296;

    private final Tcp tcp;
    private final Counters st;

    TcpCtlInput(Tcp tcp) {
        this.tcp = tcp;
        this.st = tcp.stats();
    }

    /**
     * {@code tcp_ctlinput}: an ICMP error about a segment we sent. Unreachables while connecting fail
     * the connection (RFC 1122 section 4.2.3.9 lets a SYN_SENT connection give up); later they are soft
     * errors, remembered for the timeout's report. "Fragmentation needed" lowers the segment size
     * ({@link #mtuDecrease}).
     */
    void ctlinput(int errno, int src, int dst, int sport, int dport, int mtu, long quotedSeq) {
        TcpCb tp = tcp.conns().lookup(src, sport, dst, dport);
        if (tp == null) {
            return;
        }
        Socket so = tp.so;
        so.lock().enter();
        try {
            if (tp.has(TcpCb.TF_CLOSED)) {
                return;
            }
            if (errno == Errno.EMSGSIZE) {
                mtuDecrease(tp, mtu, quotedSeq);
                return;
            }
            if (tp.state == TcpState.SYN_SENT && tp.rxtShift >= 1
                    && (errno == Errno.ECONNREFUSED || errno == Errno.EHOSTUNREACH || errno == Errno.ENETUNREACH)) {
                tcp.drop(tp, errno);
                return;
            }
            tp.softError = errno;
        } finally {
            so.lock().exit();
        }
    }

    /**
     * Path MTU discovery (RFC 1191 section 6.3, NetBSD's {@code tcp_mtudisc}): a router could not forward
     * one of our DF segments, so later segments are cut to fit {@code mtu} and what is outstanding is
     * sent again at once in the new size, since the router dropped it. The error is believed only if it
     * quotes a sequence number we have sent and not had acknowledged (RFC 5927 section 4.1); an MTU
     * below 296 bytes, the smallest plateau of RFC 1191 section 7 that a real path has, is not believed
     * either, so a forged error cannot shrink segments to a few bytes each (RFC 5927 section 7).
     * The learned size stays with the connection; it is not cached for the destination.
     */
    private void mtuDecrease(TcpCb tp, int mtu, long quotedSeq) {
        if (quotedSeq < 0 || !TcpSeq.geq((int) quotedSeq, tp.sndUna) || !TcpSeq.lt((int) quotedSeq, tp.sndMax)) {
            st.inc(TcpStat.ICMPOUTOFWINDOW);
            return;
        }
        if (mtu < MIN_PATH_MTU) {
            return;
        }
        int maxseg = mtu - Ipv4Packet.HEADER_LEN - TcpPacket.HEADER_LEN
                - (tp.has(TcpCb.TF_RCVD_TSTMP) ? TcpOutput.TS_OPT_LEN : 0);
        if (maxseg >= tp.maxseg) {
            return;
        }
        tp.maxseg = maxseg;
        st.inc(TcpStat.PMTUDECREASE);
        tp.sndNxt = tp.sndUna;
        tcp.output().output(tp);
    }
}
