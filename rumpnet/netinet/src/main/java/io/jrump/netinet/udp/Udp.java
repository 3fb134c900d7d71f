package io.jrump.netinet.udp;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.sysctl.SysctlNode;
import io.jrump.net.Ifnet;
import io.jrump.netinet.ChainChecksum;
import io.jrump.netinet.Counters;
import io.jrump.netinet.Inet;
import io.jrump.netinet.ip.IpOutput;
import io.jrump.netinet.pcb.InPcb;
import io.jrump.netinet.pcb.InPcbTable;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufChain;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.mbuf.MbufFlags;
import io.jrump.rumpnet.socket.Protosw;
import io.jrump.rumpnet.socket.Socket;
import io.jrump.wire.ChecksumAccumulator;
import io.jrump.wire.IcmpCode;
import io.jrump.wire.IcmpType;
import io.jrump.wire.IpProtocol;
import io.jrump.wire.Ipv4Address;
import io.jrump.wire.Ipv4Packet;
import io.jrump.wire.UdpPacket;
import java.util.List;

/**
 * UDP (RFC 768, RFC 1122 section 4.1): input with length and checksum checks and delivery to the
 * matching socket (every matching socket for a broadcast), ICMP port unreachable when nobody listens,
 * output with the pseudo-header checksum computed over the mbuf chain without flattening it, and
 * ICMP errors turned into {@code so_error} on connected sockets (which is how a connected UDP
 * socket sees ECONNREFUSED).
 */
public final class Udp {
    static final int ST_IPACKETS = 0;
    static final int ST_HDROPS = 1;
    static final int ST_BADSUM = 2;
    static final int ST_BADLEN = 3;
    static final int ST_NOPORT = 4;
    static final int ST_NOPORTBCAST = 5;
    static final int ST_FULLSOCK = 6;
    static final int ST_OPACKETS = 7;
    static final int ST_NOSUM = 8;

    private final Inet inet;
    private final InPcbTable table;
    private final UdpUsrreq usrreq;
    private final Counters stats = new Counters("udp", "datagrams received", "with incomplete header",
            "with bad checksum", "with bad data length field", "dropped due to no socket",
            "broadcast/multicast datagrams dropped due to no socket", "dropped due to full socket buffers",
            "datagrams output", "with no checksum");
    final SysctlNode sendspace;
    final SysctlNode recvspace;
    final SysctlNode checksum;
    /** DART (seed 002): the socket layer lays a datagram IP will fragment out in fragments ({@code UdpUsrreq#fragmentPayload}). */
    final SysctlNode fragPrecompute;
    private final ThreadLocal<UdpPacket> views = ThreadLocal.withInitial(UdpPacket::new);
    private final ThreadLocal<Ipv4Packet> ipViews = ThreadLocal.withInitial(Ipv4Packet::new);
    private final ThreadLocal<ChecksumAccumulator> sums = ThreadLocal.withInitial(ChecksumAccumulator::new);
    private final ThreadLocal<SockAddr> from = ThreadLocal.withInitial(SockAddr::new);

    public Udp(Inet inet, SysctlNode anonMin, SysctlNode anonMax) {
        this.inet = inet;
        this.table = new InPcbTable(inet, "udp", anonMin, anonMax, InPcb.KMEM_TYPE, InPcb.KMEM_BYTES);
        this.usrreq = new UdpUsrreq(inet, this);
        var sysctl = inet.kernel().sysctl();
        sendspace = sysctl.createInt("net.inet.udp.sendspace", "Default UDP send buffer", 9216,
                SysctlNode.READWRITE, v -> v > 0);
        recvspace = sysctl.createInt("net.inet.udp.recvspace", "Default UDP receive buffer", 41600,
                SysctlNode.READWRITE, v -> v > 0);
        checksum = sysctl.createInt("net.inet.udp.checksum", "Compute UDP checksums on output", 1,
                SysctlNode.READWRITE, v -> v == 0 || v == 1);
        fragPrecompute = sysctl.createInt("net.inet.udp.fragprecompute",
                "Socket layer builds datagrams IP will fragment at the fragment boundaries (DART)", 1,
                SysctlNode.READWRITE, v -> v == 0 || v == 1);
    }

