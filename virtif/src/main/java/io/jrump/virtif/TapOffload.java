package io.jrump.virtif;

import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.wire.ChecksumOffload;
import io.jrump.wire.EtherType;
import io.jrump.wire.InternetChecksum;
import io.jrump.wire.IpProtocol;
import io.jrump.wire.TcpFlags;

/**
 * Translation between the kernel's checksum-offload flags ({@link CsumFlags}, NetBSD's {@code m_pkthdr.csum_flags})
 * and the {@link VirtioNetHdr} a tap with {@code IFF_VNET_HDR} carries: what {@code virtio_net_hdr_from_skb} and
 * {@code virtio_net_hdr_to_skb} do on the Linux side of the tap.
 *
 * <p>Transmit: a TCP checksum left partial ({@code M_CSUM_TCPv4}) becomes {@code NEEDS_CSUM} at the TCP header,
 * offset 16, and a large segment for the "device" to cut ({@code M_CSUM_TSOv4}, MSS in {@code csum_data}) also
 * {@code GSO_TCPV4} with that MSS: Linux finishes or segments the frame only if it leaves through a device that
 * cannot, and a segment that stays on the host (every peer in the tests) is taken whole (DART, seed 002: a
 * segment built once at {@code if_buflen} and never cut by the software in between).
 *
 * <p>Receive: Linux, told the tap takes checksum and TSO offload ({@code TUNSETOFFLOAD}), hands over frames up to
 * 64 KB with the TCP checksum partial. Both conventions store the pseudo-header sum in the checksum field, so such
 * a frame goes to the interface unchanged with {@code M_CSUM_TCPv4}: the stack skips verifying what never left
 * the host's memory. Anything else with {@code NEEDS_CSUM} (UDP, say) has its checksum finished here, as
 * {@code skb_checksum_help} would; {@code DATA_VALID} on TCP is turned into the same partial form.
 */
final class TapOffload {
    /** Receive: the frame is malformed for its header and is dropped. */
    static final int DROP = -1;

    private static final int ETHER = EtherLink.HEADER_LEN;

    private TapOffload() {
    }

    /**
     * Fills {@code h} for transmitting the frame headed by {@code m}. Returns false if the flags ask for
     * something the frame cannot carry (not IPv4 TCP, no MSS): it must not be sent.
     */
    static boolean forTransmit(Mbuf m, VirtioNetHdr h) {
        h.clear();
        int f = m.pkthdr().csumFlags() & (CsumFlags.M_CSUM_TCPv4 | CsumFlags.M_CSUM_TSOv4);
        if (f == 0) {
            return true;
        }
        int len = m.pkthdr().len();
        if (len < ETHER + 20 + 20 || (byteAt(m, 12) << 8 | byteAt(m, 13)) != EtherType.IPV4
                || byteAt(m, ETHER + 9) != IpProtocol.TCP) {
            return false;
        }
        int ihl = (byteAt(m, ETHER) & 0xf) * 4;
        int tcp = ETHER + ihl;
        if (ihl < 20 || tcp + 20 > len) {
            return false;
        }
        h.flags = VirtioNetHdr.F_NEEDS_CSUM;
        h.csumStart = tcp;
        h.csumOffset = ChecksumOffload.TCP_CHECKSUM_OFFSET;
        if ((f & CsumFlags.M_CSUM_TSOv4) != 0) {
            int thl = (byteAt(m, tcp + 12) >>> 4) * 4;
            int mss = m.pkthdr().csumData();
            if (thl < 20 || tcp + thl > len || mss <= 0 || mss > 0xffff) {
                return false;
            }
            h.gsoType = VirtioNetHdr.GSO_TCPV4
                    | ((byteAt(m, tcp + 13) & TcpFlags.CWR) != 0 ? VirtioNetHdr.GSO_ECN : 0);
            h.gsoSize = mss;
            h.hdrLen = tcp + thl;
        }
        return true;
    }

    /**
     * Leading bytes of a frame that hold everything {@link #forReceive} reads or writes when
     * {@link #needsOnlyHeaders} holds: the Ethernet header, the largest IPv4 header and the TCP checksum.
     */
    static final int HEADERS = 128;

