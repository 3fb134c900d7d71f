package io.jrump.netinet.icmp;

import com.google.common.primitives.Ints;
import com.google.common.primitives.Shorts;
import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sysctl.SysctlNode;
import io.jrump.net.Ifnet;
import io.jrump.netinet.ChainChecksum;
import io.jrump.netinet.Counters;
import io.jrump.netinet.Inet;
import io.jrump.netinet.ip.IpCtlInput;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufChain;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.mbuf.MbufFlags;
import io.jrump.wire.IcmpCode;
import io.jrump.wire.IcmpPacket;
import io.jrump.wire.IcmpType;
import io.jrump.wire.IpProtocol;
import io.jrump.wire.Ipv4Address;
import io.jrump.wire.Ipv4Packet;

/**
 * ICMP (RFC 792, RFC 1122 section 3.2.2): echo replies, error messages about datagrams we could not
 * deliver (rate limited by {@code net.inet.icmp.errppslimit}, never about an ICMP error, a non-first
 * fragment or a broadcast, RFC 1122 3.2.2), and errors received passed to the transport that sent the
 * quoted datagram. Every ICMP packet is also offered to raw sockets, which is how {@code ping} reads
 * its replies.
 */
public final class Icmp {
    static final int ST_INHIST = 0;
    static final int ST_BADSUM = 1;
    static final int ST_TOOSHORT = 2;
    static final int ST_ERRORS_SENT = 3;
    static final int ST_RATELIMITED = 4;
    static final int ST_OLDICMP = 5;
    static final int ST_ECHO_REPLIES = 6;
    static final int ST_BMCASTECHO = 7;
    static final int ST_NOBUFS = 8;
    static final int ST_UNREACH_IN = 9;
    static final int ST_TIMXCEED_IN = 10;
    static final int ST_ECHO_IN = 11;
    static final int ST_ECHOREPLY_IN = 12;

    private static final int QUOTE_DATA = 8;
    private final Inet inet;
    private final Counters stats = new Counters("icmp", "messages received", "bad checksums",
            "messages shorter than the minimum", "error messages sent", "errors not sent due to rate limit",
            "errors not sent because the old message was an icmp error or a broadcast", "echo replies sent",
            "broadcast/multicast echo requests ignored", "no buffers", "destination unreachable received",
            "time exceeded received", "echo requests received", "echo replies received");
    private final SysctlNode errppslimit;
    private final SysctlNode bmcastecho;
    private final ThreadLocal<IcmpPacket> icmpViews = ThreadLocal.withInitial(IcmpPacket::new);
    private final ThreadLocal<Ipv4Packet> ipViews = ThreadLocal.withInitial(Ipv4Packet::new);
    private final ThreadLocal<io.jrump.wire.ChecksumAccumulator> sums =
            ThreadLocal.withInitial(io.jrump.wire.ChecksumAccumulator::new);
    private long tokens;
    private long lastRefill;

    public Icmp(Inet inet) {
        this.inet = inet;
        var sysctl = inet.kernel().sysctl();
        errppslimit = sysctl.createInt("net.inet.icmp.errppslimit",
                "ICMP errors sent per second at most (0: none, -1: no limit)", 100, SysctlNode.READWRITE, v -> v >= -1);
        bmcastecho = sysctl.createInt("net.inet.icmp.bmcastecho", "Answer broadcast echo requests", 0,
                SysctlNode.READWRITE, v -> v == 0 || v == 1);
        lastRefill = inet.kernel().hypercall().clock().monotonicNanos();
        tokens = errppslimit.intValue();
    }

    public Counters stats() {
        return stats;
    }

    /** {@code icmp_input}: consumes {@code m}. */
    public void input(Mbuf m, int hlen, Ifnet ifp) {
        stats.inc(ST_INHIST);
        int len = m.pkthdr().len() - hlen;
        if (len < IcmpPacket.HEADER_LEN) {
            stats.inc(ST_TOOSHORT);
            inet.mbufs().freeChain(m);
            return;
        }
        Mbuf h = MbufChain.pullup(m, Math.min(m.pkthdr().len(), hlen + IcmpPacket.HEADER_LEN + 60 + QUOTE_DATA));
        if (h == null) {
            stats.inc(ST_TOOSHORT);
            return;
        }
        m = h;
        if (!checksumOk(m, hlen, len)) {
            stats.inc(ST_BADSUM);
            inet.mbufs().freeChain(m);
            return;
        }
        IcmpPacket icmp = icmpViews.get().wrap(m.buf(), m.off() + hlen, Math.min(len, m.len() - hlen));
        int type = icmp.type();
        switch (type) {
            case IcmpType.ECHO_REQUEST -> {
                stats.inc(ST_ECHO_IN);
                inet.raw().deliver(m, hlen, ifp);
                reflectEcho(m, hlen, ifp);
                return;
            }
            case IcmpType.ECHO_REPLY -> stats.inc(ST_ECHOREPLY_IN);
            case IcmpType.DESTINATION_UNREACHABLE, IcmpType.TIME_EXCEEDED, IcmpType.SOURCE_QUENCH,
                    IcmpType.PARAMETER_PROBLEM -> {
                stats.inc(type == IcmpType.TIME_EXCEEDED ? ST_TIMXCEED_IN : ST_UNREACH_IN);
                notifyTransport(icmp, type, icmp.code());
            }
            default -> {
                // delivered to raw sockets only
            }
        }
        inet.raw().deliver(m, hlen, ifp);
        inet.mbufs().freeChain(m);
    }