    /** Removes every pcb, giving their memory back: the kernel halts. */
    public void stop() {
        table.clear();
    }

    public Counters stats() {
        return stats;
    }

    InPcbTable table() {
        return table;
    }

    /** UDP's socket entry points, for the inet domain. */
    public Protosw usrreq() {
        return usrreq;
    }

    /** Every UDP socket's pcb, for {@code net.inet.udp.pcblist}. */
    public List<InPcb> pcbs() {
        return table.list();
    }

    /**
     * Early demultiplexing for Lazy Receiver Processing: the socket a unicast datagram from
     * {@code src:sport} to our {@code dst:dport} would be delivered to, or null. The same choice as
     * {@link #input}'s, without allocation, from the driver's receive context.
     */
    public Socket demux(int src, int sport, int dst, int dport) {
        InPcb p = table.lookup(src, sport, dst, dport);
        return p == null ? null : p.socket();
    }

    /** {@code udp_input}: consumes {@code m} (IP header first). */
    public void input(Mbuf m, int hlen, Ifnet ifp) {
        stats.inc(ST_IPACKETS);
        int iplen = m.pkthdr().len();
        if (iplen < hlen + UdpPacket.HEADER_LEN) {
            stats.inc(ST_HDROPS);
            inet.mbufs().freeChain(m);
            return;
        }
        Mbuf h = MbufChain.pullup(m, hlen + UdpPacket.HEADER_LEN);
        if (h == null) {
            stats.inc(ST_HDROPS);
            return;
        }
        m = h;
        Ipv4Packet ip = ipViews.get().wrap(m.buf(), m.off(), m.len());
        int src = ip.source();
        int dst = ip.destination();
        UdpPacket udp = views.get().wrap(m.buf(), m.off() + hlen, UdpPacket.HEADER_LEN);
        int ulen = udp.udpLength();
        if (ulen < UdpPacket.HEADER_LEN || ulen > iplen - hlen) {
            stats.inc(ST_BADLEN);
            inet.mbufs().freeChain(m);
            return;
        }
        if (ulen < iplen - hlen) {
            MbufChain.adj(m, ulen - (iplen - hlen));
        }
        int sport = udp.sourcePort();
        int dport = udp.destinationPort();
        if (udp.checksum() != 0) {
            ChecksumAccumulator acc = sums.get().reset().addPseudoHeader(src, dst, IpProtocol.UDP, ulen);
            if ((m.pkthdr().csumFlags() & CsumFlags.M_CSUM_DATA) != 0 && ulen == iplen - hlen) {
                // the adapter's sum of the reassembled payload, its fragment headers taken out (DART, seed 002)
                acc = acc.addSum(m.pkthdr().csumData());
            } else {
                ChainChecksum.add(acc, m, hlen, ulen);
            }
            if (acc.checksum() != 0) {
                stats.inc(ST_BADSUM);
                inet.mbufs().freeChain(m);
                return;
            }
        } else {
            stats.inc(ST_NOSUM);
        }
        boolean bcast = (m.flags() & (MbufFlags.M_BCAST | MbufFlags.M_MCAST)) != 0
                || inet.addrs().isBroadcast(dst, ifp) || Ipv4Address.isMulticast(dst);
        if (bcast) {
            List<InPcb> all = table.lookupAll(src, sport, dst, dport);
            if (all.isEmpty()) {
                stats.inc(ST_NOPORTBCAST);
                inet.mbufs().freeChain(m);
                return;
            }
            for (int i = 0; i < all.size(); i++) {
                Mbuf copy = i == all.size() - 1 ? m : MbufCopy.copym(m, 0, Mbuf.COPYALL);
                if (copy != null) {
                    deliver(all.get(i), copy, hlen, src, sport);
                }
            }
            return;
        }
        InPcb p = table.lookup(src, sport, dst, dport);
        if (p == null) {
            stats.inc(ST_NOPORT);
            inet.icmp().error(m, ifp, IcmpType.DESTINATION_UNREACHABLE, IcmpCode.PORT_UNREACHABLE, 0);
            return;
        }
        deliver(p, m, hlen, src, sport);
    }

