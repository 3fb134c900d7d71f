package io.jrump.wire;

/**
 * Zero-copy view of an ICMPv4 message (RFC 792): type, code, checksum, a four-byte field whose meaning depends on the
 * type, then data.
 *
 * <p>Wrap it around exactly the IP payload ({@link Ipv4Packet#payloadOffset()}, {@link Ipv4Packet#payloadLength()}):
 * the checksum covers the whole message, and ICMP has no length field of its own. For echo messages the data is the
 * echoed payload; for error messages it is the quoted original datagram, which a caller can examine by wrapping an
 * {@link Ipv4Packet} around {@link #dataOffset()} and calling {@link Ipv4Packet#checkHeader()}.
 *
 * <p>See {@link WireView} for the wrap/check contract.
 */
public final class IcmpPacket extends WireView {
    /** Type, code, checksum and the four-byte rest of header. */
    public static final int HEADER_LEN = 8;

    private static final int TYPE = 0;
    private static final int CODE = 1;
    private static final int CHECKSUM = 2;
    private static final int REST = 4;
    private static final int ECHO_IDENT = 4;
    private static final int ECHO_SEQ = 6;
    private static final int NEXT_HOP_MTU = 6;

    /** Aims the view at an ICMP message; see {@link WireView}. */
    public IcmpPacket wrap(byte[] buf, int off, int len) {
        wrapRange(buf, off, len);
        return this;
    }

    /** {@link WireError#TRUNCATED} if the range cannot hold the 8-byte header, else {@link WireError#OK}. */
    public WireError check() {
        return length() < HEADER_LEN ? WireError.TRUNCATED : WireError.OK;
    }

    /** Whether the checksum over the whole message verifies (RFC 792, "Checksum"). */
    public boolean verifyChecksum() {
        return InternetChecksum.verify(buffer(), offset(), length());
    }

    /** Computes and stores the checksum over the whole wrapped message, data included. */
    public void fillChecksum() {
        fillChecksum(length());
    }

    void fillChecksum(int messageLength) {
        put16(CHECKSUM, 0);
        put16(CHECKSUM, InternetChecksum.compute(buffer(), offset(), messageLength));
    }

    /** See {@link IcmpType}. */
    public int type() {
        return u8(TYPE);
    }

    /** See {@link IcmpCode}. */
    public int code() {
        return u8(CODE);
    }

    public int checksum() {
        return u16(CHECKSUM);
    }

    /** The four bytes after the checksum as one word; zero ("unused") for most error messages (RFC 792). */
    public int restOfHeader() {
        return i32(REST);
    }

    /** Echo identifier, which lets the sender match replies to its requests (RFC 792). */
    public int echoIdentifier() {
        return u16(ECHO_IDENT);
    }

    /** Echo sequence number (RFC 792). */
    public int echoSequence() {
        return u16(ECHO_SEQ);
    }

    /**
     * Next-hop MTU of a fragmentation-needed message (RFC 1191 section 4); zero from routers that predate RFC 1191,
     * in which case the sender guesses from the plateau table (RFC 1191 section 5).
     */
    public int nextHopMtu() {
        return u16(NEXT_HOP_MTU);
    }

    /** Index in {@link #buffer()} where the data (echo payload or quoted datagram) starts. */
    public int dataOffset() {
        return offset() + HEADER_LEN;
    }

    /** Bytes of data after the header. */
    public int dataLength() {
        return length() - HEADER_LEN;
    }

    public void setType(int type) {
        put8(TYPE, type);
    }

    public void setCode(int code) {
        put8(CODE, code);
    }

    public void setChecksum(int checksum) {
        put16(CHECKSUM, checksum);
    }

    public void setRestOfHeader(int rest) {
        put32(REST, rest);
    }

    public void setEchoIdentifier(int ident) {
        put16(ECHO_IDENT, ident);
    }

    public void setEchoSequence(int seq) {
        put16(ECHO_SEQ, seq);
    }

    /** Sets the next-hop MTU and zeroes the unused half-word before it (RFC 1191 section 4). */
    public void setNextHopMtu(int mtu) {
        put16(REST, 0);
        put16(NEXT_HOP_MTU, mtu);
    }
}
