package io.jrump.netinet.tcp;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.netinet.ChainChecksum;
import io.jrump.netinet.Counters;
import io.jrump.netinet.Inet;
import io.jrump.netinet.ip.IpOutput;
import io.jrump.netinet.pcb.InPcb;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.mbuf.MbufFlags;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.wire.ChecksumAccumulator;
import io.jrump.wire.InternetChecksum;
import io.jrump.wire.IpProtocol;
import io.jrump.wire.TcpFlags;
import io.jrump.wire.TcpOption;
import io.jrump.wire.TcpPacket;

/**
 * Builds one segment and hands it to IP (the second half of {@code tcp_output}, and
 * {@code tcp_respond} for segments outside any connection). Data is never copied here: a segment's
 * payload is a {@link MbufCopy#copym} of the send buffer, sharing its clusters, so the buffer keeps
 * the bytes for retransmission and the segment costs one header mbuf. What to send, and when, is
 * {@link TcpOutput}'s decision.
 *
 * <p>A segment that is exactly one prebuilt frame ({@code MbufFlags.M_PREBUILT}, AFPA's cached
 * responses, issue 17) gets its checksum completed here from the frame's precomputed payload sum. The
 * header still goes in an mbuf of its own, never into the frame's headroom: the frame's bytes are shared
 * read-only with every copy of it in flight, and a retransmission may be built while the first copy
 * still waits in a driver's queue.
 */
final class TcpTransmit {
    /** Room for MSS, SACK-permitted, timestamps and window scale on a SYN, padded. */
    static final int MAX_OPT = TcpOption.MAX_OPTIONS_LEN;

    private final Tcp tcp;
    private final Inet inet;
    private final MbufPool pool;

    /** Per-thread scratch so that building a segment allocates nothing. */
    private static final class Scratch {
        final TcpPacket th = new TcpPacket();
        final ChecksumAccumulator acc = new ChecksumAccumulator();
        final int[] left = new int[4];
        final int[] right = new int[4];
        /** The payload sum of the segment being built when it is exactly one prebuilt frame, else -1. */
        int prebuiltSum = -1;
    }

    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    TcpTransmit(Tcp tcp) {
        this.tcp = tcp;
        this.inet = tcp.inet();
        this.pool = inet.mbufs();
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
        if (m == null || !TcpSeq.gt(start, TcpOutput.dataStart(tp)) || TcpSeq.lt(seq, start)) {
            m = tp.so.snd.first();
            start = TcpOutput.dataStart(tp);
        }
        while (m != null && seq - start >= m.len() && m.next() != null) {
            start += m.len();
            m = m.next();
        }
        tp.sndHint = m;
        tp.sndHintSeq = start;
        return m;
    }

    /**
     * Builds and sends one segment of the connection: {@code len} bytes of the send buffer from
     * {@code seq}, with {@code flags}, the options the connection negotiated, and the current window,
     * then updates SND.NXT, SND.MAX, the timers and the ACK state. False if it could not be built for
     * lack of mbufs; a timer then tries again ({@link TcpTimers#quench}).
     */
    boolean segment(TcpCb tp, int seq, int len, int flags, boolean rexmit) {
        Mbuf m = pool.getPacketHeader();
        if (m == null) {
            tcp.timers().quench(tp, len, flags);
            return false;
        }
        Scratch s = scratch.get();
        boolean syn = (flags & TcpFlags.SYN) != 0;
        int thlen = writeOptions(tp, s, m, flags);
        m.setLen(thlen);
        s.prebuiltSum = -1;
        if (len > 0 && !attachData(tp, s, m, seq, len)) {
            tcp.timers().quench(tp, len, flags);
            return false;
        }
        m.pkthdr().setLen(thlen + len);
        int win = (flags & TcpFlags.RST) == 0 ? windowToAdvertise(tp) : 0;
        int scaledWin = syn ? Math.min(win, 65535) : Math.min(win >>> tp.rcvScale, 65535);
        writeHeader(tp, s, m, thlen, seq, len, flags, scaledWin);
        if ((m.pkthdr().csumFlags() & CsumFlags.M_CSUM_TSOv4) != 0) {
            tcp.stats().inc(TcpStat.SNDBUFLEN);
        }
        // bookkeeping before the send: input on another CPU may see this segment's ACK at once
        count(tp, len, flags, rexmit);
        advance(tp, seq, len, flags);
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
        toIp(tp, m, len, flags);
        return true;
    }

