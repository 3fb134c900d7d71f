package io.jrump.netinet.tcp;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.net.Ifnet;
import io.jrump.netinet.Inet;
import io.jrump.netinet.pcb.InPcb;
import io.jrump.netinet.pcb.InetOptions;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.socket.Protosw;
import io.jrump.rumpnet.socket.Socket;
import io.jrump.wire.Ipv4Packet;
import io.jrump.wire.TcpPacket;

/**
 * TCP's socket entry points ({@code tcp_usrreqs}, NetBSD {@code tcp_usrreq.c}): what {@code socket},
 * {@code connect}, {@code listen}, {@code write}, {@code shutdown} and {@code close} do to a
 * connection, and the {@code IPPROTO_TCP} options.
 */
final class TcpUsrreq implements Protosw {
    private final Tcp tcp;
    private final Inet inet;

    TcpUsrreq(Tcp tcp) {
        this.tcp = tcp;
        this.inet = tcp.inet();
    }

    @Override
    public int type() {
        return SocketDefs.SOCK_STREAM;
    }

    @Override
    public int protocol() {
        return SocketDefs.IPPROTO_TCP;
    }

    @Override
    public int flags() {
        return PR_CONNREQUIRED | PR_WANTRCVD | PR_LISTEN;
    }

    static TcpCb tcb(Socket so) throws ErrnoException {
        if (so.pcb() instanceof InPcb p && p.ppcb() instanceof TcpCb tp) {
            return tp;
        }
        throw new ErrnoException(Errno.EINVAL, "socket has no TCP control block");
    }

    @Override
    public void attach(Socket so, int proto) throws ErrnoException {
        if (so.snd.hiwat() == 0) {
            so.reserve(tcp.sendspace.intValue(), tcp.recvspace.intValue());
            tcp.autosize.attach(so);
        }
        InPcb p = new InPcb(so, tcp.table(), inet.defaultTtl());
        tcp.table().add(p);
        TcpCb tp = new TcpCb(tcp, p);
        p.setPpcb(tp);
        so.setPcb(p);
    }

    /**
     * The descriptor is gone. A connection that still has a FIN to exchange lives on without it
     * (RFC 9293 section 3.10.4: CLOSE leaves queued data to be sent); one that never got that far is
     * closed now.
     */
    @Override
    public void detach(Socket so) {
        if (!(so.pcb() instanceof InPcb p) || !(p.ppcb() instanceof TcpCb tp)) {
            if (so.pcb() instanceof InPcb p2) {
                tcp.table().remove(p2);
            }
            so.setPcb(null);
            return;
        }
        if (tp.state == TcpState.CLOSED || tp.state == TcpState.LISTEN || tp.state == TcpState.SYN_SENT
                || tp.has(TcpCb.TF_CLOSED)) {
            tcp.close(tp);
            so.setPcb(null);
            tcp.table().remove(p);
            return;
        }
        tp.set(TcpCb.TF_DETACHED);
        tcp.timeWait().detached(tp);
        if (tp.state == TcpState.FIN_WAIT_2 && !tp.msl2Timer.pending()) {
            tp.msl2Timer.scheduleNanos(2 * tcp.mslNanos() + Tcp.SEC);
        }
    }

    @Override
    public void bind(Socket so, SockAddr nam, Lwp l) throws ErrnoException {
        nam.checkInet();
        TcpCb tp = tcb(so);
        if (tp.state != TcpState.CLOSED) {
            throw new ErrnoException(Errno.EINVAL, "socket is already in use");
        }
        tcp.table().bind(tp.inp, nam.addr, nam.port, so.cred());
    }

    @Override
    public void listen(Socket so, int backlog, Lwp l) throws ErrnoException {
        TcpCb tp = tcb(so);
        if (tp.state != TcpState.CLOSED && tp.state != TcpState.LISTEN) {
            throw new ErrnoException(Errno.EINVAL, "socket is connected");
        }
        if (tp.inp.lport() == 0) {
            tcp.table().bind(tp.inp, 0, 0, so.cred());
        }
        tp.state = TcpState.LISTEN;
    }

