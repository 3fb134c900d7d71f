package io.jrump.netinet.ip;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.sysctl.SysctlNode;
import io.jrump.net.Ifnet;
import io.jrump.netinet.Counters;
import io.jrump.netinet.Inet;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.wire.IcmpCode;
import io.jrump.wire.IcmpType;
import io.jrump.wire.Ipv4Packet;

/**
 * {@code ip_forward} (RFC 1812 section 5.2 and 5.3): with {@code net.inet.ip.forwarding} set, a
 * datagram not addressed to us has its TTL decremented (an incremental checksum update, RFC 1624) and
 * is sent on by the routing table; a TTL that runs out is answered with time exceeded, no route with
 * host unreachable, and a datagram too big for the next link with Don't Fragment set with
 * fragmentation needed and the link's MTU (RFC 1191).
 */
final class IpForward {
    private final Inet inet;
    private final Counters st;
    private final SysctlNode forwarding;
    private final ThreadLocal<Ipv4Packet> views = ThreadLocal.withInitial(Ipv4Packet::new);

    IpForward(Inet inet) {
        this.inet = inet;
        this.st = inet.ipStats();
        this.forwarding = inet.kernel().sysctl().createInt("net.inet.ip.forwarding",
                "Forward datagrams between interfaces", 0, SysctlNode.READWRITE, v -> v == 0 || v == 1);
    }

    void forward(Ifnet inIf, Mbuf m, int hlen) {
        if (forwarding.intValue() == 0) {
            st.inc(IpStat.CANTFORWARD);
            inet.mbufs().freeChain(m);
            return;
        }
        Ipv4Packet ip = views.get().wrap(m.buf(), m.off(), m.len());
        int dst = ip.destination();
        if (ip.ttl() <= 1) {
            st.inc(IpStat.TIMXCEED);
            inet.icmp().error(m, inIf, IcmpType.TIME_EXCEEDED, IcmpCode.TTL_EXCEEDED, 0);
            return;
        }
        var rt = inet.routes().lookup(dst);
        if (rt == null) {
            st.inc(IpStat.NOROUTE);
            inet.icmp().error(m, inIf, IcmpType.DESTINATION_UNREACHABLE, IcmpCode.HOST_UNREACHABLE, 0);
            return;
        }
        if (wireLength(m, ip, hlen) > rt.ifp().mtu() && ip.dontFragment()) {
            st.inc(IpStat.CANTFRAG);
            inet.icmp().error(m, inIf, IcmpType.DESTINATION_UNREACHABLE, IcmpCode.FRAGMENTATION_NEEDED, rt.ifp().mtu());
            return;
        }
        if (!m.writable() && !MbufCopy.makeWritable(m, 0, hlen)) {
            st.inc(IpStat.ODROPPED);
            inet.mbufs().freeChain(m);
            return;
        }
        ip = views.get().wrap(m.buf(), m.off(), m.len());
        ip.decrementTtl();
        try {
            inet.ipOutput().output(m, 0, dst, 0, 0, 0, IpOutput.IP_FORWARDING);
            st.inc(IpStat.FORWARD);
        } catch (ErrnoException e) {
            st.inc(IpStat.CANTFORWARD);
        }
    }

    /**
     * The largest datagram this one becomes on the wire: itself, or for a TCP segment received whole
     * ({@code M_CSUM_TSOv4}) the segments IP output will cut it into, whose size the DF check must judge
     * (as Linux's {@code skb_gso_validate_network_len}).
     */
    static int wireLength(Mbuf m, Ipv4Packet ip, int hlen) {
        int mss = m.pkthdr().csumData();
        if ((m.pkthdr().csumFlags() & CsumFlags.M_CSUM_TSOv4) == 0 || mss <= 0 || m.len() <= hlen + 12) {
            return ip.totalLength();
        }
        int thlen = ((m.buf()[m.off() + hlen + 12] & 0xff) >>> 4) * 4;
        return Math.min(ip.totalLength(), hlen + thlen + mss);
    }
}
