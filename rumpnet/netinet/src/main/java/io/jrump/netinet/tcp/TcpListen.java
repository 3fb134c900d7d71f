package io.jrump.netinet.tcp;

import io.jrump.kern.syscall.SocketDefs;
import io.jrump.netinet.Counters;
import io.jrump.netinet.Inet;
import io.jrump.netinet.pcb.InPcb;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.rumpnet.socket.Socket;
import io.jrump.wire.TcpFlags;

/**
 * Passive open (RFC 9293 section 3.10.7.2, LISTEN; what FreeBSD's {@code tcp_syncache.c} does besides
 * keeping the cache): a segment that found no connection goes to the listening socket for its address and port.
 * A SYN costs an entry in the {@link TcpSynCache}, which stands in for SYN_RECEIVED; the ACK that
 * completes the handshake turns that entry into a socket and an ESTABLISHED control block
 * ({@code syncache_expand}); a RST removes the entry if it hits the exact sequence number; anything
 * else, and every segment with nobody listening, gets the CLOSED state's answer (section 3.10.7.1).
 */
final class TcpListen {
    private final Tcp tcp;
    private final TcpInput input;
    private final Inet inet;
    private final MbufPool pool;
    private final Counters st;

    TcpListen(Tcp tcp, TcpInput input) {
        this.tcp = tcp;
        this.input = input;
        this.inet = tcp.inet();
        this.pool = inet.mbufs();
        this.st = tcp.stats();
    }

    /**
     * A segment for no connection: LISTEN processing (RFC 9293 section 3.10.7.2) with the SYN cache
     * standing in for SYN_RECEIVED, or, with nobody listening, CLOSED processing (section 3.10.7.1).
     * Consumes {@code m}.
     */
    void input(TcpInput.Seg s, Mbuf m) {
        InPcb lp = tcp.table().lookupListener(s.dst, s.dport);
        TcpCb ltp = lp == null ? null : (TcpCb) lp.ppcb();
        if (ltp == null) {
            st.inc(TcpStat.NOPORT);
            pool.freeChain(m);
            respondClosed(s);
            return;
        }
        Socket lso = ltp.so;
        TcpCb child = null;
        lso.lock().enter();
        try {
            if (ltp.state != TcpState.LISTEN || ltp.has(TcpCb.TF_CLOSED)) {
                pool.freeChain(m);
                respondClosed(s);
                return;
            }
            if (s.has(TcpFlags.RST)) {
                tcp.synCache().reset(s.dst, s.dport, s.src, s.sport, s.seq);
                pool.freeChain(m);
                return;
            }
            if (s.has(TcpFlags.ACK)) {
                TcpSynCache.Entry e = tcp.synCache().lookup(s.dst, s.dport, s.src, s.sport);
                if (e == null || s.ack != e.iss + 1 || s.has(TcpFlags.SYN)
                        || !TcpSeq.inRange(s.seq, e.irs + 1, e.irs + 1 + Math.max(1, e.rcvBuf))) {
                    st.inc(TcpStat.BADACK);
                    pool.freeChain(m);
                    // RFC 9293 section 3.10.7.2: an ACK to a listener is answered <SEQ=SEG.ACK><CTL=RST>.
                    tcp.transmit().respond(s.dst, s.dport, s.src, s.sport, s.ack, 0, TcpFlags.RST, 0, null, 0);
                    return;
                }
                child = expand(ltp, e, s);
                if (child == null) {
                    pool.freeChain(m);
                    return;
                }
            } else if (s.has(TcpFlags.SYN)) {
                syn(ltp, s);
                pool.freeChain(m);
                return;
            } else {
                pool.freeChain(m);
                return;
            }
        } finally {
            lso.lock().exit();
        }
        // The new connection's socket is unknown to anybody else until the lookup finds it; process the
        // rest of the handshake's ACK (data, FIN) under its own lock.
        child.so.lock().enter();
        try {
            if (!child.has(TcpCb.TF_CLOSED)) {
                input.connectionInput(child, s, m);
            } else {
                pool.freeChain(m);
            }
        } finally {
            child.so.lock().exit();
        }
    }

    /**
     * A SYN for a listener. A full listen queue drops it before any work, as Lazy Receiver Processing
     * (seed 003) requires of overload; otherwise the SYN cache answers.
     */
    private void syn(TcpCb ltp, TcpInput.Seg s) {
        Socket lso = ltp.so;
        if (lso.listenQueueFull()) {
            lso.countListenDrop();
            st.inc(TcpStat.LISTENDROP);
            return;
        }
        if (s.dst == s.src && s.dport == s.sport) {
            st.inc(TcpStat.BADSYN);
            return;
        }
        int ourMss = tcp.tcpUsrreq().mssFor(s.src, ltp.userMaxseg);
        // DART's if_sockbuf (seed 002): the window scale is chosen now, so it covers the most the
        // interface will give the socket made from this SYN.
        int rcvBuf = inet.ifSockbufReceiveCeiling(s.src, lso.snd.hiwat(), lso.rcv.hiwat());
        int peerMss = s.mss > 0 ? s.mss : tcp.mssdflt.intValue();
        // A kernel client hooked on the listener hears of a new request here, at SYN time (the TDI
        // connect event, seed 001); a retransmitted SYN finds its entry and is not announced again.
        TcpListenHook client = ltp.listenHook;
        Object token = null;
        if (client != null && tcp.synCache().lookup(s.dst, s.dport, s.src, s.sport) == null) {
            token = client.syn(s.dst, s.dport, s.src, s.sport);
        }
        tcp.synCache().add(ltp, s.dst, s.dport, s.src, s.sport, s.seq, peerMss, s.wscale, s.ts, s.tsVal,
                s.sackOk, ourMss, rcvBuf, client, token);
    }