    /**
     * Whether {@link #forReceive} for the frame of {@code len} bytes that came with {@code h} reads and writes
     * only its first {@link #HEADERS} bytes, which are at {@code f[off..)}: so unless a checksum has to be
     * computed over the frame, which only a partial checksum going to a sink that does not take it calls for.
     * A receiver can then leave the rest of the frame where the host put it.
     */
    static boolean needsOnlyHeaders(VirtioNetHdr h, byte[] f, int off, int len, boolean partialOk) {
        if ((h.flags & VirtioNetHdr.F_NEEDS_CSUM) == 0) {
            return true;
        }
        int ihl = tcp4HeaderLen(f, off, len);
        return partialOk && ihl != 0 && h.csumStart == ETHER + ihl
                && h.csumOffset == ChecksumOffload.TCP_CHECKSUM_OFFSET;
    }

    /**
     * The offload flags for the received frame {@code f[off..off+len)} that came with {@code h}, or {@link #DROP}.
     * When {@code partialOk} is false (the frame goes to a sink that checks or may damage it, such as the link
     * emulator) every checksum is finished here and the result is 0.
     */
    static int forReceive(VirtioNetHdr h, byte[] f, int off, int len, boolean partialOk) {
        int gso = h.gsoType & ~VirtioNetHdr.GSO_ECN;
        int ihl = tcp4HeaderLen(f, off, len);
        boolean needsCsum = (h.flags & VirtioNetHdr.F_NEEDS_CSUM) != 0;
        if (gso != VirtioNetHdr.GSO_NONE && (gso != VirtioNetHdr.GSO_TCPV4 || ihl == 0 || !needsCsum)) {
            return DROP;
        }
        if (needsCsum) {
            if (ihl != 0 && h.csumStart == ETHER + ihl && h.csumOffset == ChecksumOffload.TCP_CHECKSUM_OFFSET) {
                if (partialOk) {
                    return CsumFlags.M_CSUM_TCPv4;
                }
                ChecksumOffload.completeTcpInFrame(f, off, len);
                return 0;
            }
            if (gso != VirtioNetHdr.GSO_NONE) {
                return DROP;
            }
            int start = h.csumStart;
            int field = start + h.csumOffset;
            if (start < ETHER || field + 2 > len) {
                return DROP;
            }
            put16(f, off + field, InternetChecksum.finish(InternetChecksum.sum(f, off + start, len - start)));
            return 0;
        }
        if ((h.flags & VirtioNetHdr.F_DATA_VALID) != 0 && ihl != 0 && partialOk) {
            int ip = off + ETHER;
            int tcpLen = get16(f, ip + 2) - ihl;
            int pseudo = InternetChecksum.pseudoHeaderSum(get32(f, ip + 12), get32(f, ip + 16),
                    IpProtocol.TCP, tcpLen);
            put16(f, ip + ihl + ChecksumOffload.TCP_CHECKSUM_OFFSET, pseudo);
            return CsumFlags.M_CSUM_TCPv4;
        }
        return 0;
    }

    /**
     * The IPv4 header length if {@code f[off..off+len)} is an unfragmented IPv4 TCP datagram whose headers fit,
     * else 0.
     */
    static int tcp4HeaderLen(byte[] f, int off, int len) {
        if (len < ETHER + 40 || get16(f, off + 12) != EtherType.IPV4) {
            return 0;
        }
        int ip = off + ETHER;
        int ihl = (f[ip] & 0xf) * 4;
        int total = get16(f, ip + 2);
        if ((f[ip] >>> 4 & 0xf) != 4 || f[ip + 9] != IpProtocol.TCP || (get16(f, ip + 6) & 0x3fff) != 0
                || ihl < 20 || total < ihl + 20 || ETHER + total > len) {
            return 0;
        }
        return ihl;
    }

    private static int get16(byte[] b, int p) {
        return (b[p] & 0xff) << 8 | b[p + 1] & 0xff;
    }

    private static int get32(byte[] b, int p) {
        return get16(b, p) << 16 | get16(b, p + 2);
    }

    private static void put16(byte[] b, int p, int v) {
        b[p] = (byte) (v >>> 8);
        b[p + 1] = (byte) v;
    }

    private static int byteAt(Mbuf m, int off) {
        for (Mbuf x = m; x != null; x = x.next()) {
            if (off < x.len()) {
                return x.buf()[x.off() + off] & 0xff;
            }
            off -= x.len();
        }
        return 0;
    }
}
