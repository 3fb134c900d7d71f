package io.jrump.netinet.tcp;

import io.jrump.hypercall.Errno;
import io.jrump.net.Ifnet;
import io.jrump.netinet.ChainChecksum;
import io.jrump.netinet.Counters;
import io.jrump.netinet.Inet;
import io.jrump.netinet.pcb.InPcb;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufChain;
import io.jrump.rumpnet.mbuf.MbufFlags;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.rumpnet.socket.Socket;
import io.jrump.wire.ChecksumAccumulator;
import io.jrump.wire.IpProtocol;
import io.jrump.wire.Ipv4Address;
import io.jrump.wire.Ipv4Packet;
import io.jrump.wire.TcpFlags;
import io.jrump.wire.TcpOption;
import io.jrump.wire.TcpOptions;
import io.jrump.wire.TcpPacket;
import io.jrump.wire.WireError;

/**
 * {@code tcp_input}: RFC 9293 section 3.10.7, "SEGMENT ARRIVES", step by step, with the later rules
 * that amend it: PAWS (RFC 7323 section 5), the RST, SYN and ACK checks of RFC 5961, SACK (RFC 2018)
 * feeding SACK-based recovery (RFC 6675), NewReno recovery (RFC 6582) without SACK, and the
 * acknowledgement policy of RFC 1122 section 4.2.3.2 and RFC 5681 section 4.2.
 *
 * <p>It runs at softint level when an IP datagram arrives, not inside a receive call: protocol work is
 * independent of the reader, which is what lets Lazy Receiver Processing (seed 003) later move it into
 * the receiver's context. The connection is found in one place, {@link #input}'s lookup, for the same
 * reason. Every malformed or unwanted segment is a counter, never an exception.
 */
final class TcpInput {
    private final Tcp tcp;
    private final Inet inet;
    private final MbufPool pool;
    private final Counters st;

    /** One arriving segment, parsed; per thread so that input allocates nothing. */
    static final class Seg {
        final Ipv4Packet ip = new Ipv4Packet();
        final TcpPacket th = new TcpPacket();
        final TcpOptions opts = new TcpOptions();
        final ChecksumAccumulator acc = new ChecksumAccumulator();
        final int[] sackL = new int[TcpOption.MAX_SACK_BLOCKS];
        final int[] sackR = new int[TcpOption.MAX_SACK_BLOCKS];
        final int[] take = new int[2];
        int src;
        int dst;
        int sport;
        int dport;
        int seq;
        int ack;
        int flags;
        int win;
        int len;
        int mss;
        int wscale;
        boolean sackOk;
        boolean ts;
        int tsVal;
        int tsEcr;
        int sackCount;
        Ifnet ifp;

        boolean has(int f) {
            return (flags & f) != 0;
        }
    }

    private final ThreadLocal<Seg> segs = ThreadLocal.withInitial(Seg::new);

    TcpInput(Tcp tcp) {
        this.tcp = tcp;
        this.inet = tcp.inet();
        this.pool = inet.mbufs();
        this.st = tcp.stats();
    }

