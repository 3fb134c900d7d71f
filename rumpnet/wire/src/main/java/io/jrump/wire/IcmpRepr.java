package io.jrump.wire;

/**
 * Parsed form of the ICMPv4 messages this stack handles: echo request and reply, destination unreachable (including
 * fragmentation needed with the next-hop MTU of RFC 1191), and time exceeded (RFC 792).
 *
 * <p>A sealed family of records rather than one record, because the four bytes after the checksum mean something
 * different per type and a flat record would carry fields that are meaningless for most messages.
 *
 * <p>The message data is not copied into the repr. For an echo, {@link Echo#dataLength()} says how long the echoed
 * payload is; for an error, {@link IcmpQuote} describes the quoted datagram. {@link #emit} expects those bytes to be
 * in the buffer already, right after the 8-byte header (an echo reply is built in the request's buffer, an error by
 * copying the offending datagram's first bytes), and checksums them with the header.
 */
public sealed interface IcmpRepr permits IcmpRepr.Echo, IcmpRepr.DestinationUnreachable, IcmpRepr.TimeExceeded {

    /** The ICMP type, see {@link IcmpType}. */
    int type();

    /** The ICMP code, see {@link IcmpCode}. */
    int code();

    /** Bytes after the 8-byte header: echo payload or quoted datagram. */
    int dataLength();

    /** Bytes {@link #emit} checksums, and so the least the view must wrap: header plus data. */
    default int bufferLen() {
        return IcmpPacket.HEADER_LEN + dataLength();
    }

    /**
     * Writes the 8-byte header and the checksum over header and the {@link #dataLength()} data bytes that follow.
     *
     * @throws IllegalArgumentException if the view wraps fewer than {@link #bufferLen()} bytes
     */
    void emit(IcmpPacket packet);

    /**
     * Reads and validates a message; the view must wrap exactly the IP payload, since the checksum covers all of it.
     *
     * @throws WireException {@link WireError#TRUNCATED} for fewer than 8 bytes or an error message whose quote lacks
     *                       the IP header or the 8 data bytes RFC 792 requires; {@link WireError#BAD_CHECKSUM};
     *                       a quoted header's error from {@link IcmpQuote#parse}; {@link WireError#UNSUPPORTED} for
     *                       other types, undefined codes, or an echo with a nonzero code
     */
    static IcmpRepr parse(IcmpPacket packet) throws WireException {
        WireException.throwIfBad(packet.check(), "ICMP header");
        if (!packet.verifyChecksum()) {
            throw new WireException(WireError.BAD_CHECKSUM, "ICMP checksum");
        }
        int type = packet.type();
        int code = packet.code();
        switch (type) {
            case IcmpType.ECHO_REQUEST:
            case IcmpType.ECHO_REPLY:
                if (code != 0) {
                    throw new WireException(WireError.UNSUPPORTED, "echo code " + code);
                }
                return new Echo(type == IcmpType.ECHO_REPLY, packet.echoIdentifier(), packet.echoSequence(),
                        packet.dataLength());
            case IcmpType.DESTINATION_UNREACHABLE:
                if (code > IcmpCode.MAX_UNREACHABLE) {
                    throw new WireException(WireError.UNSUPPORTED, "destination unreachable code " + code);
                }
                return new DestinationUnreachable(code,
                        code == IcmpCode.FRAGMENTATION_NEEDED ? packet.nextHopMtu() : 0, quoteOf(packet));
            case IcmpType.TIME_EXCEEDED:
                if (code != IcmpCode.TTL_EXCEEDED && code != IcmpCode.REASSEMBLY_EXCEEDED) {
                    throw new WireException(WireError.UNSUPPORTED, "time exceeded code " + code);
                }
                return new TimeExceeded(code, quoteOf(packet));
            default:
                throw new WireException(WireError.UNSUPPORTED, "ICMP type " + type);
        }
    }

    private static IcmpQuote quoteOf(IcmpPacket packet) throws WireException {
        Ipv4Packet quoted = new Ipv4Packet().wrap(packet.buffer(), packet.dataOffset(), packet.dataLength());
        return IcmpQuote.parse(quoted);
    }