    private boolean checksumOk(Mbuf m, int hlen, int len) {
        return ChainChecksum.add(sums.get().reset(), m, hlen, len).checksum() == 0;
    }

    /** Turns an echo request around in place: swap addresses, type 0, fresh checksum (RFC 792 "Echo"). */
    private void reflectEcho(Mbuf m, int hlen, Ifnet ifp) {
        Ipv4Packet ip = ipViews.get().wrap(m.buf(), m.off(), m.len());
        int dst = ip.destination();
        int src = ip.source();
        if ((m.flags() & MbufFlags.M_BCAST) != 0 || inet.addrs().isBroadcast(dst, ifp) || Ipv4Address.isMulticast(dst)) {
            if (bmcastecho.intValue() == 0) {
                stats.inc(ST_BMCASTECHO);
                inet.mbufs().freeChain(m);
                return;
            }
            dst = inet.addrs().sourceFor(ifp, src);
        }
        if (!m.writable() && !MbufCopy.makeWritable(m, 0, m.pkthdr().len())) {
            stats.inc(ST_NOBUFS);
            inet.mbufs().freeChain(m);
            return;
        }
        MbufChain.adj(m, hlen);
        Mbuf h = MbufChain.pullup(m, IcmpPacket.HEADER_LEN);
        if (h == null) {
            stats.inc(ST_NOBUFS);
            return;
        }
        m = h;
        IcmpPacket icmp = icmpViews.get().wrap(m.buf(), m.off(), m.len());
        icmp.setType(IcmpType.ECHO_REPLY);
        icmp.setCode(0);
        fillChecksum(m);
        stats.inc(ST_ECHO_REPLIES);
        try {
            inet.ipOutput().output(m, dst, src, IpProtocol.ICMP, inet.defaultTtl(), 0, 0);
        } catch (ErrnoException e) {
            // no route back: the reply is lost, as it would be on the wire
        }
    }

    /** Computes the ICMP checksum over a chain that starts with the ICMP header. */
    private void fillChecksum(Mbuf m) {
        m.buf()[m.off() + 2] = 0;
        m.buf()[m.off() + 3] = 0;
        int c = ChainChecksum.add(sums.get().reset(), m, 0, m.pkthdr().len()).checksum();
        m.buf()[m.off() + 2] = (byte) (c >>> 8);
        m.buf()[m.off() + 3] = (byte) c;
    }

    /** Passes an error about one of our datagrams to the transport that sent it ({@code pr_ctlinput}). */
    private void notifyTransport(IcmpPacket icmp, int type, int code) {
        int qoff = icmp.dataOffset();
        int qlen = icmp.dataLength();
        Ipv4Packet q = ipViews.get().wrap(icmp.buffer(), qoff, qlen);
        if (!q.checkHeader().isOk() || qlen < q.headerLength() + 4) {
            return;
        }
        int errno;
        if (type == IcmpType.DESTINATION_UNREACHABLE) {
            errno = switch (code) {
                case IcmpCode.PORT_UNREACHABLE, IcmpCode.PROTOCOL_UNREACHABLE -> Errno.ECONNREFUSED;
                case IcmpCode.FRAGMENTATION_NEEDED -> Errno.EMSGSIZE;
                case IcmpCode.NET_UNREACHABLE -> Errno.ENETUNREACH;
                default -> Errno.EHOSTUNREACH;
            };
        } else if (type == IcmpType.TIME_EXCEEDED) {
            errno = Errno.EHOSTUNREACH;
        } else {
            return;
        }
        int t = qoff + q.headerLength();
        byte[] b = icmp.buffer();
        int sport = Short.toUnsignedInt(Shorts.fromBytes(b[t], b[t + 1]));
        int dport = Short.toUnsignedInt(Shorts.fromBytes(b[t + 2], b[t + 3]));
        long word = qlen >= q.headerLength() + 8
                ? Integer.toUnsignedLong(Ints.fromBytes(b[t + 4], b[t + 5], b[t + 6], b[t + 7]))
                : -1;
        int mtu = 0;
        if (errno == Errno.EMSGSIZE) {
            mtu = icmp.nextHopMtu();
            if (mtu == 0) {
                mtu = plateauBelow(q.totalLength());
            }
        }
        IpCtlInput ctl = inet.ctlinput(q.protocol());
        if (ctl != null) {
            ctl.ctlinput(errno, q.source(), q.destination(), sport, dport, mtu, word);
        }
    }

