package io.jrump.wire;

/**
 * The software side of transmit checksum offload: finishing a TCP checksum that the stack left
 * partial, as a device without the capability (or a host forwarding a frame to one) must before the
 * frame leaves memory it trusts.
 *
 * <p>A partial checksum follows NetBSD's {@code M_CSUM_TCPv4} convention (and Linux's
 * {@code CHECKSUM_PARTIAL}): the checksum field holds the folded, uncomplemented sum of the pseudo-header
 * (RFC 9293 section 3.1), so the sum of the whole segment, field included, is the sum the checksum
 * must complement (RFC 1071 section 2(A): the pieces may be added in any order).
 */
public final class ChecksumOffload {
    /** Offset of the checksum field in the TCP header (RFC 9293 section 3.1). */
    public static final int TCP_CHECKSUM_OFFSET = 16;

    private ChecksumOffload() {
    }

    /**
     * Completes the TCP checksum of the IPv4 datagram in the Ethernet frame {@code buf[off..off+len)}.
     * Frames that are not unfragmented IPv4 TCP, or too short to hold what their headers claim, are
     * left alone: false.
     */
    public static boolean completeTcpInFrame(byte[] buf, int off, int len) {
        int ip = off + EthernetFrame.HEADER_LEN;
        if (len < EthernetFrame.HEADER_LEN + Ipv4Packet.HEADER_LEN
                || BigEndian.get16(buf, off + 12) != EtherType.IPV4) {
            return false;
        }
        int hlen = (buf[ip] & 0x0f) * 4;
        int total = BigEndian.get16(buf, ip + 2);
        int fragment = BigEndian.get16(buf, ip + 6) & 0x3fff;
        if ((buf[ip] >>> 4 & 0xf) != 4 || buf[ip + 9] != IpProtocol.TCP || fragment != 0 || hlen < Ipv4Packet.HEADER_LEN
                || total < hlen + TcpPacket.HEADER_LEN || EthernetFrame.HEADER_LEN + total > len) {
            return false;
        }
        int tcp = ip + hlen;
        int sum = InternetChecksum.sum(buf, tcp, total - hlen);
        BigEndian.put16(buf, tcp + TCP_CHECKSUM_OFFSET, InternetChecksum.finish(sum));
        return true;
    }
}