    /**
     * Writes the options after the fixed header of {@code m}, padded to a multiple of four bytes, and
     * returns the TCP header's length: on a SYN what we offer, otherwise timestamps and SACK blocks if
     * they were agreed.
     */
    private int writeOptions(TcpCb tp, Scratch s, Mbuf m, int flags) {
        byte[] b = m.buf();
        int optOff = m.off() + TcpPacket.HEADER_LEN;
        int now = tcp.tsNow();
        int o = (flags & TcpFlags.SYN) != 0 ? synOptions(tp, b, optOff, now) : options(tp, s, b, optOff, flags, now);
        while (((o - optOff) & 3) != 0) {
            o = TcpOption.writeEol(b, o);
        }
        return o - m.off();
    }

    /**
     * A SYN's options: the MSS (RFC 9293 section 3.7.1), SACK-permitted (RFC 2018), timestamps and window
     * scale (RFC 7323), laid out on word boundaries as BSD does.
     */
    private int synOptions(TcpCb tp, byte[] b, int optOff, int now) {
        int o = TcpOption.writeMss(b, optOff, tp.maxsegOffer());
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
        return o;
    }

    /** A synchronized segment's options: timestamps (RFC 7323 section 3) and SACK blocks (RFC 2018 section 4). */
    private int options(TcpCb tp, Scratch s, byte[] b, int optOff, int flags, int now) {
        int o = optOff;
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
        return o;
    }

    /**
     * Chains {@code len} bytes of the send buffer from {@code seq} behind the header, sharing its clusters.
     * A segment that is exactly one prebuilt frame notes the frame's payload sum in {@code s}, for
     * {@link #writeHeader}; the test costs a flag test on the segment's first mbuf.
     */
    private boolean attachData(TcpCb tp, Scratch s, Mbuf m, int seq, int len) {
        Mbuf src = sendPointer(tp, seq);
        if ((src.flags() & MbufFlags.M_PREBUILT) != 0) {
            s.prebuiltSum = wholeFrameSum(tp, src, seq, len);
        }
        Mbuf data = MbufCopy.copym(src, seq - tp.sndHintSeq, len);
        if (data == null) {
            pool.free(m);
            return false;
        }
        m.setNext(data);
        return true;
    }

    /** The folded payload sum if the segment {@code [seq, seq + len)} is exactly a frame of {@code src}, else -1. */
    private static int wholeFrameSum(TcpCb tp, Mbuf src, int seq, int len) {
        int at = seq - tp.sndHintSeq;
        if (len <= tp.maxseg - TcpOutput.sackOptLen(tp) && src.prebuiltFrameLen(at) == len) {
            return InternetChecksum.fold(src.prebuiltFrameSum(at) & 0xffffffffL);
        }
        return -1;
    }

    /**
     * How long the next segment from {@code seq}, which may carry up to {@code len} bytes, is if it is to
     * carry exactly one prebuilt frame: the frame's length when {@code seq} is its first byte (a frame of a
     * run mbuf, {@code MbufPool.getPrebuiltRun}, or a single one), it lies wholly in the mbuf, and it fits
     * in {@code len} and one segment; else 0 (the segment is cut as any other). The caller asks only while
     * the send buffer holds prebuilt frames.
     */
    int prebuiltLength(TcpCb tp, int seq, int len) {
        Mbuf m = sendPointer(tp, seq);
        if (m == null || (m.flags() & MbufFlags.M_PREBUILT) == 0) {
            return 0;
        }
        int fl = m.prebuiltFrameLen(seq - tp.sndHintSeq);
        return fl > 0 && fl <= len && fl <= tp.maxseg - TcpOutput.sackOptLen(tp) ? fl : 0;
    }

    /** The receive window to announce: RFC 1122 section 4.2.3.3, never a sliver of window. */
    private static int windowToAdvertise(TcpCb tp) {
        int win = tp.receiveWindow();
        if (win < tp.so.rcv.hiwat() / 4 && win < tp.maxseg && TcpSeq.geq(tp.rcvNxt + win, tp.rcvAdv)) {
            win = Math.max(0, tp.rcvAdv - tp.rcvNxt);
        }
        return win;
    }