    /**
     * The MTU to try after a "fragmentation needed" from a router older than RFC 1191, which leaves the
     * next-hop MTU field zero: the largest plateau of RFC 1191 section 7's table below the size of the
     * datagram that did not fit.
     */
    static int plateauBelow(int tooBig) {
        for (int p : MTU_PLATEAUS) {
            if (p < tooBig) {
                return p;
            }
        }
        return MTU_PLATEAUS[MTU_PLATEAUS.length - 1];
    }

    private static final int[] MTU_PLATEAUS = {32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68};

    /**
     * A token bucket refilled with kernel time ({@code ppsratecheck}): at most {@code errppslimit}
     * errors a second; 0 sends none, a negative limit sends all. Not Guava's {@code RateLimiter}, which
     * reads the host's clock and sleeps on it: a kernel's time comes from the hypercall clock, which a
     * test stops and moves by hand.
     */
    private synchronized boolean rateOk() {
        int limit = errppslimit.intValue();
        if (limit <= 0) {
            return limit < 0;
        }
        long now = inet.kernel().hypercall().clock().monotonicNanos();
        long refill = (now - lastRefill) * limit / 1_000_000_000L;
        if (refill > 0) {
            tokens = Math.min(limit, tokens + refill);
            lastRefill = now;
        }
        tokens = Math.min(tokens, limit);
        if (tokens > 0) {
            tokens--;
            return true;
        }
        return false;
    }

    /**
     * {@code icmp_error}: reports a problem with datagram {@code orig} (IP header first) to its sender.
     * Consumes {@code orig}. Suppressed, per RFC 1122 3.2.2, for ICMP errors, non-first fragments,
     * broadcasts and multicasts, and past the rate limit.
     */
    public void error(Mbuf orig, Ifnet ifp, int type, int code, int mtu) {
        try {
            Mbuf h = MbufChain.pullup(orig, Math.min(orig.pkthdr().len(), Ipv4Packet.HEADER_LEN));
            if (h == null) {
                orig = null;
                return;
            }
            orig = h;
            Ipv4Packet ip = ipViews.get().wrap(orig.buf(), orig.off(), orig.len());
            int hlen = ip.headerLength();
            int src = ip.source();
            int dst = ip.destination();
            if (ip.fragmentOffset() != 0 || (orig.flags() & (MbufFlags.M_BCAST | MbufFlags.M_MCAST)) != 0
                    || Ipv4Address.isMulticast(dst) || dst == 0xffffffff || src == 0
                    || Ipv4Address.isMulticast(src) || inet.addrs().isBroadcast(src, ifp)) {
                stats.inc(ST_OLDICMP);
                return;
            }
            if (ip.protocol() == IpProtocol.ICMP && orig.pkthdr().len() >= hlen + 1) {
                byte[] t = new byte[1];
                MbufCopy.copydata(orig, hlen, 1, t, 0);
                int otype = t[0] & 0xff;
                if (otype != IcmpType.ECHO_REQUEST && otype != IcmpType.ECHO_REPLY && otype != IcmpType.TIMESTAMP
                        && otype != IcmpType.TIMESTAMP_REPLY) {
                    stats.inc(ST_OLDICMP);
                    return;
                }
            }
            if (!rateOk()) {
                stats.inc(ST_RATELIMITED);
                return;
            }
            int quote = Math.min(orig.pkthdr().len(), hlen + QUOTE_DATA);
            Mbuf m = inet.mbufs().getPacketHeader();
            if (m == null) {
                stats.inc(ST_NOBUFS);
                return;
            }
            int len = IcmpPacket.HEADER_LEN + quote;
            m.setLen(len);
            m.pkthdr().setLen(len);
            byte[] b = m.buf();
            int o = m.off();
            for (int i = 0; i < IcmpPacket.HEADER_LEN; i++) {
                b[o + i] = 0;
            }
            MbufCopy.copydata(orig, 0, quote, b, o + IcmpPacket.HEADER_LEN);
            IcmpPacket icmp = icmpViews.get().wrap(b, o, len);
            icmp.setType(type);
            icmp.setCode(code);
            if (type == IcmpType.DESTINATION_UNREACHABLE && code == IcmpCode.FRAGMENTATION_NEEDED) {
                icmp.setNextHopMtu(mtu);
            }
            fillChecksum(m);
            int from = inet.addrs().isLocal(dst) ? dst : inet.addrs().sourceFor(ifp, src);
            stats.inc(ST_ERRORS_SENT);
            try {
                inet.ipOutput().output(m, from, src, IpProtocol.ICMP, inet.defaultTtl(), 0, 0);
            } catch (ErrnoException e) {
                // nowhere to send it
            }
        } finally {
            if (orig != null) {
                inet.mbufs().freeChain(orig);
            }
        }
    }
}
