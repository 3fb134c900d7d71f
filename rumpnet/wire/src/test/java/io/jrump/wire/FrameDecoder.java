package io.jrump.wire;

/**
 * Decodes an Ethernet frame through every layer this module knows, the way ether/ip input will, and reports the
 * first error. Used by the truncation tests and the whole-frame fuzz target.
 */
final class FrameDecoder {
    final EthernetFrame eth = new EthernetFrame();
    final ArpPacket arp = new ArpPacket();
    final Ipv4Packet ip = new Ipv4Packet();
    final IcmpPacket icmp = new IcmpPacket();
    final UdpPacket udp = new UdpPacket();
    final TcpPacket tcp = new TcpPacket();
    Object lastRepr;

    /** Decodes {@code len} bytes at {@code off}; returns {@link WireError#OK} or the first layer's error. */
    WireError decode(byte[] buf, int off, int len) {
        try {
            eth.wrap(buf, off, len);
            EthernetRepr e = EthernetRepr.parse(eth);
            switch (e.etherType()) {
                case EtherType.ARP:
                    lastRepr = ArpRepr.parse(arp.wrap(buf, eth.payloadOffset(), eth.payloadLength()));
                    return WireError.OK;
                case EtherType.IPV4:
                    return decodeIpv4(buf, eth.payloadOffset(), eth.payloadLength());
                default:
                    lastRepr = e;
                    return WireError.OK;
            }
        } catch (WireException ex) {
            return ex.error();
        }
    }

    private WireError decodeIpv4(byte[] buf, int off, int len) throws WireException {
        Ipv4Repr r = Ipv4Repr.parse(ip.wrap(buf, off, len));
        lastRepr = r;
        if (ip.isFragment()) {
            return WireError.OK;
        }
        int p = ip.payloadOffset();
        int n = ip.payloadLength();
        switch (r.protocol()) {
            case IpProtocol.ICMP:
                lastRepr = IcmpRepr.parse(icmp.wrap(buf, p, n));
                break;
            case IpProtocol.UDP:
                lastRepr = UdpRepr.parse(udp.wrap(buf, p, n), r.source(), r.destination());
                break;
            case IpProtocol.TCP:
                lastRepr = TcpRepr.parse(tcp.wrap(buf, p, n), r.source(), r.destination());
                break;
            default:
                break;
        }
        return WireError.OK;
    }
}