    /**
     * Fills the fixed header. Checksum offload (RFC 9293 section 3.1 sum, NetBSD's M_CSUM_TCPv4): the
     * field gets the pseudo-header sum and IP output finishes it in software unless the interface's
     * link never leaves memory; more than a segment of data is a TSO packet the interface cuts.
     */
    private static void writeHeader(TcpCb tp, Scratch s, Mbuf m, int thlen, int seq, int len, int flags,
                                    int scaledWin) {
        TcpPacket th = s.th.wrap(m.buf(), m.off(), thlen);
        th.setSourcePort(tp.inp.lport());
        th.setDestinationPort(tp.inp.fport());
        th.setSequenceNumber(seq);
        th.setAcknowledgmentNumber((flags & TcpFlags.ACK) != 0 ? tp.rcvNxt : 0);
        th.setHeaderLength(thlen);
        th.setFlags(flags);
        th.setWindow(scaledWin);
        th.setChecksum(0);
        th.setUrgentPointer(0);
        int pseudo = InternetChecksum.pseudoHeaderSum(tp.inp.laddr(), tp.inp.faddr(), IpProtocol.TCP, thlen + len);
        if (s.prebuiltSum >= 0) {
            prebuiltChecksum(s, th, m, thlen, pseudo);
            return;
        }
        th.setChecksum(pseudo);
        int mss = tp.maxseg - TcpOutput.sackOptLen(tp);
        if (len > mss) {
            m.pkthdr().setCsumFlags(CsumFlags.M_CSUM_TCPv4 | CsumFlags.M_CSUM_TSOv4);
            m.pkthdr().setCsumData(mss);
        } else {
            m.pkthdr().setCsumFlags(CsumFlags.M_CSUM_TCPv4);
        }
    }

    /**
     * RFC 9293 section 3.1: the sum over pseudo-header, header and payload, whose payload part is the
     * prebuilt frame's precomputed sum (the payload starts at an even offset, after a header of whole
     * words), so the payload is not read and neither IP output nor the interface has a checksum left to
     * compute. Apart from {@link #writeHeader} so that the common path stays small for the JIT.
     */
    private static void prebuiltChecksum(Scratch s, TcpPacket th, Mbuf m, int thlen, int pseudo) {
        int sum = InternetChecksum.add(pseudo, InternetChecksum.sum(m.buf(), m.off(), thlen));
        th.setChecksum(InternetChecksum.finish(InternetChecksum.add(sum, s.prebuiltSum)));
        m.pkthdr().setCsumFlags(0);
    }

    /** The segment in {@code net.inet.tcp.stats} and the connection's own counters. */
    private void count(TcpCb tp, int len, int flags, boolean rexmit) {
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
    }

    /**
     * Moves SND.NXT and SND.MAX past the segment's sequence space, times it by Karn's rule (RFC 6298
     * section 3) and arms the retransmission timer if nothing else times the data outstanding.
     */
    private void advance(TcpCb tp, int seq, int len, int flags) {
        boolean syn = (flags & TcpFlags.SYN) != 0;
        boolean fin = (flags & TcpFlags.FIN) != 0;
        if (fin) {
            tp.set(TcpCb.TF_SENTFIN);
        }
        if (len == 0 && !syn && !fin) {
            return;
        }
        int nseq = seq + len + (syn ? 1 : 0) + (fin ? 1 : 0);
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
        if (!tp.rexmtTimer.pending() && tp.sndNxt != tp.sndUna && !(tp.has(TcpCb.TF_FORCE) && tp.sndWnd == 0)) {
            tp.persistTimer.stop();
            tcp.timers().setRexmt(tp);
        }
    }

    /**
     * Hands the segment to IP, with DF when the path MTU is being discovered (RFC 1191). A segment IP
     * refuses is lost like any other: one that holds sequence space is already timed by the
     * retransmission or persist timer ({@link #advance}), and one refused with ENOBUFS is a quench
     * ({@link TcpTimers#quench}), so that a pure ACK is owed again. The error is kept and reported only
     * if nothing ever gets through ({@code tcp_drop} on timeout). Frames dropped further down (a full
     * ARP hold queue or interface queue) raise nothing here; for them the timers armed before the send
     * are what retries.
     */
    private void toIp(TcpCb tp, Mbuf m, int len, int flags) {
        InPcb p = tp.inp;
        try {
            inet.ipOutput().output(m, p.laddr(), p.faddr(), IpProtocol.TCP, p.ttl(), p.tos(),
                    inet.mtudisc() ? IpOutput.IP_DF : 0);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOBUFS) {
                tcp.timers().quench(tp, len, flags);
            } else {
                tp.softError = e.errno();
            }
        }
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