    /** A TCP datagram from IP: header first, contiguous for {@code hlen}; consumes {@code m}. */
    void input(Mbuf m, int hlen, Ifnet ifp) {
        st.inc(TcpStat.RCVTOTAL);
        Seg s = segs.get();
        int iplen = m.pkthdr().len();
        int tcplen = iplen - hlen;
        if (tcplen < TcpPacket.HEADER_LEN) {
            st.inc(TcpStat.RCVSHORT);
            pool.freeChain(m);
            return;
        }
        Mbuf h = MbufChain.pullup(m, hlen + TcpPacket.HEADER_LEN);
        if (h == null) {
            st.inc(TcpStat.RCVSHORT);
            return;
        }
        m = h;
        TcpPacket th = s.th.wrap(m.buf(), m.off() + hlen, TcpPacket.HEADER_LEN);
        int thlen = th.headerLength();
        if (thlen < TcpPacket.HEADER_LEN || thlen > tcplen) {
            st.inc(TcpStat.RCVBADOFF);
            pool.freeChain(m);
            return;
        }
        if (thlen > TcpPacket.HEADER_LEN) {
            h = MbufChain.pullup(m, hlen + thlen);
            if (h == null) {
                st.inc(TcpStat.RCVBADOFF);
                return;
            }
            m = h;
        }
        Ipv4Packet ip = s.ip.wrap(m.buf(), m.off(), hlen);
        s.src = ip.source();
        s.dst = ip.destination();
        if ((m.pkthdr().csumFlags() & CsumFlags.M_CSUM_TCPv4) == 0) {
            ChecksumAccumulator acc = s.acc.reset().addPseudoHeader(s.src, s.dst, IpProtocol.TCP, tcplen);
            ChainChecksum.add(acc, m, hlen, tcplen);
            if (acc.checksum() != 0) {
                st.inc(TcpStat.RCVBADSUM);
                pool.freeChain(m);
                return;
            }
        }
        // RFC 1122 section 4.2.3.10: no connection to or from a broadcast or multicast address.
        if ((m.flags() & (MbufFlags.M_BCAST | MbufFlags.M_MCAST)) != 0 || Ipv4Address.isMulticast(s.dst)
                || s.dst == 0xffffffff || Ipv4Address.isMulticast(s.src) || s.src == 0xffffffff
                || inet.addrs().isBroadcast(s.dst, ifp) || s.src == 0) {
            pool.freeChain(m);
            return;
        }
        th = s.th.wrap(m.buf(), m.off() + hlen, thlen);
        s.sport = th.sourcePort();
        s.dport = th.destinationPort();
        s.seq = th.sequenceNumber();
        s.ack = th.acknowledgmentNumber();
        s.flags = th.flags() & 0x3f;
        s.win = th.window();
        s.len = tcplen - thlen;
        s.ifp = ifp;
        if (!parseOptions(s, m.buf(), m.off() + hlen + TcpPacket.HEADER_LEN, thlen - TcpPacket.HEADER_LEN)) {
            st.inc(TcpStat.RCVBADOFF);
            pool.freeChain(m);
            return;
        }
        if (s.sport == 0 || s.dport == 0) {
            pool.freeChain(m);
            return;
        }
        MbufChain.adj(m, hlen + thlen);
        deliver(s, m);
    }

    private boolean parseOptions(Seg s, byte[] b, int off, int len) {
        s.mss = -1;
        s.wscale = -1;
        s.sackOk = false;
        s.ts = false;
        s.sackCount = 0;
        if (len == 0) {
            return true;
        }
        if (TcpOptions.validate(b, off, len) != WireError.OK) {
            return false;
        }
        TcpOptions o = s.opts.wrap(b, off, len);
        while (o.next()) {
            switch (o.kind()) {
                case TcpOption.MSS -> s.mss = o.mss();
                case TcpOption.WINDOW_SCALE -> s.wscale = o.windowScale();
                case TcpOption.SACK_PERMITTED -> s.sackOk = true;
                case TcpOption.TIMESTAMPS -> {
                    s.ts = true;
                    s.tsVal = o.timestampValue();
                    s.tsEcr = o.timestampEchoReply();
                }
                case TcpOption.SACK -> {
                    int n = Math.min(o.sackBlockCount(), TcpOption.MAX_SACK_BLOCKS);
                    for (int i = 0; i < n; i++) {
                        s.sackL[i] = o.sackLeft(i);
                        s.sackR[i] = o.sackRight(i);
                    }
                    s.sackCount = n;
                }
                default -> {
                }
            }
        }
        return true;
    }