    /**
     * Echo request or reply (RFC 792, "Echo or Echo Reply Message").
     *
     * @param reply      {@code true} for a reply (type 0), {@code false} for a request (type 8)
     * @param identifier chosen by the sender to match replies, e.g. a process id
     * @param sequence   incremented by the sender per request
     * @param dataLength bytes of payload, which a reply returns unchanged
     */
    record Echo(boolean reply, int identifier, int sequence, int dataLength) implements IcmpRepr {
        /**
         * @throws IllegalArgumentException if identifier or sequence exceed 16 bits or the length is negative
         */
        public Echo {
            if (identifier < 0 || identifier > 0xffff || sequence < 0 || sequence > 0xffff || dataLength < 0) {
                throw new IllegalArgumentException("bad echo fields");
            }
        }

        /** An echo request. */
        public static Echo request(int identifier, int sequence, int dataLength) {
            return new Echo(false, identifier, sequence, dataLength);
        }

        /** The reply to this request: same identifier, sequence and data (RFC 792; RFC 1122 section 3.2.2.6). */
        public Echo toReply() {
            return new Echo(true, identifier, sequence, dataLength);
        }

        @Override
        public int type() {
            return reply ? IcmpType.ECHO_REPLY : IcmpType.ECHO_REQUEST;
        }

        @Override
        public int code() {
            return 0;
        }

        @Override
        public void emit(IcmpPacket packet) {
            packet.requireLength(bufferLen(), "ICMP echo");
            packet.setType(type());
            packet.setCode(0);
            packet.setEchoIdentifier(identifier);
            packet.setEchoSequence(sequence);
            packet.fillChecksum(bufferLen());
        }
    }

    /**
     * Destination unreachable (RFC 792). With code {@link IcmpCode#FRAGMENTATION_NEEDED} it carries the MTU of the
     * hop that could not forward the datagram (RFC 1191 section 4); with any other code that word is unused and zero.
     *
     * @param code       0..15, see {@link IcmpCode}
     * @param nextHopMtu next-hop MTU for code 4 (0 if the router did not say), else 0
     * @param quote      the quoted original datagram
     */
    record DestinationUnreachable(int code, int nextHopMtu, IcmpQuote quote) implements IcmpRepr {
        /**
         * @throws IllegalArgumentException for an undefined code, an MTU beyond 16 bits or on a code other than 4,
         *                                  or a missing quote
         */
        public DestinationUnreachable {
            if (code < 0 || code > IcmpCode.MAX_UNREACHABLE || nextHopMtu < 0 || nextHopMtu > 0xffff
                    || (nextHopMtu != 0 && code != IcmpCode.FRAGMENTATION_NEEDED) || quote == null) {
                throw new IllegalArgumentException("bad destination unreachable fields");
            }
        }

        @Override
        public int type() {
            return IcmpType.DESTINATION_UNREACHABLE;
        }

        @Override
        public int dataLength() {
            return quote.length();
        }

        @Override
        public void emit(IcmpPacket packet) {
            packet.requireLength(bufferLen(), "ICMP destination unreachable");
            packet.setType(IcmpType.DESTINATION_UNREACHABLE);
            packet.setCode(code);
            packet.setNextHopMtu(nextHopMtu);
            packet.fillChecksum(bufferLen());
        }
    }

    /**
     * Time exceeded (RFC 792): a router dropped the datagram because its TTL ran out (code 0), or a host gave up
     * reassembling it (code 1, RFC 1122 section 3.3.2).
     *
     * @param code  {@link IcmpCode#TTL_EXCEEDED} or {@link IcmpCode#REASSEMBLY_EXCEEDED}
     * @param quote the quoted original datagram (for code 1, the first fragment's)
     */
    record TimeExceeded(int code, IcmpQuote quote) implements IcmpRepr {
        /**
         * @throws IllegalArgumentException for a code other than 0 or 1, or a missing quote
         */
        public TimeExceeded {
            if ((code != IcmpCode.TTL_EXCEEDED && code != IcmpCode.REASSEMBLY_EXCEEDED) || quote == null) {
                throw new IllegalArgumentException("bad time exceeded fields");
            }
        }

        @Override
        public int type() {
            return IcmpType.TIME_EXCEEDED;
        }

        @Override
        public int dataLength() {
            return quote.length();
        }

        @Override
        public void emit(IcmpPacket packet) {
            packet.requireLength(bufferLen(), "ICMP time exceeded");
            packet.setType(IcmpType.TIME_EXCEEDED);
            packet.setCode(code);
            packet.setRestOfHeader(0);
            packet.fillChecksum(bufferLen());
        }
    }
}
