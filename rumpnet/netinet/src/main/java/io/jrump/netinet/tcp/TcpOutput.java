package io.jrump.netinet.tcp;

import io.jrump.kern.ErrnoException;
import io.jrump.netinet.ChainChecksum;
import io.jrump.netinet.Counters;
import io.jrump.netinet.Inet;
import io.jrump.netinet.ip.IpOutput;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.rumpnet.socket.Socket;
import io.jrump.wire.ChecksumAccumulator;
import io.jrump.wire.InternetChecksum;
import io.jrump.wire.IpProtocol;
import io.jrump.wire.TcpFlags;
import io.jrump.wire.TcpOption;
import io.jrump.wire.TcpPacket;

/**
 * {@code tcp_output}: decides what a connection sends now and builds the segments. Data is never copied
 * here: a segment's payload is a {@link MbufCopy#copym} of the send buffer, sharing its clusters, so
 * the buffer keeps the bytes for retransmission and the segment costs one header mbuf.
 *
 * <p>What may be sent is bounded by the peer's window and the congestion window (RFC 5681 section
 * 3.1); during SACK recovery by the pipe estimate (RFC 6675 section 5). Small segments wait by Nagle's
 * rule (RFC 1122 section 4.2.3.4, RFC 896) unless {@code TCP_NODELAY}; the receiver's side of silly
 * window avoidance (RFC 1122 section 4.2.3.3) decides when a window update is worth a segment.
 */
final class TcpOutput {
    /** The most payload in one TSO packet: an IPv4 datagram's 65535 bytes less the IP and largest TCP header. */
    static final int TSO_MAX_PAYLOAD = 65535 - 20 - 60;

    /** Room for MSS, SACK-permitted, timestamps and window scale on a SYN, padded. */
    static final int MAX_OPT = TcpOption.MAX_OPTIONS_LEN;
    static final int TS_OPT_LEN = 12;

    private final Tcp tcp;
    private final Inet inet;
    private final MbufPool pool;

    /** Per-thread scratch so that building a segment allocates nothing. */
    private static final class Scratch {
        final TcpPacket th = new TcpPacket();
        final ChecksumAccumulator acc = new ChecksumAccumulator();
        final int[] left = new int[4];
        final int[] right = new int[4];
        final int[] hole = new int[2];
    }

    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    TcpOutput(Tcp tcp) {
        this.tcp = tcp;
        this.inet = tcp.inet();
        this.pool = inet.mbufs();
    }

    /** Where the send buffer's first byte sits in sequence space. */
    private static int dataStart(TcpCb tp) {
        return tp.state <= TcpState.SYN_RECEIVED ? tp.iss + 1 : tp.sndUna;
    }