    /**
     * Finds the segment's connection, the one lookup for every TCP segment: an established connection
     * by its four addresses, else a listening socket (through the SYN cache), else nobody (RST).
     */
    private void deliver(Seg s, Mbuf m) {
        for (int attempt = 0; attempt < 3; attempt++) {
            TcpCb tp = tcp.conns().lookup(s.dst, s.dport, s.src, s.sport);
            if (tp == null) {
                if (tcp.vtw().input(s)) {
                    pool.freeChain(m);
                } else if (listenInput(s, m)) {
                    continue;
                }
                return;
            }
            Socket so = tp.so;
            boolean recycle;
            so.lock().enter();
            try {
                if (tp.has(TcpCb.TF_CLOSED)) {
                    continue;
                }
                recycle = connectionInput(tp, s, m);
            } finally {
                so.lock().exit();
            }
            if (!recycle) {
                return;
            }
        }
        pool.freeChain(m);
    }

    /**
     * A segment for no connection: LISTEN processing (RFC 9293 section 3.10.7.2) with the SYN cache
     * standing in for SYN_RECEIVED, or, with nobody listening, CLOSED processing (section 3.10.7.1).
     * Returns true, keeping {@code m}, when the segment's connection turned up meanwhile: input on another
     * thread (another interface's, or another CPU's softint) completed the handshake between this
     * segment's lookup and its turn at the listener, which took the SYN cache entry with it. NetBSD rules
     * this out by running all TCP input under {@code softnet_lock}; here the caller looks the connection up
     * again instead of answering an ACK it would have accepted a moment later with a RST.
     */
    private boolean listenInput(Seg s, Mbuf m) {
        InPcb lp = tcp.table().lookupListener(s.dst, s.dport);
        TcpCb ltp = lp == null ? null : (TcpCb) lp.ppcb();
        if (ltp == null) {
            st.inc(TcpStat.NOPORT);
            pool.freeChain(m);
            respondClosed(s);
            return false;
        }
        Socket lso = ltp.so;
        TcpCb child = null;
        lso.lock().enter();
        try {
            if (ltp.state != TcpState.LISTEN || ltp.has(TcpCb.TF_CLOSED)) {
                pool.freeChain(m);
                respondClosed(s);
                return false;
            }
            if (tcp.conns().lookup(s.dst, s.dport, s.src, s.sport) != null) {
                return true;
            }
            if (s.has(TcpFlags.RST)) {
                tcp.synCache().reset(s.dst, s.dport, s.src, s.sport, s.seq);
                pool.freeChain(m);
                return false;
            }
            if (s.has(TcpFlags.ACK)) {
                TcpSynCache.Entry e = tcp.synCache().lookup(s.dst, s.dport, s.src, s.sport);
                if (e == null || s.ack != e.iss + 1 || s.has(TcpFlags.SYN)
                        || !TcpSeq.inRange(s.seq, e.irs + 1, e.irs + 1 + Math.max(1, e.rcvBuf))) {
                    st.inc(TcpStat.BADACK);
                    pool.freeChain(m);
                    // RFC 9293 section 3.10.7.2: an ACK to a listener is answered <SEQ=SEG.ACK><CTL=RST>.
                    tcp.output().respond(s.dst, s.dport, s.src, s.sport, s.ack, 0, TcpFlags.RST, 0, null, 0);
                    return false;
                }
                child = expand(ltp, e, s);
                if (child == null) {
                    pool.freeChain(m);
                    return false;
                }
            } else if (s.has(TcpFlags.SYN)) {
                synInput(ltp, s);
                pool.freeChain(m);
                return false;
            } else {
                pool.freeChain(m);
                return false;
            }
        } finally {
            lso.lock().exit();
        }
        // The new connection's socket is unknown to anybody else until the lookup finds it; process the
        // rest of the handshake's ACK (data, FIN) under its own lock.
        child.so.lock().enter();
        try {
            if (!child.has(TcpCb.TF_CLOSED)) {
                connectionInput(child, s, m);
            } else {
                pool.freeChain(m);
            }
        } finally {
            child.so.lock().exit();
        }
        return false;
    }

