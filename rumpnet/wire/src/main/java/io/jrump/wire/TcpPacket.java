package io.jrump.wire;

/**
 * Zero-copy view of a TCP segment (RFC 9293 section 3.1).
 *
 * <p>Wrap it around exactly the IP payload: TCP has no length field, the segment length is what IP delivered, and
 * the checksum and the pseudo-header length cover all of it (RFC 9293 section 3.1, "Checksum"). Sequence and
 * acknowledgment numbers are returned as {@code int} holding the unsigned 32-bit value; they are compared modulo
 * 2^32 (RFC 9293 section 3.4), which is TCP's business, not this view's.
 *
 * <p>{@link #check()} also validates the options area, so {@link TcpOptions} iterating over a checked segment never
 * fails. See {@link WireView} for the wrap/check contract.
 */
public final class TcpPacket extends WireView {
    /** Header without options: data offset 5 (RFC 9293 section 3.1). */
    public static final int HEADER_LEN = 20;
    /** Largest header: the four-bit data offset counts 32-bit words. */
    public static final int MAX_HEADER_LEN = 60;

    private static final int SRC_PORT = 0;
    private static final int DST_PORT = 2;
    private static final int SEQ = 4;
    private static final int ACK = 8;
    private static final int DATA_OFF = 12;
    private static final int FLAGS = 13;
    private static final int WINDOW = 14;
    private static final int CHECKSUM = 16;
    private static final int URGENT = 18;

    /** Aims the view at a segment; see {@link WireView}. */
    public TcpPacket wrap(byte[] buf, int off, int len) {
        wrapRange(buf, off, len);
        return this;
    }

    /**
     * Checks the structure: {@link WireError#TRUNCATED} if the fixed header or the options the data offset announces
     * are missing; {@link WireError#BAD_HEADER_LENGTH} for a data offset below 5; {@link WireError#BAD_OPTION} if
     * the options break a rule of {@link TcpOptions}. The checksum is verified separately by {@link #verifyChecksum}.
     */
    public WireError check() {
        if (length() < HEADER_LEN) {
            return WireError.TRUNCATED;
        }
        int hlen = headerLength();
        if (hlen < HEADER_LEN) {
            return WireError.BAD_HEADER_LENGTH;
        }
        if (hlen > length()) {
            return WireError.TRUNCATED;
        }
        return TcpOptions.validate(buffer(), optionsOffset(), optionsLength());
    }

    /** Whether the checksum over pseudo-header, header and data verifies (RFC 9293 section 3.1). */
    public boolean verifyChecksum(int source, int destination) {
        int len = length();
        int sum = InternetChecksum.add(
                InternetChecksum.pseudoHeaderSum(source, destination, IpProtocol.TCP, len),
                InternetChecksum.sum(buffer(), offset(), len));
        return sum == 0xffff;
    }

    /** Computes and stores the checksum over the whole wrapped segment. */
    public void fillChecksum(int source, int destination) {
        fillChecksum(source, destination, length());
    }

    void fillChecksum(int source, int destination, int segmentLength) {
        put16(CHECKSUM, 0);
        int sum = InternetChecksum.add(
                InternetChecksum.pseudoHeaderSum(source, destination, IpProtocol.TCP, segmentLength),
                InternetChecksum.sum(buffer(), offset(), segmentLength));
        put16(CHECKSUM, InternetChecksum.finish(sum));
    }

    public int sourcePort() {
        return u16(SRC_PORT);
    }

    public int destinationPort() {
        return u16(DST_PORT);
    }

    public int sequenceNumber() {
        return i32(SEQ);
    }

    /** Meaningful only with {@link TcpFlags#ACK} set (RFC 9293 section 3.1). */
    public int acknowledgmentNumber() {
        return i32(ACK);
    }

    /** Header length in bytes, options included: data offset times 4. */
    public int headerLength() {
        return (u8(DATA_OFF) >>> 4) * 4;
    }

    /** The control bits, see {@link TcpFlags}. */
    public int flags() {
        return u8(FLAGS);
    }

    /** Whether any of {@code mask}'s bits is set. */
    public boolean hasFlag(int mask) {
        return (u8(FLAGS) & mask) != 0;
    }

    /** The four reserved bits between data offset and flags; sent as zero, ignored on receipt (RFC 9293 section 3.1). */
    public int reservedBits() {
        return u8(DATA_OFF) & 0x0f;
    }

    /** The window field as sent, not yet shifted by the window scale (RFC 7323 section 2.3; never scaled in a SYN). */
    public int window() {
        return u16(WINDOW);
    }

    public int checksum() {
        return u16(CHECKSUM);
    }

    /** Offset from the sequence number to the byte after urgent data, meaningful only with {@link TcpFlags#URG}. */
    public int urgentPointer() {
        return u16(URGENT);
    }

    /** Index in {@link #buffer()} of the first option byte. */
    public int optionsOffset() {
        return offset() + HEADER_LEN;
    }

    /** Bytes of options and padding. */
    public int optionsLength() {
        return headerLength() - HEADER_LEN;
    }

    /** Index in {@link #buffer()} where the data starts. */
    public int payloadOffset() {
        return offset() + headerLength();
    }

    /** Data bytes: the segment length minus the header. */
    public int payloadLength() {
        return length() - headerLength();
    }

    public void setSourcePort(int port) {
        put16(SRC_PORT, port);
    }

    public void setDestinationPort(int port) {
        put16(DST_PORT, port);
    }

    public void setSequenceNumber(int seq) {
        put32(SEQ, seq);
    }

    public void setAcknowledgmentNumber(int ack) {
        put32(ACK, ack);
    }

    /** Sets the data offset from a header length in bytes (a multiple of 4 in 20..60) and clears the reserved bits. */
    public void setHeaderLength(int headerLengthBytes) {
        put8(DATA_OFF, (headerLengthBytes >>> 2 & 0x0f) << 4);
    }

    public void setFlags(int flags) {
        put8(FLAGS, flags);
    }

    public void setWindow(int window) {
        put16(WINDOW, window);
    }

    public void setChecksum(int checksum) {
        put16(CHECKSUM, checksum);
    }

    public void setUrgentPointer(int urgentPointer) {
        put16(URGENT, urgentPointer);
    }
}