    /**
     * The handshake completed for a SYN cache entry: makes the socket ({@code sonewconn}) and its
     * control block in ESTABLISHED, with the options the SYN negotiated, and only then queues it for
     * accept(). Null if the listen queue is full; the entry stays, and its SYN,ACK retransmission will draw
     * another ACK.
     * Listener lock held.
     */
    private TcpCb expand(TcpCb ltp, TcpSynCache.Entry e, TcpInput.Seg s) {
        // Onto the incomplete queue first: accept() runs on another thread and must not see the socket
        // before its control block is ESTABLISHED and findable (soisconnected below moves it over).
        Socket so = Socket.sonewconn(ltp.so, false);
        if (so == null) {
            st.inc(TcpStat.SC_ABORTED);
            return null;
        }
        tcp.synCache().remove(e);
        st.inc(TcpStat.SC_COMPLETED);
        InPcb p = (InPcb) so.pcb();
        TcpCb tp = (TcpCb) p.ppcb();
        so.lock().enter();
        try {
            p.inheritOptions(ltp.inp);
            tcp.table().setConnected(p, e.laddr, e.lport, e.faddr, e.fport);
            // The SYN,ACK's round trip, unless it was retransmitted (Karn): what an auto quota needs.
            long rtt = e.rexmits == 0 ? tcp.now() - e.synAckNanos : 0;
            if (inet.applyIfSockbuf(so, e.faddr, rtt)) {
                st.inc(TcpStat.IFSOCKBUF);
            }
            tcp.adapterBuffers.established(tp);
            tp.flags |= ltp.flags & TcpCb.TF_NODELAY;
            tp.keepIdle = ltp.keepIdle;
            tp.keepIntvl = ltp.keepIntvl;
            tp.keepCnt = ltp.keepCnt;
            tp.userMaxseg = ltp.userMaxseg;
            tp.iss = e.iss;
            tp.irs = e.irs;
            tp.sndUna = tp.sndNxt = tp.sndMax = e.iss + 1;
            tp.highRxt = tp.recover = tp.sndUna;
            tp.rcvNxt = e.irs + 1;
            tp.rcvAdv = tp.rcvNxt + Math.min(e.rcvBuf, 65535);
            tp.lastAckSent = tp.rcvNxt;
            tp.ourMss = e.ourMss;
            if (e.sndScale >= 0) {
                tp.set(TcpCb.TF_REQ_SCALE | TcpCb.TF_RCVD_SCALE);
                tp.sndScale = e.sndScale;
                tp.rcvScale = e.rcvScale;
                tp.requestedRcvScale = e.rcvScale;
            }
            if (e.ts) {
                tp.set(TcpCb.TF_REQ_TSTMP | TcpCb.TF_RCVD_TSTMP);
                tp.tsRecent = e.tsRecent;
                tp.tsRecentAgeNanos = tcp.now();
                tp.tsOffset = e.tsOffset;
            }
            if (e.sack) {
                tp.set(TcpCb.TF_SACK_PERMIT | TcpCb.TF_WILL_SACK);
            }
            if (e.rexmits > 0) {
                // RFC 6298 section 5.7: the SYN,ACK was retransmitted and nothing measured: data starts at 3 s.
                tp.rtoNanos = 3 * Tcp.SEC;
            }
            tp.peerMss = e.peerMss;
            tp.maxseg = Math.max(64, Math.min(e.peerMss, e.ourMss) - (e.ts ? TcpOutput.TS_OPT_LEN : 0));
            tp.sndWnd = s.win << tp.sndScale;
            tp.maxSndWnd = tp.sndWnd;
            tp.sndWl1 = s.seq;
            tp.sndWl2 = s.ack;
            tp.cc.init(tp, tcp.initialWindow(tp.maxseg, e.rexmits > 0));
            tp.quickAcks = tcp.quickAckSegs.intValue();
            tp.state = TcpState.ESTABLISHED;
            tp.lastRcvNanos = tcp.now();
            tcp.conns().insert(tp);
            if (e.token != null) {
                Object token = e.token;
                e.token = null;
                tp.connHook = e.hook.established(token, so);
            }
            so.soisconnected();
            st.inc(TcpStat.ACCEPTS);
            st.inc(TcpStat.CONNECTS);
            if ((so.options() & SocketDefs.SO_KEEPALIVE) != 0) {
                tcp.timers().startKeep(tp);
            }
        } finally {
            so.lock().exit();
        }
        return tp;
    }

    /** RFC 9293 section 3.10.7.1: a segment for no connection is answered with a RST, unless it is one. */
    private void respondClosed(TcpInput.Seg s) {
        if (s.has(TcpFlags.RST)) {
            return;
        }
        if (s.has(TcpFlags.ACK)) {
            tcp.transmit().respond(s.dst, s.dport, s.src, s.sport, s.ack, 0, TcpFlags.RST, 0, null, 0);
        } else {
            int seglen = s.len + (s.has(TcpFlags.SYN) ? 1 : 0) + (s.has(TcpFlags.FIN) ? 1 : 0);
            tcp.transmit().respond(s.dst, s.dport, s.src, s.sport, 0, s.seq + seglen, TcpFlags.RST | TcpFlags.ACK, 0,
                    null, 0);
        }
    }
}
