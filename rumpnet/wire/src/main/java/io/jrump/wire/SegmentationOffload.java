package io.jrump.wire;

/**
 * The software side of TCP segmentation offload for frames held as arrays: cutting an Ethernet frame that
 * carries one large IPv4 TCP segment (NetBSD's {@code M_CSUM_TSOv4}, Linux's {@code SKB_GSO_TCPV4}) into
 * the frames a segmenting device would have put on the wire, for a receiver that takes only wire-sized
 * frames (a capture, a link emulator).
 *
 * <p>Each segment carries the original's Ethernet, IP and TCP headers with its own IP total length, IP
 * identification (incremented per segment, as devices do), header checksum and sequence number; FIN and
 * PSH stay on the last segment and CWR on the first (RFC 3168 section 6.1.2); its TCP checksum is complete
 * (RFC 9293 section 3.1), whatever the original's was.
 */
public final class SegmentationOffload {
    private SegmentationOffload() {
    }

    /**
     * Writes segment {@code index} (from 0) of the frame {@code frame[0..len)}, with at most {@code mss} bytes
     * of TCP payload each, into {@code out}; returns its length, or -1 if the frame has no such segment or is
     * not an unfragmented IPv4 TCP frame whose headers fit in it.
     */
    public static int segment(byte[] frame, int len, int mss, int index, byte[] out) {
        int ip = EthernetFrame.HEADER_LEN;
        if (mss <= 0 || index < 0 || len < ip + Ipv4Packet.HEADER_LEN || BigEndian.get16(frame, 12) != EtherType.IPV4) {
            return -1;
        }
        int hlen = (frame[ip] & 0x0f) * 4;
        int total = BigEndian.get16(frame, ip + 2);
        if ((frame[ip] >>> 4 & 0xf) != 4 || frame[ip + 9] != IpProtocol.TCP || (BigEndian.get16(frame, ip + 6) & 0x3fff) != 0
                || hlen < Ipv4Packet.HEADER_LEN || total < hlen + TcpPacket.HEADER_LEN || ip + total > len) {
            return -1;
        }
        int tcp = ip + hlen;
        int thlen = ((frame[tcp + 12] & 0xff) >>> 4) * 4;
        int hdr = tcp + thlen;
        int payload = ip + total - hdr;
        long off = (long) index * mss;
        if (thlen < TcpPacket.HEADER_LEN || payload < 0 || off >= Math.max(payload, 1)) {
            return -1;
        }
        int dlen = (int) Math.min(mss, payload - off);
        System.arraycopy(frame, 0, out, 0, hdr);
        System.arraycopy(frame, hdr + (int) off, out, hdr, dlen);
        BigEndian.put16(out, ip + 2, hlen + thlen + dlen);
        BigEndian.put16(out, ip + 4, (BigEndian.get16(frame, ip + 4) + index) & 0xffff);
        BigEndian.put16(out, ip + 10, 0);
        BigEndian.put16(out, ip + 10, InternetChecksum.compute(out, ip, hlen));
        BigEndian.put32(out, tcp + 4, BigEndian.get32(frame, tcp + 4) + (int) off);
        int flags = out[tcp + 13] & 0xff;
        if (off + dlen < payload) {
            flags &= ~(TcpFlags.FIN | TcpFlags.PSH);
        }
        if (index > 0) {
            flags &= ~TcpFlags.CWR;
        }
        out[tcp + 13] = (byte) flags;
        int src = BigEndian.get32(out, ip + 12);
        int dst = BigEndian.get32(out, ip + 16);
        BigEndian.put16(out, tcp + ChecksumOffload.TCP_CHECKSUM_OFFSET,
                InternetChecksum.pseudoHeaderSum(src, dst, IpProtocol.TCP, thlen + dlen));
        ChecksumOffload.completeTcpInFrame(out, 0, hdr + dlen);
        return hdr + dlen;
    }
}