    /**
     * Active open (RFC 9293 section 3.10.1): picks the source address by the route, an ephemeral port
     * by RFC 6056 if unbound, the ISS by RFC 6528, and sends the SYN with our options.
     */
    @Override
    public void connect(Socket so, SockAddr nam, Lwp l) throws ErrnoException {
        nam.checkInet();
        TcpCb tp = tcb(so);
        if (tp.state == TcpState.LISTEN) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "socket is listening");
        }
        if (tp.state != TcpState.CLOSED) {
            throw new ErrnoException(tp.state == TcpState.SYN_SENT ? Errno.EALREADY : Errno.EISCONN);
        }
        if (nam.port == 0) {
            throw new ErrnoException(Errno.EADDRNOTAVAIL, "connect to port 0");
        }
        int dst = nam.addr == 0 ? 0x7f000001 : nam.addr;
        var route = inet.routes().lookup(dst);
        if (dst == 0xffffffff || io.jrump.wire.Ipv4Address.isMulticast(dst)
                || route != null && inet.addrs().isBroadcast(dst, route.ifp())) {
            throw new ErrnoException(Errno.EADDRNOTAVAIL, "TCP cannot connect to a broadcast or multicast address");
        }
        InPcb p = tp.inp;
        int src = p.laddr() != 0 ? p.laddr() : inet.ipOutput().selectSource(dst);
        if (src == 0) {
            throw new ErrnoException(Errno.ENETUNREACH, "no route to " + SockAddr.format(dst));
        }
        if (p.lport() != 0 && (tcp.conns().lookup(src, p.lport(), dst, nam.port) != null
                || tcp.vtw().holds(src, p.lport(), dst, nam.port))) {
            throw new ErrnoException(Errno.EADDRINUSE, "connection " + SockAddr.format(src) + ":" + p.lport() + " -> "
                    + SockAddr.format(dst) + ":" + nam.port + " exists");
        }
        tcp.table().connect(p, src, dst, nam.port, so.cred());
        tcp.conns().insert(tp);
        if (inet.applyIfSockbuf(so, dst)) {
            tcp.stats().inc(TcpStat.IFSOCKBUF);
        }
        setupOptions(tp, dst);
        tp.iss = tcp.newIss(p.laddr(), p.lport(), p.faddr(), p.fport());
        tp.tsOffset = tcp.tsOffset(p.laddr(), p.lport(), p.faddr(), p.fport());
        tp.sndUna = tp.sndNxt = tp.sndMax = tp.iss;
        tp.highRxt = tp.recover = tp.iss;
        tp.state = TcpState.SYN_SENT;
        tp.lastRcvNanos = tcp.now();
        so.soisconnecting();
        tcp.stats().inc(TcpStat.CONNATTEMPT);
        tp.keepTimer.scheduleNanos(tcp.keepinit.intValue() * Tcp.SEC);
        tcp.output().output(tp);
    }

    /** What we ask for in our SYN, and our MSS from the route's interface (RFC 9293 section 3.7.1). */
    void setupOptions(TcpCb tp, int dst) {
        if (tcp.rfc1323.intValue() != 0) {
            tp.set(TcpCb.TF_REQ_SCALE | TcpCb.TF_REQ_TSTMP);
            // DART's if_sockbuf may raise the buffer once the handshake measured the path: the scale covers it.
            tp.requestedRcvScale = TcpSynCache.scaleFor(Math.max(tcp.autosize.largestReceiveBuffer(tp.so.rcv),
                    inet.ifSockbufReceiveCeiling(dst, tp.so.snd.hiwat(), tp.so.rcv.hiwat())));
        }
        if (tcp.sackEnable.intValue() != 0) {
            tp.set(TcpCb.TF_WILL_SACK);
        }
        tp.ourMss = mssFor(dst, tp.userMaxseg);
        tp.maxseg = Math.min(tp.ourMss, tcp.mssdflt.intValue());
    }

    /** The MSS for a peer: the outgoing interface's MTU less the IP and TCP headers. */
    int mssFor(int dst, int userMax) {
        var rt = inet.routes().lookup(dst);
        Ifnet ifp = rt == null ? null : rt.ifp();
        int mtu = ifp == null ? 576 : ifp.mtu();
        int mss = Math.max(64, Math.min(mtu, 65535) - Ipv4Packet.HEADER_LEN - TcpPacket.HEADER_LEN);
        if (userMax > 0) {
            mss = Math.min(mss, userMax);
        }
        return mss;
    }

    /**
     * {@code tcp_disconnect}: a connection not yet established is simply closed; a connection whose
     * user leaves received data unread is reset (RFC 1122 section 4.2.2.13, RFC 9293 section 3.10.4);
     * otherwise the FIN is queued behind the data.
     */
    @Override
    public void disconnect(Socket so) throws ErrnoException {
        TcpCb tp = tcb(so);
        if (tp.state < TcpState.ESTABLISHED) {
            tcp.close(tp);
            return;
        }
        if (so.rcv.cc() > 0 || !tp.reass.isEmpty()) {
            so.rcv.flush();
            tcp.drop(tp, 0);
            return;
        }
        so.soisdisconnecting();
        so.rcv.flush();
        usrclosed(tp);
        if (!tp.has(TcpCb.TF_CLOSED)) {
            tcp.output().output(tp);
        }
    }

    /**
     * {@code tcp_usrclosed}: the user will send no more. ESTABLISHED moves to FIN_WAIT_1 and CLOSE_WAIT
     * to LAST_ACK (RFC 9293 section 3.10.4); the FIN goes out after the queued data.
     */
    void usrclosed(TcpCb tp) {
        switch (tp.state) {
            case TcpState.CLOSED, TcpState.LISTEN, TcpState.SYN_SENT -> tcp.close(tp);
            case TcpState.SYN_RECEIVED, TcpState.ESTABLISHED -> tp.state = TcpState.FIN_WAIT_1;
            case TcpState.CLOSE_WAIT -> tp.state = TcpState.LAST_ACK;
            default -> {
            }
        }
        if (tp.state == TcpState.FIN_WAIT_2 && tp.so.hasState(Socket.SS_CANTRCVMORE) && !tp.msl2Timer.pending()) {
            tp.msl2Timer.scheduleNanos(2 * tcp.mslNanos() + Tcp.SEC);
        }
    }

    @Override
    public void shutdown(Socket so) throws ErrnoException {
        TcpCb tp = tcb(so);
        usrclosed(tp);
        if (!tp.has(TcpCb.TF_CLOSED)) {
            tcp.output().output(tp);
        }
    }

    @Override
    public void send(Socket so, Mbuf m, SockAddr to, int flags, Lwp l) throws ErrnoException {
        TcpCb tp;
        try {
            tp = tcb(so);
        } catch (ErrnoException e) {
            inet.mbufs().freeChain(m);
            throw e;
        }
        if (to != null && !so.hasState(Socket.SS_ISCONNECTED)) {
            inet.mbufs().freeChain(m);
            throw new ErrnoException(Errno.ENOTCONN);
        }
        if (!TcpState.canSend(tp.state) && tp.state != TcpState.SYN_SENT && tp.state != TcpState.SYN_RECEIVED) {
            inet.mbufs().freeChain(m);
            throw new ErrnoException(Errno.EPIPE);
        }
        so.snd.appendStream(m);
        tcp.output().output(tp);
    }

    /** The user read: the window may have opened enough to tell the peer (RFC 1122 section 4.2.3.3). */
    @Override
    public void rcvd(Socket so, int flags) {
        if (so.pcb() instanceof InPcb p && p.ppcb() instanceof TcpCb tp) {
            tcp.output().output(tp);
        }
    }

    @Override
    public void abort(Socket so) {
        if (so.pcb() instanceof InPcb p && p.ppcb() instanceof TcpCb tp) {
            tcp.drop(tp, Errno.ECONNABORTED);
        }
    }

    @Override
    public void sockaddr(Socket so, SockAddr out) {
        if (so.pcb() instanceof InPcb p) {
            out.set(SocketDefs.AF_INET, p.laddr(), p.lport());
        } else {
            out.set(SocketDefs.AF_INET, 0, 0);
        }
    }

    @Override
    public void peeraddr(Socket so, SockAddr out) throws ErrnoException {
        if (!(so.pcb() instanceof InPcb p) || p.fport() == 0) {
            throw new ErrnoException(Errno.ENOTCONN, "not connected");
        }
        out.set(SocketDefs.AF_INET, p.faddr(), p.fport());
    }

    @Override
    public int getopt(Socket so, int level, int name) throws ErrnoException {
        TcpCb tp = tcb(so);
        if (level == SocketDefs.IPPROTO_IP) {
            return InetOptions.get(tp.inp, level, name);
        }
        if (level != SocketDefs.IPPROTO_TCP) {
            throw new ErrnoException(Errno.ENOPROTOOPT, "level " + level);
        }
        return switch (name) {
            case SocketDefs.TCP_NODELAY -> tp.has(TcpCb.TF_NODELAY) ? 1 : 0;
            case SocketDefs.TCP_MAXSEG -> tp.maxseg;
            case SocketDefs.TCP_KEEPIDLE -> tp.keepIdle;
            case SocketDefs.TCP_KEEPINTVL -> tp.keepIntvl;
            case SocketDefs.TCP_KEEPCNT -> tp.keepCnt;
            default -> throw new ErrnoException(Errno.ENOPROTOOPT, "TCP option " + name);
        };
    }

    @Override
    public void setopt(Socket so, int level, int name, int value) throws ErrnoException {
        TcpCb tp = tcb(so);
        if (level == SocketDefs.SOL_SOCKET) {
            if (name == SocketDefs.SO_KEEPALIVE && value != 0 && tp.state >= TcpState.ESTABLISHED
                    && tp.state <= TcpState.CLOSE_WAIT) {
                tcp.timers().startKeep(tp);
            }
            return;
        }
        if (level == SocketDefs.IPPROTO_IP) {
            InetOptions.set(tp.inp, level, name, value);
            return;
        }
        if (level != SocketDefs.IPPROTO_TCP) {
            throw new ErrnoException(Errno.ENOPROTOOPT, "level " + level);
        }
        switch (name) {
            case SocketDefs.TCP_NODELAY -> {
                if (value != 0) {
                    tp.set(TcpCb.TF_NODELAY);
                    tcp.output().output(tp);
                } else {
                    tp.clear(TcpCb.TF_NODELAY);
                }
            }
            case SocketDefs.TCP_MAXSEG -> {
                if (value < 64 || value > 65495) {
                    throw new ErrnoException(Errno.EINVAL, "TCP_MAXSEG " + value);
                }
                tp.userMaxseg = value;
                if (tp.state < TcpState.SYN_SENT) {
                    tp.ourMss = Math.min(tp.ourMss, value);
                }
                tp.maxseg = Math.min(tp.maxseg, value);
            }
            case SocketDefs.TCP_KEEPIDLE, SocketDefs.TCP_KEEPINTVL, SocketDefs.TCP_KEEPCNT -> {
                if (value < 1 || value > 86400 * 24) {
                    throw new ErrnoException(Errno.EINVAL, "keepalive value " + value);
                }
                if (name == SocketDefs.TCP_KEEPIDLE) {
                    tp.keepIdle = value;
                } else if (name == SocketDefs.TCP_KEEPINTVL) {
                    tp.keepIntvl = value;
                } else {
                    tp.keepCnt = value;
                }
                if ((so.options() & SocketDefs.SO_KEEPALIVE) != 0 && tp.state >= TcpState.ESTABLISHED
                        && tp.state <= TcpState.CLOSE_WAIT) {
                    tcp.timers().startKeep(tp);
                }
            }
            default -> throw new ErrnoException(Errno.ENOPROTOOPT, "TCP option " + name);
        }
    }

    /**
     * DART's {@code if_buflen} (seed 002): stream writes are cut at the buffer size of the interface the
     * connection leaves by, so that each chain the socket layer builds is one packet TCP sends whole (and the
     * adapter cuts into wire frames), and segmentation happens once.
     */
    @Override
    public int segmentSize(Socket so) {
        if (so.pcb() instanceof InPcb p && p.faddr() != 0) {
            var rt = inet.routes().lookup(p.faddr());
            if (rt != null) {
                int large = TcpOutput.buflenPayload(rt.ifp());
                return large > 0 ? large : rt.ifp().buflen();
            }
        }
        return Protosw.super.segmentSize(so);
    }

    /**
     * Lazy Receiver Processing (seed 003, "TCP protocol processing"): segments wait in the socket's channel
     * for the owning process's APP thread, but a reader that finds the buffer empty processes them itself,
     * and while it sleeps here the next segment wakes it rather than the APP thread, so that a reply costs
     * one hand-off between threads, as under eager processing.
     */
    @Override
    public int rcvwait(Socket so, long deadlineNanos, Lwp l) {
        if (so.channel.isEmpty()) {
            return inet.lrp().readerSleep(so, deadlineNanos);
        }
        inet.lrp().processForReader(so);
        return 0;
    }

    /** A poll or non-blocking read that found the buffer empty processes the channel as a blocking read would. */
    @Override
    public boolean rcvsync(Socket so, boolean watch) {
        return !so.channel.isEmpty() && inet.lrp().processForReader(so);
    }
}