    /**
     * The send-buffer mbuf that holds sequence number {@code seq}, with {@code tp.sndHintSeq} set to the
     * sequence number of its first byte ({@code sb_sndptr} in NetBSD): a segment starts its copy where the
     * last one ended instead of walking the buffer from its head, which at a 1500-byte MTU and a 256 KB
     * buffer cost a walk of a hundred mbufs per segment. The remembered mbuf is trusted only while it lies
     * wholly after SND.UNA: acknowledged data is dropped from the head, and only the head changes.
     */
    private static Mbuf sendPointer(TcpCb tp, int seq) {
        Mbuf m = tp.sndHint;
        int start = tp.sndHintSeq;
        if (m == null || !TcpSeq.gt(start, dataStart(tp)) || TcpSeq.lt(seq, start)) {
            m = tp.so.snd.first();
            start = dataStart(tp);
        }
        while (m != null && seq - start >= m.len() && m.next() != null) {
            start += m.len();
            m = m.next();
        }
        tp.sndHint = m;
        tp.sndHintSeq = start;
        return m;
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
            if (tp.sndNxt == tp.iss) {
                int fl = st == TcpState.SYN_SENT ? TcpFlags.SYN : TcpFlags.SYN | TcpFlags.ACK;
                segment(tp, tp.iss, 0, fl, false);
            } else if (tp.has(TcpCb.TF_ACKNOW) && st == TcpState.SYN_RECEIVED) {
                segment(tp, tp.sndNxt, 0, TcpFlags.ACK, false);
            }
            return;
        }
        if (tp.has(TcpCb.TF_SACK_RECOVERY)) {
            sackRecovery(tp);
        }
        Socket so = tp.so;
        tcp.autosize.beforeSend(tp, Math.min(tp.sndWnd & 0xffffffffL, tp.cwnd & 0xffffffffL));
        int tsoMax = tsoPayload(tp);
        for (int guard = 0; guard < 100_000; guard++) {
            int start = dataStart(tp);
            int cc = so.snd.cc();
            int dataEnd = start + cc;
            int off = tp.sndNxt - tp.sndUna;
            int avail = dataEnd - tp.sndNxt;
            if (avail < 0) {
                avail = 0;
            }
            long win = Math.min(tp.sndWnd & 0xffffffffL, tp.cwnd & 0xffffffffL);
            boolean force = tp.has(TcpCb.TF_FORCE);
            if (force && win == 0) {
                win = 1;
            }
            long usable = win - off;
            boolean retransmitting = TcpSeq.lt(tp.sndNxt, tp.sndMax);
            int mss = tp.maxseg - sackOptLen(tp);
            // TSO: new data goes in one packet of whole segments that the interface cuts; retransmissions
            // and recovery stay one segment at a time, so that loss recovery is exactly as without it.
            int cap = tsoMax > mss && !retransmitting && !tp.has(TcpCb.TF_SACK_RECOVERY) ? tsoMax / mss * mss : mss;
            int len = (int) Math.max(0, Math.min(Math.min(avail, usable), cap));
            if (len > mss && len < avail) {
                len -= len % mss;
            }
            boolean fin = false;
            if (finState(tp) && tp.sndNxt + len == dataEnd
                    && (!tp.has(TcpCb.TF_SENTFIN) || retransmitting)) {
                fin = true;
            }
            boolean send = false;
            if (len > 0) {
                int mseg = tp.maxseg - sackOptLen(tp);
                boolean idle = tp.sndMax == tp.sndUna;
                if (len >= mseg) {
                    send = true;
                } else if ((idle || tp.has(TcpCb.TF_NODELAY) || fin) && tp.sndNxt + len == dataEnd) {
                    send = true;
                } else if (force || retransmitting) {
                    send = true;
                } else if (tp.maxSndWnd > 0 && len >= tp.maxSndWnd / 2) {
                    send = true;
                }
            }
            if (!send && fin) {
                send = true;
            }
            if (!send && tp.has(TcpCb.TF_ACKNOW)) {
                send = true;
            }
            if (!send && windowUpdateDue(tp)) {
                send = true;
            }
            if (!send) {
                if (avail > 0 && (tp.sndWnd == 0 || tp.sndMax == tp.sndUna) && !tp.rexmtTimer.pending()
                        && !tp.persistTimer.pending()) {
                    // RFC 9293 section 3.8.6.1: a zero window is probed; nothing is outstanding to time. With
                    // a small window the same timer is RFC 1122 section 4.2.3.4's override timeout for data
                    // that silly window avoidance holds back (as BSD arms persist for any unsent data).
                    tp.rxtShift = 0;
                    tp.sndNxt = tp.sndUna;
                    tcp.timers().setPersist(tp);
                }
                return;
            }
            int flags = TcpFlags.ACK;
            if (fin) {
                flags |= TcpFlags.FIN;
            }
            if (len > 0 && tp.sndNxt + len == dataEnd) {
                flags |= TcpFlags.PSH;
            }
            if (!segment(tp, tp.sndNxt, len, flags, retransmitting)) {
                return;
            }
            if (len == 0 && !fin) {
                return;
            }
            if (fin) {
                return;
            }
        }
    }

    /**
     * The payload one packet may carry if the route's interface segments TCP itself ({@code M_CSUM_TSOv4}
     * in its transmit capabilities; DART's point, seed 002, that the layer which builds segments should
     * build them at the size the device takes), else 0. Not with a capture on the interface, which
     * should see the segments that go on the wire.
     */
    private int tsoPayload(TcpCb tp) {
        var rt = inet.routes().lookup(tp.inp.faddr());
        if (rt == null) {
            return 0;
        }
        var ifp = rt.ifp();
        if ((ifp.csumFlagsTx() & CsumFlags.M_CSUM_TSOv4) == 0 || ifp.hasTaps()) {
            return 0;
        }
        return TSO_MAX_PAYLOAD;
    }

    /** Bytes the SACK option will take on the next segment. */
    private static int sackOptLen(TcpCb tp) {
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
        Scratch s = scratch.get();
        int mss = tp.maxseg - sackOptLen(tp);
        for (int guard = 0; guard < 10_000; guard++) {
            int pipe = tp.sack.pipe(tp.sndUna, tp.sndMax, tp.highRxt, tp.maxseg);
            if (tp.cwnd - pipe < mss) {
                return;
            }
            if (tp.sack.nextHole(tp.sndUna, tp.highRxt, tp.maxseg, true, s.hole)) {
                retransmitHole(tp, s.hole[0], s.hole[1], mss);
                continue;
            }
            int dataEnd = dataStart(tp) + tp.so.snd.cc();
            long wnd = (tp.sndWnd & 0xffffffffL) - (tp.sndMax - tp.sndUna);
            int newLen = (int) Math.max(0, Math.min(Math.min(dataEnd - tp.sndMax, wnd), mss));
            if (newLen > 0) {
                tp.sndNxt = tp.sndMax;
                if (!segment(tp, tp.sndMax, newLen, TcpFlags.ACK, false)) {
                    return;
                }
                continue;
            }
            if (tp.sack.nextHole(tp.sndUna, tp.highRxt, tp.maxseg, false, s.hole)) {
                retransmitHole(tp, s.hole[0], s.hole[1], mss);
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
        segment(tp, start, len, flags, true);
        tp.highRxt = start + len + ((flags & TcpFlags.FIN) != 0 ? 1 : 0);
        tp.sndNxt = TcpSeq.max(save, tp.sndNxt);
        tcp.stats().inc(TcpStat.SACKREXMIT);
    }

    /**
     * Builds and sends one segment of the connection: {@code len} bytes of the send buffer from
     * {@code seq}, with {@code flags}, the options the connection negotiated, and the current window,
     * then updates SND.NXT, SND.MAX, the timers and the ACK state. False if it could not be sent
     * (no mbufs, no route); the retransmission timer then tries again.
     */
    boolean segment(TcpCb tp, int seq, int len, int flags, boolean rexmit) {
        Scratch s = scratch.get();
        Socket so = tp.so;
        boolean syn = (flags & TcpFlags.SYN) != 0;
        Mbuf m = pool.getPacketHeader();
        if (m == null) {
            return false;
        }
        byte[] b = m.buf();
        int hoff = m.off();
        int optOff = hoff + TcpPacket.HEADER_LEN;
        int o = optOff;
        int now = tcp.tsNow();
        if (syn) {
            o = TcpOption.writeMss(b, o, tp.maxsegOffer());
            if (tp.has(TcpCb.TF_SACK_PERMIT) || tp.state == TcpState.SYN_SENT && tcp.sackEnable.intValue() != 0) {
                if (tp.has(TcpCb.TF_REQ_TSTMP)) {
                    o = TcpOption.writeSackPermitted(b, o);
                } else {
                    o = TcpOption.writeNop(b, o);
                    o = TcpOption.writeNop(b, o);
                    o = TcpOption.writeSackPermitted(b, o);
                }
            }
            if (tp.has(TcpCb.TF_REQ_TSTMP)) {
                if (o - optOff == 4) {
                    o = TcpOption.writeNop(b, o);
                    o = TcpOption.writeNop(b, o);
                }
                o = TcpOption.writeTimestamps(b, o, now + tp.tsOffset, tp.has(TcpCb.TF_RCVD_TSTMP) ? tp.tsRecent : 0);
            }
            if (tp.has(TcpCb.TF_REQ_SCALE)) {
                o = TcpOption.writeNop(b, o);
                o = TcpOption.writeWindowScale(b, o, tp.requestedRcvScale);
            }
        } else {
            if (tp.has(TcpCb.TF_REQ_TSTMP) && tp.has(TcpCb.TF_RCVD_TSTMP)) {
                o = TcpOption.writeNop(b, o);
                o = TcpOption.writeNop(b, o);
                o = TcpOption.writeTimestamps(b, o, now + tp.tsOffset, tp.tsRecent);
                tcp.autosize.timestampSent(tp, now + tp.tsOffset);
            }
            if (tp.has(TcpCb.TF_SACK_PERMIT) && !tp.reass.isEmpty() && (flags & TcpFlags.ACK) != 0) {
                int max = (MAX_OPT - (o - optOff) - 4) / 8;
                int n = tp.reass.sackBlocks(s.left, s.right, Math.min(max, 4));
                if (n > 0) {
                    o = TcpOption.writeNop(b, o);
                    o = TcpOption.writeNop(b, o);
                    o = TcpOption.writeSackHeader(b, o, n);
                    for (int i = 0; i < n; i++) {
                        o = TcpOption.writeSackBlock(b, o, s.left[i], s.right[i]);
                    }
                    tcp.stats().add(TcpStat.SNDSACKBLOCKS, n);
                }
            }
        }
        while (((o - optOff) & 3) != 0) {
            o = TcpOption.writeEol(b, o);
        }
        int thlen = o - hoff;
        m.setLen(thlen);
        if (len > 0) {
            Mbuf data = MbufCopy.copym(sendPointer(tp, seq), seq - tp.sndHintSeq, len);
            if (data == null) {
                pool.free(m);
                return false;
            }
            m.setNext(data);
        }
        m.pkthdr().setLen(thlen + len);
        int win = 0;
        if ((flags & TcpFlags.RST) == 0) {
            win = tp.receiveWindow();
            // RFC 1122 section 4.2.3.3: do not advertise a sliver of window.
            if (win < so.rcv.hiwat() / 4 && win < tp.maxseg && TcpSeq.geq(tp.rcvNxt + win, tp.rcvAdv)) {
                win = Math.max(0, tp.rcvAdv - tp.rcvNxt);
            }
        }
        int scaledWin = syn ? Math.min(win, 65535) : Math.min(win >>> tp.rcvScale, 65535);
        TcpPacket th = s.th.wrap(b, hoff, thlen);
        th.setSourcePort(tp.inp.lport());
        th.setDestinationPort(tp.inp.fport());
        th.setSequenceNumber(seq);
        int ack = (flags & TcpFlags.ACK) != 0 ? tp.rcvNxt : 0;
        th.setAcknowledgmentNumber(ack);
        th.setHeaderLength(thlen);
        th.setFlags(flags);
        th.setWindow(scaledWin);
        th.setChecksum(0);
        th.setUrgentPointer(0);
        int laddr = tp.inp.laddr();
        int faddr = tp.inp.faddr();
        // Checksum offload (RFC 9293 section 3.1 sum, NetBSD's M_CSUM_TCPv4): the field gets the pseudo-header
        // sum and IP output finishes it in software unless the interface's link never leaves memory.
        th.setChecksum(InternetChecksum.pseudoHeaderSum(laddr, faddr, IpProtocol.TCP, thlen + len));
        int mss = tp.maxseg - sackOptLen(tp);
        if (len > mss) {
            m.pkthdr().setCsumFlags(CsumFlags.M_CSUM_TCPv4 | CsumFlags.M_CSUM_TSOv4);
            m.pkthdr().setCsumData(mss);
        } else {
            m.pkthdr().setCsumFlags(CsumFlags.M_CSUM_TCPv4);
        }

        // bookkeeping before the send: input on another CPU may see this segment's ACK at once
        int nseq = seq + len + (syn ? 1 : 0) + ((flags & TcpFlags.FIN) != 0 ? 1 : 0);
        Counters st = tcp.stats();
        st.inc(TcpStat.SNDTOTAL);
        if (len > 0) {
            if (rexmit) {
                st.inc(TcpStat.SNDREXMITPACK);
                st.add(TcpStat.SNDREXMITBYTE, len);
                tp.rexmits++;
            } else {
                st.inc(TcpStat.SNDPACK);
                st.add(TcpStat.SNDBYTE, len);
            }
            if (tp.has(TcpCb.TF_FORCE) && tp.sndWnd == 0) {
                st.inc(TcpStat.SNDPROBE);
            }
        } else if ((flags & (TcpFlags.SYN | TcpFlags.FIN | TcpFlags.RST)) != 0) {
            st.inc(TcpStat.SNDCTRL);
        } else if (tp.has(TcpCb.TF_DELACK) && !tp.has(TcpCb.TF_ACKNOW)) {
            st.inc(TcpStat.SNDWINUP);
        } else {
            st.inc(TcpStat.SNDACKS);
        }
        tp.segsOut++;
        tp.bytesOut += len;
        if ((flags & TcpFlags.FIN) != 0) {
            tp.set(TcpCb.TF_SENTFIN);
        }
        if (len > 0 || syn || (flags & TcpFlags.FIN) != 0) {
            boolean newData = TcpSeq.geq(seq, tp.sndMax);
            if (seq == tp.sndNxt || syn) {
                tp.sndNxt = nseq;
            }
            if (TcpSeq.gt(nseq, tp.sndMax)) {
                tp.sndMax = nseq;
            }
            // Karn's rule (RFC 6298 section 3): time only a segment sent for the first time.
            if (newData && !tp.rtTiming && !tp.has(TcpCb.TF_RCVD_TSTMP)) {
                tp.rtTiming = true;
                tp.rtSeq = seq;
                tp.rtStartNanos = tcp.now();
            }
            if (!tp.rexmtTimer.pending() && tp.sndNxt != tp.sndUna
                    && !(tp.has(TcpCb.TF_FORCE) && tp.sndWnd == 0)) {
                tp.persistTimer.stop();
                tcp.timers().setRexmt(tp);
            }
        }
        if ((flags & TcpFlags.ACK) != 0) {
            tp.lastAckSent = tp.rcvNxt;
            tp.clear(TcpCb.TF_ACKNOW | TcpCb.TF_DELACK);
            tp.segsSinceAck = 0;
            tp.delackTimer.stop();
        }
        if (win > 0 && TcpSeq.gt(tp.rcvNxt + (scaledWin << (syn ? 0 : tp.rcvScale)), tp.rcvAdv)) {
            tp.rcvAdv = tp.rcvNxt + (scaledWin << (syn ? 0 : tp.rcvScale));
        }
        tp.lastSndNanos = tcp.now();
        try {
            inet.ipOutput().output(m, laddr, faddr, IpProtocol.TCP, tp.inp.ttl(), tp.inp.tos(),
                    inet.mtudisc() ? IpOutput.IP_DF : 0);
        } catch (ErrnoException e) {
            // The segment is lost like any other; the retransmission timer recovers. A hard error is
            // reported to the user only if nothing ever gets through (tcp_drop on timeout).
            tp.softError = e.errno();
            return true;
        }
        return true;
    }

    /**
     * A segment outside any connection ({@code tcp_respond}): a RST for a segment nobody wanted, or a
     * SYN cache's SYN,ACK, from {@code laddr:lport} to {@code faddr:fport}. {@code opts} holds
     * {@code optLen} bytes of options, a multiple of four.
     */
    void respond(int laddr, int lport, int faddr, int fport, int seq, int ack, int flags, int win,
                 byte[] opts, int optLen) {
        Mbuf m = pool.getPacketHeader();
        if (m == null) {
            return;
        }
        Scratch s = scratch.get();
        int thlen = TcpPacket.HEADER_LEN + optLen;
        byte[] b = m.buf();
        int hoff = m.off();
        if (optLen > 0) {
            System.arraycopy(opts, 0, b, hoff + TcpPacket.HEADER_LEN, optLen);
        }
        m.setLen(thlen);
        m.pkthdr().setLen(thlen);
        TcpPacket th = s.th.wrap(b, hoff, thlen);
        th.setSourcePort(lport);
        th.setDestinationPort(fport);
        th.setSequenceNumber(seq);
        th.setAcknowledgmentNumber((flags & TcpFlags.ACK) != 0 ? ack : 0);
        th.setHeaderLength(thlen);
        th.setFlags(flags);
        th.setWindow(win);
        th.setChecksum(0);
        th.setUrgentPointer(0);
        ChecksumAccumulator acc = s.acc.reset().addPseudoHeader(laddr, faddr, IpProtocol.TCP, thlen);
        ChainChecksum.add(acc, m, 0, thlen);
        th.setChecksum(acc.checksum());
        tcp.stats().inc(TcpStat.SNDTOTAL);
        tcp.stats().inc((flags & TcpFlags.RST) != 0 ? TcpStat.SNDRST : TcpStat.SNDCTRL);
        try {
            inet.ipOutput().output(m, laddr, faddr, IpProtocol.TCP, inet.defaultTtl(), 0, 0);
        } catch (ErrnoException e) {
            // nobody to tell: the peer retransmits
        }
    }

    /** Sends a RST on the connection (abort, linger 0, data after close), RFC 9293 section 3.10.7.x. */
    void sendRst(TcpCb tp) {
        if (tp.state < TcpState.SYN_RECEIVED && tp.state != TcpState.SYN_SENT) {
            return;
        }
        if (tp.state == TcpState.SYN_SENT) {
            return;
        }
        respond(tp.inp.laddr(), tp.inp.lport(), tp.inp.faddr(), tp.inp.fport(), tp.sndMax, tp.rcvNxt,
                TcpFlags.RST | TcpFlags.ACK, 0, null, 0);
    }
}