    private void deliver(InPcb p, Mbuf m, int hlen, int src, int sport) {
        MbufChain.adj(m, hlen + UdpPacket.HEADER_LEN);
        Socket so = p.socket();
        SockAddr a = from.get();
        a.set(SocketDefs.AF_INET, src, sport);
        so.lock().enter();
        try {
            if (so.isFreed() || so.hasState(Socket.SS_CANTRCVMORE)) {
                inet.mbufs().freeChain(m);
                return;
            }
            if (!so.rcv.appendAddr(a, m)) {
                stats.inc(ST_FULLSOCK);
                inet.mbufs().freeChain(m);
                return;
            }
            so.sorwakeup();
        } finally {
            so.lock().exit();
        }
    }

    /** {@code udp_ctlinput}: an ICMP error about a datagram we sent to {@code dst:dport}. */
    public void ctlinput(int errno, int src, int dst, int sport, int dport, int mtu, long quotedWord) {
        for (InPcb p : table.connectedTo(src, sport, dst, dport)) {
            Socket so = p.socket();
            so.lock().enter();
            try {
                if (!so.isFreed()) {
                    so.setError(errno);
                    so.sorwakeup();
                    so.sowwakeup();
                }
            } finally {
                so.lock().exit();
            }
        }
    }

    /**
     * {@code udp_output}: prepends the UDP header, checksums, and sends. Consumes {@code m}.
     * EDESTADDRREQ without a destination on an unconnected socket, EISCONN with one on a connected one.
     */
    void output(InPcb p, Mbuf m, SockAddr to) throws ErrnoException {
        int faddr;
        int fport;
        if (to != null) {
            if (p.connected()) {
                inet.mbufs().freeChain(m);
                throw new ErrnoException(Errno.EISCONN, "socket is connected");
            }
            try {
                to.checkInet();
            } catch (ErrnoException e) {
                inet.mbufs().freeChain(m);
                throw e;
            }
            faddr = to.addr;
            fport = to.port;
            if (fport == 0) {
                inet.mbufs().freeChain(m);
                throw new ErrnoException(Errno.EADDRNOTAVAIL, "destination port 0");
            }
            if (p.lport() == 0) {
                try {
                    table.bind(p, 0, 0, p.socket().cred());
                } catch (ErrnoException e) {
                    inet.mbufs().freeChain(m);
                    throw e;
                }
            }
        } else {
            if (!p.connected()) {
                inet.mbufs().freeChain(m);
                throw new ErrnoException(Errno.EDESTADDRREQ, "socket is not connected");
            }
            faddr = p.faddr();
            fport = p.fport();
        }
        int laddr = p.laddr() != 0 ? p.laddr() : inet.ipOutput().selectSource(faddr);
        int len = m.pkthdr().len() + UdpPacket.HEADER_LEN;
        if (len > 65535 - Ipv4Packet.HEADER_LEN) {
            inet.mbufs().freeChain(m);
            throw new ErrnoException(Errno.EMSGSIZE, "datagram of " + len + " bytes");
        }
        Mbuf h = MbufChain.prepend(m, UdpPacket.HEADER_LEN);
        if (h == null) {
            throw new ErrnoException(Errno.ENOBUFS, "no mbuf for the UDP header");
        }
        m = h;
        UdpPacket udp = views.get().wrap(m.buf(), m.off(), UdpPacket.HEADER_LEN);
        udp.setSourcePort(p.lport());
        udp.setDestinationPort(fport);
        udp.setUdpLength(len);
        udp.setChecksum(0);
        if (checksum.intValue() != 0) {
            ChecksumAccumulator acc = sums.get().reset().addPseudoHeader(laddr, faddr, IpProtocol.UDP, len);
            ChainChecksum.add(acc, m, 0, len);
            int c = acc.checksum();
            udp.setChecksum(c == 0 ? 0xffff : c);
        }
        stats.inc(ST_OPACKETS);
        int flags = (p.socket().options() & SocketDefs.SO_BROADCAST) != 0 ? IpOutput.IP_ALLOWBROADCAST : 0;
        inet.ipOutput().output(m, laddr, faddr, IpProtocol.UDP, p.ttl(), p.tos(), flags);
    }
}
