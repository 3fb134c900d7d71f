package io.jrump.netinet.tcp;

import io.jrump.net.Ifnet;
import io.jrump.netinet.ChainChecksum;
import io.jrump.netinet.Counters;
import io.jrump.netinet.Inet;
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
 * {@code tcp_input}: RFC 9293 section 3.10.7, "SEGMENT ARRIVES", up to the connection: the segment is
 * checked and parsed and its connection found, and it goes to the step for the connection's state:
 * {@link TcpListen} for LISTEN (section 3.10.7.2), {@link TcpHandshake} for SYN_SENT (3.10.7.3),
 * {@link TcpTimeWait} for TIME_WAIT, {@link TcpEstablished} for every other state (3.10.7.4), as
 * FreeBSD's {@code tcp_input} hands a segment to {@code tcp_do_segment}.
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
    private final TcpListen listen;
    private final TcpHandshake handshake;
    private final TcpEstablished established;

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
        /** While the synchronized states' checks run: the FIN bit, cleared if trimmed off the window. */
        boolean fin;
        /** While the synchronized states' checks run: the data not yet dropped or delivered, or null. */
        Mbuf m;

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
        this.listen = new TcpListen(tcp, this);
        this.handshake = new TcpHandshake(tcp);
        this.established = new TcpEstablished(tcp);
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
     * by its four addresses, else a listening socket (through the SYN cache), else nobody (RST). Input runs
     * under the kernel's softnet lock ({@link Ifnet#input}), so no other segment's input can create or
     * complete a connection between this lookup and the step it leads to. A connection found and then seen
     * closed under its socket lock (a timer or the user closed it meanwhile), or a TIME_WAIT connection that
     * made way for a new SYN, leaves the segment for no connection: TIME_WAIT's remnant or the listener.
     */
    private void deliver(Seg s, Mbuf m) {
        TcpCb tp = tcp.conns().lookup(s.dst, s.dport, s.src, s.sport);
        if (tp != null) {
            Socket so = tp.so;
            boolean noConnection;
            so.lock().enter();
            try {
                noConnection = tp.has(TcpCb.TF_CLOSED) || connectionInput(tp, s, m);
            } finally {
                so.lock().exit();
            }
            if (!noConnection) {
                return;
            }
        }
        if (tcp.vtw().input(s)) {
            pool.freeChain(m);
        } else {
            listen.input(s, m);
        }
    }

    /**
     * A segment for a connection, socket lock held; consumes {@code m}. Returns true when a TIME_WAIT
     * connection made way for a new SYN, which the caller then looks up again.
     */
    boolean connectionInput(TcpCb tp, Seg s, Mbuf m) {
        tp.segsIn++;
        if (tp.state == TcpState.TIME_WAIT) {
            TcpTimeWait.Verdict v = tcp.timeWait().input(tp, s.seq, s.flags, s.len, s.ts, s.tsVal);
            if (v == TcpTimeWait.Verdict.RECYCLE) {
                return true;
            }
            pool.freeChain(m);
            if (v == TcpTimeWait.Verdict.ACK) {
                tp.set(TcpCb.TF_ACKNOW);
                tcp.transmit().segment(tp, tp.sndMax, 0, TcpFlags.ACK, false);
            }
            return false;
        }
        tp.lastRcvNanos = tcp.now();
        tp.keepProbes = 0;
        if (tp.state == TcpState.SYN_SENT) {
            handshake.synSent(tp, s, m);
            return false;
        }
        established.input(tp, s, m);
        return false;
    }
}
