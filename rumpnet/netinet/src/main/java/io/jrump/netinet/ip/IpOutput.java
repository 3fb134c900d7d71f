package io.jrump.netinet.ip;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.net.Ifnet;
import io.jrump.net.Route;
import io.jrump.net.TsoSegmenter;
import io.jrump.netinet.ChainChecksum;
import io.jrump.netinet.Counters;
import io.jrump.netinet.Inet;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufChain;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.mbuf.MbufFlags;
import io.jrump.wire.ChecksumAccumulator;
import io.jrump.wire.EtherType;
import io.jrump.wire.Ipv4Address;
import io.jrump.wire.Ipv4Packet;
import io.jrump.wire.MacAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code ip_output} (RFC 791, RFC 1122 section 3.3): prepends the header into the chain's leading
 * space, routes, picks a source address, fragments at the interface MTU on 8-byte boundaries (or
 * refuses with EMSGSIZE when Don't Fragment is set), and hands frames to the link: broadcasts go to
 * the Ethernet broadcast address, everything else through ARP.
 */
public final class IpOutput {
    /** Flags for {@link #output}. */
    public static final int IP_FORWARDING = 0x1;
    public static final int IP_ALLOWBROADCAST = 0x2;
    public static final int IP_RAWOUTPUT = 0x4;
    public static final int IP_DF = 0x8;

    private final Inet inet;
    private final Counters st;
    private final AtomicInteger ids;
    private final ThreadLocal<Ipv4Packet> views = ThreadLocal.withInitial(Ipv4Packet::new);
    private final ThreadLocal<ChecksumAccumulator> accs = ThreadLocal.withInitial(ChecksumAccumulator::new);
    /** Per-thread copy of a datagram's IP header, for the fragments of a planned datagram. */
    private final ThreadLocal<byte[]> headers = ThreadLocal.withInitial(() -> new byte[Ipv4Packet.MAX_HEADER_LEN]);
    private final ThreadLocal<TsoSegmenter> segmenters = ThreadLocal.withInitial(TsoSegmenter::new);

    public IpOutput(Inet inet) {
        this.inet = inet;
        this.st = inet.ipStats();
        this.ids = new AtomicInteger((int) inet.kernel().hypercall().random().nextLong());
    }

    /**
     * The source address a datagram to {@code dst} would carry ({@code in_selectsrc}): the address the
     * route was made for, else one on the next hop's subnet; 0 if there is no route.
     */
    public int selectSource(int dst) {
        Route rt = inet.routes().lookup(dst);
        if (rt == null) {
            return 0;
        }
        if (rt.ifaAddr() != 0) {
            return rt.ifaAddr();
        }
        return inet.addrs().sourceFor(rt.ifp(), rt.isGateway() ? rt.gateway() : dst);
    }

    /**
     * Sends a datagram. {@code m} holds the transport header and data (with {@link #IP_RAWOUTPUT} or
     * {@link #IP_FORWARDING}, a complete IP datagram). {@code src} 0 means "the outgoing interface's
     * address". Consumes {@code m}; errors are EHOSTUNREACH (no route), EACCES (broadcast without
     * permission), EMSGSIZE (too big and DF), ENOBUFS, ENETDOWN.
     */
    public void output(Mbuf m, int src, int dst, int proto, int ttl, int tos, int flags) throws ErrnoException {
        Route rt = inet.routes().lookup(dst);
        boolean limitedBcast = dst == 0xffffffff;
        Ifnet ifp;
        int nextHop;
        if (rt == null) {
            if (limitedBcast && src != 0 && inet.addrs().find(src) != null) {
                ifp = inet.addrs().find(src).ifp();
                nextHop = dst;
            } else {
                st.inc(IpStat.NOROUTE);
                inet.mbufs().freeChain(m);
                throw new ErrnoException(Errno.EHOSTUNREACH, "no route to " + Ipv4Address.format(dst));
            }
        } else {
            ifp = rt.ifp();
            nextHop = rt.isGateway() ? rt.gateway() : dst;
        }
        boolean bcast = limitedBcast || inet.addrs().isBroadcast(dst, ifp);
        if (bcast && (flags & (IP_ALLOWBROADCAST | IP_FORWARDING)) == 0) {
            inet.mbufs().freeChain(m);
            throw new ErrnoException(Errno.EACCES, "broadcast to " + Ipv4Address.format(dst) + " needs SO_BROADCAST");
        }
        Ipv4Packet ip;
        int hlen;
        if ((flags & (IP_FORWARDING | IP_RAWOUTPUT)) == 0) {
            Mbuf h = MbufChain.prepend(m, Ipv4Packet.HEADER_LEN);
            if (h == null) {
                st.inc(IpStat.ODROPPED);
                throw new ErrnoException(Errno.ENOBUFS, "no mbuf for the IP header");
            }
            m = h;
            if (src == 0) {
                // The address the route was made for (a connected or local route), else one on the next hop's subnet.
                src = rt != null && rt.ifaAddr() != 0 ? rt.ifaAddr() : inet.addrs().sourceFor(ifp, nextHop);
            }
            hlen = Ipv4Packet.HEADER_LEN;
            ip = views.get().wrap(m.buf(), m.off(), m.len());
            ip.setVersionAndHeaderLength(hlen);
            ip.setDscp(tos >>> 2);
            ip.setEcn(tos & 3);
            ip.setTotalLength(m.pkthdr().len());
            ip.setIdentification(ids.incrementAndGet() & 0xffff);
            ip.setFlagsAndFragmentOffset((flags & IP_DF) != 0, false, 0);
            ip.setTtl(ttl);
            ip.setProtocol(proto);
            ip.setSource(src);
            ip.setDestination(dst);
            ip.fillChecksum();
            st.inc(IpStat.LOCALOUT);
        } else {
            Mbuf h = MbufChain.pullup(m, Ipv4Packet.HEADER_LEN);
            if (h == null) {
                st.inc(IpStat.ODROPPED);
                throw new ErrnoException(Errno.ENOBUFS, "short raw datagram");
            }
            m = h;
            ip = views.get().wrap(m.buf(), m.off(), m.len());
            hlen = ip.headerLength();
            if ((flags & IP_RAWOUTPUT) != 0) {
                st.inc(IpStat.RAWOUT);
            }
        }
        int len = m.pkthdr().len();
        if ((m.pkthdr().csumFlags() & CsumFlags.M_CSUM_TSOv4) != 0) {
            if ((ifp.csumFlagsTx() & CsumFlags.M_CSUM_TSOv4) != 0 && !ifp.hasTaps()
                    && IpForward.wireLength(m, ip, hlen) <= ifp.mtu()) {
                linkOutput(ifp, m, nextHop, bcast);
                return;
            }
            // The route's interface cannot segment, a capture wants the segments as they go on the wire, or
            // a router's segments are too big for this link and each must be fragmented or refused (DF),
            // as Linux's ip_finish_output_gso does.
            Ifnet outIfp = ifp;
            int lost = segmenters.get().segment(m, 0, true, seg -> {
                outIfp.offloadStats().stackSegments.incrementAndGet();
                finish(outIfp, seg, hlen, nextHop, bcast);
            });
            if (lost > 0) {
                st.add(IpStat.ODROPPED, lost);
            }
            return;
        }
        if ((m.pkthdr().csumFlags() & CsumFlags.M_CSUM_TCPv4) != 0
                && ((ifp.csumFlagsTx() & CsumFlags.M_CSUM_TCPv4) == 0 || ifp.hasTaps() || len > ifp.mtu())) {
            ChainChecksum.completeTcp(accs.get(), m, hlen);
        }
        finish(ifp, m, hlen, nextHop, bcast);
    }

    /** A datagram with its checksums done goes to the link whole, in fragments, or not at all (DF). */
    private void finish(Ifnet ifp, Mbuf m, int hlen, int nextHop, boolean bcast) throws ErrnoException {
        int len = m.pkthdr().len();
        if (len <= ifp.mtu()) {
            linkOutput(ifp, m, nextHop, bcast);
            return;
        }
        if (views.get().wrap(m.buf(), m.off(), hlen).dontFragment()) {
            st.inc(IpStat.CANTFRAG);
            inet.mbufs().freeChain(m);
            throw new ErrnoException(Errno.EMSGSIZE, len + " bytes exceed the " + ifp.name() + " MTU of " + ifp.mtu());
        }
        fragment(ifp, m, hlen, nextHop, bcast);
    }

    /**
     * Splits a datagram into fragments whose data sizes are multiples of 8 (RFC 791 section 3.2,
     * "Fragmentation and reassembly"); fragments share the original's storage (m_copym), only their
     * headers are new.
     */
    private void fragment(Ifnet ifp, Mbuf m, int hlen, int nextHop, boolean bcast) throws ErrnoException {
        int total = m.pkthdr().len();
        int chunk = (ifp.mtu() - hlen) & ~7;
        if (chunk < 8) {
            inet.mbufs().freeChain(m);
            throw new ErrnoException(Errno.EMSGSIZE, "MTU " + ifp.mtu() + " too small to fragment");
        }
        if ((m.flags() & MbufFlags.M_FRAGPLAN) != 0 && planned(m, hlen, chunk)) {
            fragmentPlanned(ifp, m, hlen, chunk, nextHop, bcast);
            return;
        }
        byte[] hdr = new byte[hlen];
        MbufCopy.copydata(m, 0, hlen, hdr, 0);
        Ipv4Packet orig = new Ipv4Packet().wrap(hdr, 0, hlen);
        int baseOff = orig.fragmentOffset();
        boolean baseMf = orig.moreFragments();
        st.inc(IpStat.FRAGMENTED);
        ErrnoException first = null;
        for (int off = 0; off < total - hlen; off += chunk) {
            int dlen = Math.min(chunk, total - hlen - off);
            boolean last = off + dlen >= total - hlen;
            Mbuf f = inet.mbufs().getPacketHeader();
            Mbuf data = f == null ? null : MbufCopy.copym(m, hlen + off, dlen);
            if (f == null || data == null) {
                if (f != null) {
                    inet.mbufs().freeChain(f);
                }
                st.inc(IpStat.ODROPPED);
                first = first != null ? first : new ErrnoException(Errno.ENOBUFS, "no mbufs for fragments");
                break;
            }
            f.setLen(hlen);
            f.pkthdr().setLen(hlen);
            System.arraycopy(hdr, 0, f.buf(), f.off(), hlen);
            f.setNext(data);
            f.pkthdr().setLen(hlen + dlen);
            Ipv4Packet ip = views.get().wrap(f.buf(), f.off(), hlen);
            ip.setTotalLength(hlen + dlen);
            ip.setFlagsAndFragmentOffset(false, !last || baseMf, baseOff + off);
            ip.fillChecksum();
            st.inc(IpStat.OFRAGMENTS);
            try {
                linkOutput(ifp, f, nextHop, bcast);
            } catch (ErrnoException e) {
                first = first != null ? first : e;
            }
        }
        inet.mbufs().freeChain(m);
        if (first != null) {
            throw first;
        }
    }

    /**
     * Whether the chain is laid out as the socket layer planned for this link ({@link MbufFlags#M_FRAGPLAN}):
     * the first mbuf holds the IP header and {@code chunk} bytes, every other one is a packet header mbuf with
     * {@code chunk} bytes (the last at most that) and room before them for an IP header. A plan made for another
     * MTU (the route changed) is not used.
     */
    private static boolean planned(Mbuf m, int hlen, int chunk) {
        if (m.pkthdr().csumData() != chunk || m.len() != hlen + chunk) {
            return false;
        }
        for (Mbuf f = m.next(); f != null; f = f.next()) {
            if (!f.isPktHdr() || f.leadingSpace() < hlen || f.len() > chunk || f.len() != chunk && f.next() != null
                    || (f.len() & 7) != 0 && f.next() != null) {
                return false;
            }
        }
        return true;
    }

    /**
     * DART's fragmentation at precomputed boundaries (seed 002): the chain is split where the socket layer put
     * the boundaries, and each fragment's IP header goes into the room before its data, so no fragment needs a
     * new mbuf or a copy of the original's storage (RFC 791 section 3.2's rules unchanged: offsets in 8-byte
     * units, MF on all but the last).
     */
    private void fragmentPlanned(Ifnet ifp, Mbuf m, int hlen, int chunk, int nextHop, boolean bcast)
            throws ErrnoException {
        Ipv4Packet ip = views.get().wrap(m.buf(), m.off(), hlen);
        int baseOff = ip.fragmentOffset();
        boolean baseMf = ip.moreFragments();
        byte[] b = m.buf();
        int ho = m.off();
        st.inc(IpStat.FRAGMENTED);
        Mbuf rest = m.next();
        m.setNext(null);
        m.pkthdr().setLen(hlen + chunk);
        m.clearFlags(MbufFlags.M_FRAGPLAN);
        ip.setTotalLength(hlen + chunk);
        ip.setFlagsAndFragmentOffset(false, true, baseOff);
        ip.fillChecksum();
        ErrnoException first = null;
        st.inc(IpStat.OFRAGMENTS);
        st.inc(IpStat.OFRAGPLANNED);
        // the rest keep the first header's bytes: copied before the first fragment leaves
        Mbuf f = rest;
        int off = chunk;
        byte[] hdr = headers.get();
        System.arraycopy(b, ho, hdr, 0, hlen);
        try {
            linkOutput(ifp, m, nextHop, bcast);
        } catch (ErrnoException e) {
            first = e;
        }
        while (f != null) {
            Mbuf next = f.next();
            f.setNext(null);
            int dlen = f.len();
            f.pkthdr().setLen(dlen);
            Mbuf h = MbufChain.prepend(f, hlen);
            if (h == null) {
                st.inc(IpStat.ODROPPED);
                inet.mbufs().freeChain(next);
                throw first != null ? first : new ErrnoException(Errno.ENOBUFS, "no mbufs for fragments");
            }
            System.arraycopy(hdr, 0, h.buf(), h.off(), hlen);
            Ipv4Packet fip = views.get().wrap(h.buf(), h.off(), hlen);
            fip.setTotalLength(hlen + dlen);
            fip.setFlagsAndFragmentOffset(false, next != null || baseMf, baseOff + off);
            fip.fillChecksum();
            st.inc(IpStat.OFRAGMENTS);
            st.inc(IpStat.OFRAGPLANNED);
            try {
                linkOutput(ifp, h, nextHop, bcast);
            } catch (ErrnoException e) {
                first = first != null ? first : e;
            }
            off += dlen;
            f = next;
        }
        if (first != null) {
            throw first;
        }
    }

    /** Hands a finished datagram to the link: loopback, Ethernet broadcast, or ARP resolution. */
    private void linkOutput(Ifnet ifp, Mbuf m, int nextHop, boolean bcast) throws ErrnoException {
        if (ifp.type() == Ifnet.IFT_LOOP) {
            inet.interfaces().ether().output(ifp, m, 0, EtherType.IPV4);
            return;
        }
        if (bcast) {
            m.setFlags(MbufFlags.M_BCAST);
            inet.interfaces().ether().output(ifp, m, MacAddress.BROADCAST.bits(), EtherType.IPV4);
            return;
        }
        if ((ifp.flags() & Ifnet.IFF_NOARP) != 0) {
            inet.interfaces().ether().output(ifp, m, MacAddress.BROADCAST.bits(), EtherType.IPV4);
            return;
        }
        long mac = inet.arp().resolve(ifp, nextHop, m);
        if (mac >= 0) {
            inet.interfaces().ether().output(ifp, m, mac, EtherType.IPV4);
        }
    }
}
