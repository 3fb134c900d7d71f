package io.jrump.wire;

/**
 * What an ICMP error message says about the datagram that caused it: the quoted IP header and how much of its data
 * follows (RFC 792: "Internet Header + 64 bits of Original Data Datagram"; RFC 1812 section 4.3.2.3 lets routers
 * quote more, up to a 576-byte ICMP datagram).
 *
 * <p>The quoted bytes themselves stay in the buffer, right after the 8-byte ICMP header; this record holds the fields
 * the stack needs to find the sender's socket (addresses and protocol; the transport ports are the first quoted data
 * bytes) and, for path MTU discovery with an old router, the original total length (RFC 1191 section 5).
 *
 * @param source         source address of the original datagram: normally this host
 * @param destination    destination address of the original datagram
 * @param protocol       protocol of the original datagram
 * @param identification identification of the original datagram
 * @param totalLength    total length of the original datagram, usually more than was quoted
 * @param headerLength   length of the quoted IP header, options included
 * @param dataLength     number of quoted bytes after that header
 */
public record IcmpQuote(int source, int destination, int protocol, int identification, int totalLength,
                        int headerLength, int dataLength) {

    /** Original data bytes RFC 792 requires in a quote: enough for the ports of TCP and UDP and the TCP sequence number. */
    public static final int MIN_DATA = 8;

    /**
     * @throws IllegalArgumentException if a field does not fit its bits or the header length is not a valid IHL
     */
    public IcmpQuote {
        if (protocol < 0 || protocol > 0xff || identification < 0 || identification > 0xffff
                || totalLength < 0 || totalLength > Ipv4Packet.MAX_TOTAL_LEN || dataLength < 0
                || headerLength < Ipv4Packet.HEADER_LEN || headerLength > Ipv4Packet.MAX_HEADER_LEN
                || (headerLength & 3) != 0) {
            throw new IllegalArgumentException("bad quote fields");
        }
    }

    /**
     * Describes the quote to send about an offending {@code datagram} (already checked): its header and as much of
     * its data as fits in {@code maxLength} bytes of quote, but at least the 8 bytes RFC 792 demands when the
     * datagram has them.
     *
     * @param maxLength bytes of quote the caller has room for, e.g. 576 - 20 - 8 for an RFC 1812 section 4.3.2.3
     *                  sized error
     */
    public static IcmpQuote of(Ipv4Packet datagram, int maxLength) {
        int hlen = datagram.headerLength();
        int available = datagram.payloadLength();
        int data = Math.min(available, Math.max(MIN_DATA, maxLength - hlen));
        return new IcmpQuote(datagram.source(), datagram.destination(), datagram.protocol(),
                datagram.identification(), datagram.totalLength(), hlen, data);
    }

    /**
     * Reads a quote from a view wrapped around the data of an ICMP error message.
     *
     * @throws WireException the error of {@link Ipv4Packet#checkHeader()}; {@link WireError#BAD_TOTAL_LENGTH} if
     *                       the quoted total length is below the quoted header length; {@link WireError#TRUNCATED}
     *                       if fewer than 8 data bytes are quoted of a datagram that had them
     */
    public static IcmpQuote parse(Ipv4Packet quoted) throws WireException {
        WireException.throwIfBad(quoted.checkHeader(), "quoted IPv4 header");
        int hlen = quoted.headerLength();
        int total = quoted.totalLength();
        if (total < hlen) {
            throw new WireException(WireError.BAD_TOTAL_LENGTH, "quoted total length " + total + " < header " + hlen);
        }
        int data = quoted.length() - hlen;
        if (data < Math.min(MIN_DATA, total - hlen)) {
            throw new WireException(WireError.TRUNCATED, "quote has " + data + " data bytes, RFC 792 wants 8");
        }
        return new IcmpQuote(quoted.source(), quoted.destination(), quoted.protocol(), quoted.identification(),
                total, hlen, data);
    }

    /** Bytes of quote in the ICMP message: header plus data. */
    public int length() {
        return headerLength + dataLength;
    }

    @Override
    public String toString() {
        return "IcmpQuote[" + Ipv4Address.format(source) + " > " + Ipv4Address.format(destination) + " "
                + IpProtocol.name(protocol) + " id " + identification + " len " + totalLength
                + " quoted " + headerLength + "+" + dataLength + "]";
    }
}