    /**
     * A SYN for a listener. A full listen queue drops it before any work, as Lazy Receiver Processing
     * (seed 003) requires of overload; otherwise the SYN cache answers.
     */
    private void synInput(TcpCb ltp, Seg s) {
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
        int rcvBuf = lso.rcv.hiwat();
        var rt = inet.routes().lookup(s.src);
        var hook = rt == null ? null : rt.ifp().sockbufHook();
        if (hook != null) {
            rcvBuf = Math.max(rcvBuf, hook.adjust(lso.snd.hiwat(), lso.rcv.hiwat())[1]);
        }
        int peerMss = s.mss > 0 ? s.mss : tcp.mssdflt.intValue();
        tcp.synCache().add(ltp, s.dst, s.dport, s.src, s.sport, s.seq, peerMss, s.wscale, s.ts, s.tsVal,
                s.sackOk, ourMss, rcvBuf);
    }

    /**
     * The handshake completed for a SYN cache entry: makes the socket ({@code sonewconn}) and its
     * control block in ESTABLISHED, with the options the SYN negotiated, and only then queues it for
     * accept(). Null if the listen queue is full; the entry stays, and its SYN,ACK retransmission will draw
     * another ACK.
     * Listener lock held.
     */
    private TcpCb expand(TcpCb ltp, TcpSynCache.Entry e, Seg s) {
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
            if (e.rcvBuf > so.rcv.hiwat()) {
                inet.applyIfSockbuf(so, e.faddr);
            }
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
            tp.cc.init(tp);
            tp.quickAcks = tcp.quickAckSegs.intValue();
            tp.state = TcpState.ESTABLISHED;
            tp.lastRcvNanos = tcp.now();
            tcp.conns().insert(tp);
            so.soisconnected();
            st.inc(TcpStat.ACCEPTS);
            st.inc(TcpStat.CONNECTS);
            if ((so.options() & io.jrump.kern.syscall.SocketDefs.SO_KEEPALIVE) != 0) {
                tcp.timers().startKeep(tp);
            }
        } finally {
            so.lock().exit();
        }
        return tp;
    }

    /** RFC 9293 section 3.10.7.1: a segment for no connection is answered with a RST, unless it is one. */
    private void respondClosed(Seg s) {
        if (s.has(TcpFlags.RST)) {
            return;
        }
        if (s.has(TcpFlags.ACK)) {
            tcp.output().respond(s.dst, s.dport, s.src, s.sport, s.ack, 0, TcpFlags.RST, 0, null, 0);
        } else {
            int seglen = s.len + (s.has(TcpFlags.SYN) ? 1 : 0) + (s.has(TcpFlags.FIN) ? 1 : 0);
            tcp.output().respond(s.dst, s.dport, s.src, s.sport, 0, s.seq + seglen, TcpFlags.RST | TcpFlags.ACK, 0,
                    null, 0);
        }
    }

    /**
     * A segment for a connection, socket lock held; consumes {@code m}. Returns true when a TIME_WAIT
     * connection made way for a new SYN, which the caller then looks up again.
     */
    private boolean connectionInput(TcpCb tp, Seg s, Mbuf m) {
        tp.segsIn++;
        if (tp.state == TcpState.TIME_WAIT) {
            TcpTimeWait.Verdict v = tcp.timeWait().input(tp, s.seq, s.flags, s.len, s.ts, s.tsVal);
            if (v == TcpTimeWait.Verdict.RECYCLE) {
                return true;
            }
            pool.freeChain(m);
            if (v == TcpTimeWait.Verdict.ACK) {
                tp.set(TcpCb.TF_ACKNOW);
                tcp.output().segment(tp, tp.sndMax, 0, TcpFlags.ACK, false);
            }
            return false;
        }
        tp.lastRcvNanos = tcp.now();
        tp.keepProbes = 0;
        if (tp.state == TcpState.SYN_SENT) {
            synSent(tp, s, m);
            return false;
        }
        established(tp, s, m);
        return false;
    }

    /** RFC 9293 section 3.10.7.3: SYN_SENT. */
    private void synSent(TcpCb tp, Seg s, Mbuf m) {
        pool.freeChain(m);
        if (s.has(TcpFlags.ACK) && (TcpSeq.leq(s.ack, tp.iss) || TcpSeq.gt(s.ack, tp.sndMax))) {
            if (!s.has(TcpFlags.RST)) {
                tcp.output().respond(s.dst, s.dport, s.src, s.sport, s.ack, 0, TcpFlags.RST, 0, null, 0);
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
            tp.cc.init(tp);
            tp.highRxt = tp.recover = tp.sndUna;
            tp.quickAcks = tcp.quickAckSegs.intValue();
            st.inc(TcpStat.CONNECTS);
            tp.keepTimer.stop();
            if ((tp.so.options() & io.jrump.kern.syscall.SocketDefs.SO_KEEPALIVE) != 0) {
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
    private void negotiate(TcpCb tp, Seg s) {
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

    /** RFC 9293 section 3.10.7.4: every synchronized state (and SYN_RECEIVED). */
    private void established(TcpCb tp, Seg s, Mbuf m) {
        Socket so = tp.so;
        int rcvWnd = Math.max(tp.receiveWindow(), tp.rcvAdv - tp.rcvNxt);

        // RFC 5961 section 3.2: a RST resets only if it is exactly at RCV.NXT; in the window it draws a
        // challenge ACK; elsewhere it is dropped. RSTs are exempt from PAWS (RFC 7323 section 5.3 R1).
        if (s.has(TcpFlags.RST)) {
            pool.freeChain(m);
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
                if (err != 0 && !so.isFreed()) {
                    so.setError(err);
                }
                tcp.close(tp);
            } else if (TcpSeq.inRange(s.seq, tp.rcvNxt, tp.rcvNxt + Math.max(rcvWnd, 1))) {
                challengeAck(tp);
            } else {
                st.inc(TcpStat.RSTIGNORED);
            }
            return;
        }

        // RFC 7323 section 5.3: PAWS.
        if (s.ts && tp.has(TcpCb.TF_RCVD_TSTMP) && s.tsVal - tp.tsRecent < 0) {
            if (tcp.now() - tp.tsRecentAgeNanos > 24L * 86400 * Tcp.SEC) {
                tp.tsRecent = 0;
            } else {
                st.inc(TcpStat.PAWSDROP);
                pool.freeChain(m);
                tp.set(TcpCb.TF_ACKNOW);
                tcp.output().output(tp);
                return;
            }
        }

        // RFC 5961 section 4: a SYN in a synchronized state is answered with a challenge ACK.
        if (s.has(TcpFlags.SYN) && tp.state == TcpState.SYN_RECEIVED && s.seq == tp.irs && s.has(TcpFlags.ACK)
                && TcpSeq.gt(s.ack, tp.sndUna) && TcpSeq.leq(s.ack, tp.sndMax)) {
            // RFC 9293 section 3.5 figure 8 line 6: in a simultaneous open the peer's SYN,ACK acknowledges
            // our SYN; its SYN was counted already, so what remains is the ACK that establishes us.
            pool.freeChain(m);
            m = null;
            s.seq += 1;
            s.len = 0;
            s.flags &= ~TcpFlags.SYN;
            // RFC 7323 section 2.2: its window is unscaled; rounded down to the scale, the arithmetic
            // below, which scales it, errs small.
            s.win >>>= tp.sndScale;
        }
        if (s.has(TcpFlags.SYN)) {
            pool.freeChain(m);
            if (tp.state == TcpState.SYN_RECEIVED && s.seq == tp.irs) {
                tp.set(TcpCb.TF_ACKNOW);
                tcp.output().output(tp);
                return;
            }
            challengeAck(tp);
            return;
        }

        // RFC 9293 section 3.10.7.4, first: sequence number acceptability, trimming to the window.
        int seq = s.seq;
        int len = s.len;
        boolean fin = s.has(TcpFlags.FIN);
        int todrop = tp.rcvNxt - seq;
        if (todrop > 0) {
            if (todrop > len || todrop == len && !fin) {
                // entirely old: a duplicate. Acknowledge it (the peer may have missed our ACK) and drop.
                st.inc(TcpStat.RCVDUPPACK);
                st.add(TcpStat.RCVDUPBYTE, len);
                pool.freeChain(m);
                if (len > 0 || fin) {
                    tp.set(TcpCb.TF_ACKNOW);
                    tcp.output().output(tp);
                    return;
                }
                // a pure ACK with an old sequence number still carries a valid ACK (RFC 9293 accepts a
                // zero-length segment at RCV.NXT only; BSD processes its ACK, as we do). Being
                // unacceptable it is also answered (RFC 9293 section 3.10.7.4): a keepalive probe
                // (RFC 1122 section 4.2.3.6) is exactly such a segment.
                // Its own (old) sequence number stays: the send window is not taken from an old
                // segment (RFC 9293 section 3.10.7.4, SND.WL1).
                m = null;
                len = 0;
                fin = false;
                if (todrop > Math.max(rcvWnd, tp.maxseg) * 2) {
                    return;
                }
                tp.set(TcpCb.TF_ACKNOW);
            } else {
                MbufChain.adj(m, todrop);
                seq += todrop;
                len -= todrop;
                st.inc(TcpStat.RCVDUPPACK);
                st.add(TcpStat.RCVDUPBYTE, todrop);
            }
        }
        int over = seq + len - (tp.rcvNxt + rcvWnd);
        if (over > 0) {
            st.inc(TcpStat.RCVPACKAFTERWIN);
            if (over >= len) {
                if (rcvWnd == 0 && seq == tp.rcvNxt) {
                    st.inc(TcpStat.RCVWINPROBE);
                } else if (len > 0 || fin) {
                    // beyond the window: acknowledge and drop (RFC 9293 section 3.10.7.4 "first")
                    pool.freeChain(m);
                    tp.set(TcpCb.TF_ACKNOW);
                    tcp.output().output(tp);
                    return;
                }
                if (m != null) {
                    pool.freeChain(m);
                }
                m = null;
                len = 0;
                fin = false;
                tp.set(TcpCb.TF_ACKNOW);
            } else {
                MbufChain.adj(m, -over);
                len -= over;
                fin = false;
            }
        }

        // RFC 7323 section 4.3: TS.Recent follows the segment that covers RCV.NXT (Last.ACK.sent).
        if (s.ts && tp.has(TcpCb.TF_RCVD_TSTMP) && TcpSeq.leq(seq, tp.lastAckSent)
                && TcpSeq.geq(seq + len + (fin ? 1 : 0), tp.lastAckSent) && s.tsVal - tp.tsRecent >= 0) {
            tp.tsRecent = s.tsVal;
            tp.tsRecentAgeNanos = tcp.now();
        }

        // fifth: the ACK field
        if (!s.has(TcpFlags.ACK)) {
            if (m != null) {
                pool.freeChain(m);
            }
            return;
        }
        if (tp.state == TcpState.SYN_RECEIVED) {
            if (TcpSeq.gt(s.ack, tp.sndUna) && TcpSeq.leq(s.ack, tp.sndMax)) {
                tp.state = TcpState.ESTABLISHED;
                tp.cc.init(tp);
                tp.sndWnd = s.win << tp.sndScale;
                tp.sndWl1 = seq;
                tp.sndWl2 = s.ack;
                st.inc(TcpStat.CONNECTS);
                tp.keepTimer.stop();
                so.soisconnected();
            } else {
                if (m != null) {
                    pool.freeChain(m);
                }
                tcp.output().respond(s.dst, s.dport, s.src, s.sport, s.ack, 0, TcpFlags.RST, 0, null, 0);
                return;
            }
        }
        if (!ackInput(tp, s, seq, len)) {
            if (m != null) {
                pool.freeChain(m);
            }
            return;
        }
        if (tp.has(TcpCb.TF_CLOSED)) {
            if (m != null) {
                pool.freeChain(m);
            }
            return;
        }

        // seventh: the segment text
        if (len > 0 || fin) {
            if (!TcpState.canReceive(tp.state)) {
                // data after the peer's FIN: ignored (RFC 9293 section 3.10.7.4 "seventh")
                if (m != null) {
                    pool.freeChain(m);
                }
                m = null;
                len = 0;
                fin = false;
            } else if (tp.has(TcpCb.TF_DETACHED) && len > 0) {
                // RFC 1122 section 4.2.2.13: data for a closed socket resets the connection.
                st.inc(TcpStat.RCVAFTERCLOSE);
                pool.freeChain(m);
                tcp.drop(tp, 0);
                return;
            }
        }
        if (len > 0 || fin) {
            dataInput(tp, s, seq, len, fin, m);
        } else if (m != null) {
            pool.freeChain(m);
        }
        if (!tp.has(TcpCb.TF_CLOSED)) {
            tcp.output().output(tp);
        }
    }

    /** RFC 5961 section 7: challenge ACKs are rate limited, or they become an amplifier. */
    private void challengeAck(TcpCb tp) {
        long now = tcp.now();
        if (now - challengeWindowStart > Tcp.SEC) {
            challengeWindowStart = now;
            challengeCount = 0;
        }
        if (++challengeCount > tcp.challengeAckLimit.intValue()) {
            return;
        }
        st.inc(TcpStat.CHALLENGEACK);
        tp.set(TcpCb.TF_ACKNOW);
        tcp.output().segment(tp, tp.sndNxt, 0, TcpFlags.ACK, false);
    }

    private volatile long challengeWindowStart;
    private volatile int challengeCount;

    /**
     * RFC 9293 section 3.10.7.4 "fifth", with RFC 5961 section 5.2's acceptable range, duplicate-ACK
     * counting (RFC 5681 section 2), fast retransmit and recovery (RFC 6582; RFC 6675 with SACK), RTT
     * samples (RFC 6298 and RFC 7323 section 4), the send window update, and our FIN's acknowledgement.
     * False if the segment is to be dropped.
     */
    private boolean ackInput(TcpCb tp, Seg s, int seq, int len) {
        Socket so = tp.so;
        int ack = s.ack;
        // RFC 5961 section 5.2: SND.UNA - MAX.SND.WND =< SEG.ACK =< SND.NXT, else challenge and drop.
        if (TcpSeq.gt(ack, tp.sndMax)) {
            st.inc(TcpStat.RCVACKTOOMUCH);
            tp.set(TcpCb.TF_ACKNOW);
            tcp.output().output(tp);
            return false;
        }
        if (TcpSeq.lt(ack, tp.sndUna - Math.max(tp.maxSndWnd, 65535))) {
            st.inc(TcpStat.BADACK);
            challengeAck(tp);
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
        tcp.output().segment(tp, tp.sndUna, len, flags, true);
        tp.sndNxt = TcpSeq.max(save, tp.sndNxt);
        tp.highRxt = TcpSeq.max(tp.highRxt, tp.sndUna + len + ((flags & TcpFlags.FIN) != 0 ? 1 : 0));
    }

    /** An ACK for new data: RFC 6298 sample, free acknowledged bytes, recovery and window growth. */
    private void newAck(TcpCb tp, Seg s, int ack, long now) {
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
        if (finAcked) {
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

    /**
     * "Seventh" and "eighth": in-order data goes to the socket (with whatever the reassembly queue can
     * now release), out-of-order data to the queue; the FIN once everything before it arrived.
     */
    private void dataInput(TcpCb tp, Seg s, int seq, int len, boolean fin, Mbuf m) {
        Socket so = tp.so;
        boolean delivered = false;
        boolean finNow = false;
        if (seq == tp.rcvNxt) {
            boolean gap = !tp.reass.isEmpty();
            if (len > 0) {
                st.inc(TcpStat.RCVPACK);
                st.add(TcpStat.RCVBYTE, len);
                tp.rcvNxt += len;
                tp.bytesIn += len;
                if (s.ts) {
                    tcp.autosize.received(tp, s.tsEcr, len);
                }
                so.rcv.appendStream(m);
                delivered = true;
            } else if (m != null) {
                pool.freeChain(m);
            }
            if (!gap) {
                finNow = fin;
                if (len > 0) {
                    ackPolicy(tp, len);
                }
            } else {
                // Data beyond a FIN cannot be legitimate; a FIN with a queue behind it is ignored.
                int[] out = s.take;
                Mbuf q;
                while ((q = tp.reass.take(tp.rcvNxt, out)) != null) {
                    tp.rcvNxt += out[0];
                    tp.bytesIn += out[0];
                    if (out[0] > 0) {
                        so.rcv.appendStream(q);
                        delivered = true;
                    } else {
                        pool.freeChain(q);
                    }
                    if (out[1] != 0) {
                        finNow = true;
                        tp.reass.flush();
                        break;
                    }
                }
                // RFC 5681 section 4.2: an ACK at once when a segment fills in a gap.
                tp.set(TcpCb.TF_ACKNOW);
            }
        } else {
            st.inc(TcpStat.RCVOOPACK);
            st.add(TcpStat.RCVOOBYTE, len);
            if (m == null) {
                m = pool.get();
                if (m == null) {
                    return;
                }
            }
            if (!tp.reass.insert(seq, len, fin, m) && len > 0) {
                st.inc(TcpStat.REASSFULL);
            }
            // RFC 5681 section 4.2: an out-of-order segment is acknowledged at once (a duplicate ACK).
            tp.set(TcpCb.TF_ACKNOW);
        }
        if (delivered) {
            so.sorwakeup();
        }
        if (finNow) {
            finInput(tp);
        }
    }

    /**
     * RFC 1122 section 4.2.3.2 and RFC 5681 section 4.2: ACK every second full segment at once, the
     * first segments of a connection at once (quick-ACK, so slow start is not held back by delayed
     * ACKs), and otherwise within {@code net.inet.tcp.delack_ticks}. The rule counts full-sized segments
     * of the wire, so a segment received whole from a device that merged or never cut it (a 64 KB GSO frame
     * from a tap, a large segment over the hub) counts as the segments it stands for and is ACKed at once,
     * as FreeBSD delays only segments of at most one MSS and Linux ACKs each merged GRO packet. Delaying it
     * held the sender's next window back by a whole frame's arrival time: with a sender whose congestion
     * window follows its minimum RTT (Linux's BBR) that halved a tap's throughput.
     */
    private void ackPolicy(TcpCb tp, int len) {
        if (tp.quickAcks > 0) {
            tp.quickAcks--;
            tp.set(TcpCb.TF_ACKNOW);
            return;
        }
        tp.segsSinceAck += len > tp.maxseg ? 2 : 1;
        int ticks = tcp.delackTicks.intValue();
        if (tp.segsSinceAck >= 2 || ticks == 0 || tp.has(TcpCb.TF_DELACK)) {
            tp.set(TcpCb.TF_ACKNOW);
            return;
        }
        tp.set(TcpCb.TF_DELACK);
        if (!tp.delackTimer.pending()) {
            tp.delackTimer.schedule(ticks);
        }
    }

    /** "Eighth, check the FIN bit": the peer will send no more; the state moves on. */
    private void finInput(TcpCb tp) {
        tp.rcvNxt += 1;
        tp.set(TcpCb.TF_ACKNOW | TcpCb.TF_RCVD_FIN);
        Socket so = tp.so;
        if (!so.isFreed()) {
            so.cantRcvMore();
        }
        switch (tp.state) {
            case TcpState.SYN_RECEIVED, TcpState.ESTABLISHED -> tp.state = TcpState.CLOSE_WAIT;
            case TcpState.FIN_WAIT_1 -> tp.state = TcpState.CLOSING;
            case TcpState.FIN_WAIT_2 -> {
                tcp.output().output(tp);
                tcp.timeWait().enter(tp);
            }
            default -> {
            }
        }
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

    private static final int MIN_PATH_MTU = 296;
}
