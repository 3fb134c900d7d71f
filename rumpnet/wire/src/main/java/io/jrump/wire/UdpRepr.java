package io.jrump.wire;

/**
 * Parsed form of a UDP header (RFC 768).
 *
 * <p>The IPv4 addresses are not part of the repr but are needed by {@link #parse} and {@link #emit}: the UDP
 * checksum covers a pseudo-header holding them (RFC 768), so the same header bytes are valid between one pair of
 * hosts and invalid between another.
 *
 * @param sourcePort      sender's port, 0 if no reply is expected (RFC 768)
 * @param destinationPort receiver's port
 * @param payloadLength   data bytes after the header
 */
public record UdpRepr(int sourcePort, int destinationPort, int payloadLength) {
    /**
     * @throws IllegalArgumentException if a port exceeds 16 bits or header plus data exceed the 16-bit length field
     */
    public UdpRepr {
        if (sourcePort < 0 || sourcePort > 0xffff || destinationPort < 0 || destinationPort > 0xffff
                || payloadLength < 0 || payloadLength > 0xffff - UdpPacket.HEADER_LEN) {
            throw new IllegalArgumentException("bad UDP fields");
        }
    }

    /**
     * Reads and validates a datagram.
     *
     * @throws WireException the error of {@link UdpPacket#check()}, or {@link WireError#BAD_CHECKSUM}
     */
    public static UdpRepr parse(UdpPacket packet, int source, int destination) throws WireException {
        WireException.throwIfBad(packet.check(), "UDP header");
        if (!packet.verifyChecksum(source, destination)) {
            throw new WireException(WireError.BAD_CHECKSUM, "UDP checksum");
        }
        return new UdpRepr(packet.sourcePort(), packet.destinationPort(), packet.payloadLength());
    }

    /** Bytes of header {@link #emit} writes. */
    public int headerLen() {
        return UdpPacket.HEADER_LEN;
    }

    /** Header plus data: what the checksum covers, and so the least the view given to {@link #emit} must wrap. */
    public int bufferLen() {
        return UdpPacket.HEADER_LEN + payloadLength;
    }

    /**
     * Writes the header and the checksum. The data must already be in the buffer after the header, since the
     * checksum covers it. The checksum is always computed: RFC 1122 section 4.1.3.4 requires that sending checksums
     * be the default.
     *
     * @throws IllegalArgumentException if the view wraps fewer than {@link #bufferLen()} bytes
     */
    public void emit(UdpPacket packet, int source, int destination) {
        packet.requireLength(bufferLen(), "UDP datagram");
        packet.setSourcePort(sourcePort);
        packet.setDestinationPort(destinationPort);
        packet.setUdpLength(bufferLen());
        packet.fillChecksum(source, destination);
    }
}
