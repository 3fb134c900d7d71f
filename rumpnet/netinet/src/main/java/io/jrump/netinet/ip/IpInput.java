package io.jrump.netinet.ip;

import io.jrump.net.Ifnet;
import io.jrump.netinet.Counters;
import io.jrump.netinet.Inet;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufChain;
import io.jrump.rumpnet.mbuf.MbufFlags;
import io.jrump.wire.IcmpCode;
import io.jrump.wire.IcmpType;
import io.jrump.wire.Ipv4Address;
import io.jrump.wire.Ipv4Packet;

/**
 * {@code ip_input} (RFC 791 section 3.2, RFC 1122 section 3.2.1): validates the header, trims link
 * padding, decides whether the datagram is ours, forwards or drops it otherwise, reassembles
 * fragments, and hands complete datagrams to the protocol registered for their number. It runs at
 * softint level on the CPU that took the interface's interrupt. Every rejected packet is a counter,
 * never an exception.
 */
public final class IpInput {
    private final Inet inet;
    private final Counters st;
    private final IpForward forward;
    private final IpReassembly reassembly;
    private final ThreadLocal<Ipv4Packet> views = ThreadLocal.withInitial(Ipv4Packet::new);

    public IpInput(Inet inet) {
        this.inet = inet;
        this.st = inet.ipStats();
        this.forward = new IpForward(inet);
        this.reassembly = new IpReassembly(inet);
    }

    /** One datagram from the link layer, link header removed; consumes {@code m}. */
    public void input(Ifnet ifp, Mbuf m, boolean linkBroadcast) {
        st.inc(IpStat.TOTAL);
        int total = m.pkthdr().len();
        if (total < Ipv4Packet.HEADER_LEN) {
            st.inc(IpStat.TOOSMALL);
            inet.mbufs().freeChain(m);
            return;
        }
        Mbuf h = MbufChain.pullup(m, Ipv4Packet.HEADER_LEN);
        if (h == null) {
            st.inc(IpStat.TOOSMALL);
            return;
        }
        m = h;
        Ipv4Packet ip = views.get().wrap(m.buf(), m.off(), m.len());
        if (ip.version() != 4) {
            st.inc(IpStat.BADVERS);
            drop(m);
            return;
        }
        int hlen = ip.headerLength();
        if (hlen < Ipv4Packet.HEADER_LEN) {
            st.inc(IpStat.BADHLEN);
            drop(m);
            return;
        }
        if (hlen > m.len()) {
            if (hlen > total) {
                st.inc(IpStat.BADHLEN);
                drop(m);
                return;
            }
            h = MbufChain.pullup(m, hlen);
            if (h == null) {
                st.inc(IpStat.BADHLEN);
                return;
            }
            m = h;
            ip = views.get().wrap(m.buf(), m.off(), m.len());
        }
        if ((m.pkthdr().csumFlags() & CsumFlags.M_CSUM_IPv4) == 0 && !ip.verifyChecksum()) {
            st.inc(IpStat.BADSUM);
            drop(m);
            return;
        }
        int len = ip.totalLength();
        if (len < hlen) {
            st.inc(IpStat.BADLEN);
            drop(m);
            return;
        }
        if (len > total) {
            st.inc(IpStat.TOOSHORT);
            drop(m);
            return;
        }
        if (len < total) {
            MbufChain.adj(m, len - total);
        }
        int src = ip.source();
        int dst = ip.destination();
        if (Ipv4Address.isMulticast(src) || src == 0xffffffff
                || (Ipv4Address.isLoopback(src) && ifp.type() != Ifnet.IFT_LOOP)) {
            st.inc(IpStat.BADADDR);
            drop(m);
            return;
        }
        boolean ours = inet.addrs().isLocal(dst) || inet.addrs().isBroadcast(dst, ifp)
                || (ifp.type() == Ifnet.IFT_LOOP && Ipv4Address.isLoopback(dst));
        if (!ours) {
            if (Ipv4Address.isMulticast(dst) || linkBroadcast) {
                drop(m);
                return;
            }
            forward.forward(ifp, m, hlen);
            return;
        }
        if (ip.moreFragments() || ip.fragmentOffset() != 0) {
            st.inc(IpStat.FRAGMENTS);
            m = reassembly.insert(ifp, m, hlen);
            if (m == null) {
                return;
            }
            st.inc(IpStat.REASSEMBLED);
            ip = views.get().wrap(m.buf(), m.off(), m.len());
            hlen = ip.headerLength();
        }
        st.inc(IpStat.DELIVERED);
        if (linkBroadcast) {
            m.setFlags(MbufFlags.M_BCAST);
        }
        deliver(ifp, m, hlen, ip.protocol());
    }

    /** Hands a complete datagram to its protocol, or answers protocol unreachable (RFC 1122 3.2.2.1). */
    private void deliver(Ifnet ifp, Mbuf m, int hlen, int proto) {
        IpProtoInput p = inet.protocol(proto);
        if (p != null) {
            p.input(m, hlen, ifp);
            return;
        }
        if (inet.raw().deliver(m, hlen, ifp)) {
            inet.mbufs().freeChain(m);
            return;
        }
        st.inc(IpStat.NOPROTO);
        inet.icmp().error(m, ifp, IcmpType.DESTINATION_UNREACHABLE, IcmpCode.PROTOCOL_UNREACHABLE, 0);
    }

    private void drop(Mbuf m) {
        inet.mbufs().freeChain(m);
    }

    /** Datagrams being reassembled now. */
    public int reassembliesInProgress() {
        return reassembly.inProgress();
    }

    /** The kernel halts: fragments waiting for reassembly are freed. */
    public void stop() {
        reassembly.stop();
    }
}
