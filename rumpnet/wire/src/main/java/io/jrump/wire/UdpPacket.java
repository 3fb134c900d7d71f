package io.jrump.wire;

/**
 * Zero-copy view of a UDP datagram (RFC 768).
 *
 * <p>Wrap it around the IP payload. The datagram is the first {@link #udpLength()} bytes; bytes after that are
 * ignored, as BSD and Linux do, since only the UDP length says where the data ends.
 *
 * <p>See {@link WireView} for the wrap/check contract.
 */
public final class UdpPacket extends WireView {
    /** Source port, destination port, length, checksum. */
    public static final int HEADER_LEN = 8;

    private static final int SRC_PORT = 0;
    private static final int DST_PORT = 2;
    private static final int LENGTH = 4;
    private static final int CHECKSUM = 6;

    /** Aims the view at a UDP datagram; see {@link WireView}. */
    public UdpPacket wrap(byte[] buf, int off, int len) {
        wrapRange(buf, off, len);
        return this;
    }

    /**
     * Checks the structure: {@link WireError#TRUNCATED} if the header is incomplete or the length field claims more
     * than the range holds; {@link WireError#BAD_LENGTH} if the length field is below 8, since it counts the header
     * (RFC 768, "Length"). The checksum is verified separately by {@link #verifyChecksum}.
     */
    public WireError check() {
        if (length() < HEADER_LEN) {
            return WireError.TRUNCATED;
        }
        int udpLen = udpLength();
        if (udpLen < HEADER_LEN) {
            return WireError.BAD_LENGTH;
        }
        if (udpLen > length()) {
            return WireError.TRUNCATED;
        }
        return WireError.OK;
    }

    /**
     * Whether the checksum verifies over pseudo-header, header and data. A checksum field of zero means the sender
     * computed none and is accepted (RFC 768, "Checksum"; RFC 1122 section 4.1.3.4 lets a host drop such datagrams
     * by policy, which is for the caller to decide through {@link #checksum()}).
     */
    public boolean verifyChecksum(int source, int destination) {
        if (checksum() == 0) {
            return true;
        }
        int len = udpLength();
        int sum = InternetChecksum.add(
                InternetChecksum.pseudoHeaderSum(source, destination, IpProtocol.UDP, len),
                InternetChecksum.sum(buffer(), offset(), len));
        return sum == 0xffff;
    }

    /**
     * Computes and stores the checksum over pseudo-header, header and the {@link #udpLength()} bytes of the datagram.
     * A computed value of zero is sent as 0xffff, its one's complement twin, because zero on the wire means "no
     * checksum" (RFC 768).
     */
    public void fillChecksum(int source, int destination) {
        int len = udpLength();
        put16(CHECKSUM, 0);
        int sum = InternetChecksum.add(
                InternetChecksum.pseudoHeaderSum(source, destination, IpProtocol.UDP, len),
                InternetChecksum.sum(buffer(), offset(), len));
        int checksum = InternetChecksum.finish(sum);
        put16(CHECKSUM, checksum == 0 ? 0xffff : checksum);
    }

    public int sourcePort() {
        return u16(SRC_PORT);
    }

    public int destinationPort() {
        return u16(DST_PORT);
    }

    /** The length field: header plus data, in bytes (RFC 768). */
    public int udpLength() {
        return u16(LENGTH);
    }

    public int checksum() {
        return u16(CHECKSUM);
    }

    /** Index in {@link #buffer()} where the data starts. */
    public int payloadOffset() {
        return offset() + HEADER_LEN;
    }

    /** Data bytes as the length field declares them. */
    public int payloadLength() {
        return udpLength() - HEADER_LEN;
    }

    public void setSourcePort(int port) {
        put16(SRC_PORT, port);
    }

    public void setDestinationPort(int port) {
        put16(DST_PORT, port);
    }

    public void setUdpLength(int length) {
        put16(LENGTH, length);
    }

    public void setChecksum(int checksum) {
        put16(CHECKSUM, checksum);
    }
}
