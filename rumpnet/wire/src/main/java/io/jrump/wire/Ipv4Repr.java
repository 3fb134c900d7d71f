package io.jrump.wire;

/**
 * Parsed form of an IPv4 header (RFC 791 section 3.1), without options.
 *
 * <p>Options are not represented: this stack originates none (RFC 1122 section 3.2.1.8 makes sending them optional
 * for hosts, and routers commonly drop datagrams that carry them), so {@link #emit} always writes a 20-byte header.
 * On receive, {@link #parse} accepts and skips them; the view exposes their bytes for the rare consumer.
 *
 * @param source          source address
 * @param destination     destination address
 * @param protocol        payload protocol, see {@link IpProtocol}
 * @param payloadLength   bytes after the header: total length minus header length
 * @param ttl             time to live (RFC 791 section 3.1; RFC 1122 section 3.2.1.7 suggests 64)
 * @param dscp            differentiated services code point (RFC 2474)
 * @param ecn             explicit congestion notification bits (RFC 3168)
 * @param identification  fragment group identifier
 * @param dontFragment    the DF flag
 * @param moreFragments   the MF flag
 * @param fragmentOffset  offset of this fragment's data, in bytes, a multiple of 8
 */
public record Ipv4Repr(int source, int destination, int protocol, int payloadLength, int ttl, int dscp, int ecn,
                       int identification, boolean dontFragment, boolean moreFragments, int fragmentOffset) {

    /** The default TTL recommended for hosts (RFC 1700, referenced by RFC 1122 section 3.2.1.7), and NetBSD's {@code IPDEFTTL}. */
    public static final int DEFAULT_TTL = 64;

    /**
     * @throws IllegalArgumentException if a field does not fit its bits, or header plus payload exceeds 65535 bytes
     */
    public Ipv4Repr {
        checkRange("protocol", protocol, 0xff);
        checkRange("payload length", payloadLength, Ipv4Packet.MAX_TOTAL_LEN - Ipv4Packet.HEADER_LEN);
        checkRange("TTL", ttl, 0xff);
        checkRange("DSCP", dscp, 0x3f);
        checkRange("ECN", ecn, 0x03);
        checkRange("identification", identification, 0xffff);
        checkRange("fragment offset", fragmentOffset, 0x1fff * 8);
        if ((fragmentOffset & 7) != 0) {
            throw new IllegalArgumentException("fragment offset " + fragmentOffset + " is not a multiple of 8");
        }
    }

    private static void checkRange(String what, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(what + " " + value + " not in 0.." + max);
        }
    }

    /**
     * A whole, unfragmented datagram with DF set, as a host sends it when it does path MTU discovery
     * (RFC 1191 section 3). Identification 0 is allowed for such atomic datagrams (RFC 6864 section 4.1).
     */
    public static Ipv4Repr of(int source, int destination, int protocol, int payloadLength, int ttl) {
        return new Ipv4Repr(source, destination, protocol, payloadLength, ttl, 0, 0, 0, true, false, 0);
    }

    /**
     * Reads and fully validates a received header: {@link Ipv4Packet#check()} and the header checksum.
     *
     * @throws WireException with the error of {@code check()}, or {@link WireError#BAD_CHECKSUM}
     */
    public static Ipv4Repr parse(Ipv4Packet packet) throws WireException {
        WireException.throwIfBad(packet.check(), "IPv4 header");
        if (!packet.verifyChecksum()) {
            throw new WireException(WireError.BAD_CHECKSUM, "IPv4 header checksum");
        }
        return new Ipv4Repr(packet.source(), packet.destination(), packet.protocol(), packet.payloadLength(),
                packet.ttl(), packet.dscp(), packet.ecn(), packet.identification(), packet.dontFragment(),
                packet.moreFragments(), packet.fragmentOffset());
    }

    /** Bytes {@link #emit} writes: the 20-byte header. */
    public int headerLen() {
        return Ipv4Packet.HEADER_LEN;
    }

    /** Bytes the view given to {@link #emit} must cover: the header only, the payload is neither read nor written. */
    public int bufferLen() {
        return Ipv4Packet.HEADER_LEN;
    }

    /** Header plus payload, the value written to the total length field. */
    public int totalLength() {
        return Ipv4Packet.HEADER_LEN + payloadLength;
    }

    /**
     * Writes the header, total length and checksum included, at the start of the view. The header checksum covers
     * only the header (RFC 791 section 3.1), so the payload may be filled in before or after.
     *
     * @throws IllegalArgumentException if the view wraps fewer than {@link #bufferLen()} bytes
     */
    public void emit(Ipv4Packet packet) {
        packet.requireLength(Ipv4Packet.HEADER_LEN, "IPv4 header");
        packet.setVersionAndHeaderLength(Ipv4Packet.HEADER_LEN);
        packet.setDscp(dscp);
        packet.setEcn(ecn);
        packet.setTotalLength(totalLength());
        packet.setIdentification(identification);
        packet.setFlagsAndFragmentOffset(dontFragment, moreFragments, fragmentOffset);
        packet.setTtl(ttl);
        packet.setProtocol(protocol);
        packet.setSource(source);
        packet.setDestination(destination);
        packet.fillChecksum();
    }

    @Override
    public String toString() {
        return "Ipv4Repr[" + Ipv4Address.format(source) + " > " + Ipv4Address.format(destination)
                + " " + IpProtocol.name(protocol) + " len " + payloadLength + " ttl " + ttl
                + " dscp " + dscp + " ecn " + ecn + " id " + identification
                + (dontFragment ? " DF" : "") + (moreFragments ? " MF" : "")
                + (fragmentOffset != 0 ? " off " + fragmentOffset : "") + "]";
    }
}
