package io.jrump.wire;

/**
 * TCP option kinds and lengths, and encoders for the options this stack sends.
 *
 * <p>Every option except EOL and NOP is kind, length, value, where the length counts the kind and length bytes
 * (RFC 9293 section 3.1, "Options"). The encoders write at an absolute index and return the index after what they
 * wrote, so TCP output can lay out options directly in an mbuf without allocating.
 */
public final class TcpOption {
    /** End of option list; everything after it is padding (RFC 9293 section 3.2). */
    public static final int EOL = 0;
    /** No-operation, used to align later options on word boundaries (RFC 9293 section 3.2). */
    public static final int NOP = 1;
    /** Maximum segment size the sender can receive; only in SYN segments (RFC 9293 section 3.7.1, RFC 6691). */
    public static final int MSS = 2;
    /** Window scale shift count; only in SYN segments (RFC 7323 section 2.2). */
    public static final int WINDOW_SCALE = 3;
    /** SACK permitted; only in SYN segments (RFC 2018 section 2). */
    public static final int SACK_PERMITTED = 4;
    /** Selective acknowledgment blocks (RFC 2018 section 3). */
    public static final int SACK = 5;
    /** Timestamps TSval and TSecr (RFC 7323 section 3.2). */
    public static final int TIMESTAMPS = 8;

    /** Length of the MSS option (RFC 9293 section 3.2). */
    public static final int MSS_LEN = 4;
    /** Length of the window scale option (RFC 7323 section 2.2). */
    public static final int WINDOW_SCALE_LEN = 3;
    /** Length of the SACK-permitted option (RFC 2018 section 2). */
    public static final int SACK_PERMITTED_LEN = 2;
    /** Length of the timestamps option (RFC 7323 section 3.2). */
    public static final int TIMESTAMPS_LEN = 10;
    /** Each SACK block is two 32-bit sequence numbers (RFC 2018 section 3). */
    public static final int SACK_BLOCK_LEN = 8;
    /** At most four SACK blocks fit in 40 option bytes, three with timestamps (RFC 2018 section 3). */
    public static final int MAX_SACK_BLOCKS = 4;
    /** Largest shift a receiver may use; larger received values are treated as 14 (RFC 7323 section 2.3). */
    public static final int MAX_WINDOW_SCALE = 14;
    /** Room for options: the data offset field allows a 60-byte header (RFC 9293 section 3.1). */
    public static final int MAX_OPTIONS_LEN = 40;
    /**
     * MSS assumed when the peer sends none: 536, the IPv4 default (RFC 9293 section 3.7.1, RFC 6691 section 2,
     * which also explains that the MSS excludes IP and TCP options).
     */
    public static final int DEFAULT_MSS = 536;

    private TcpOption() {
    }

    /**
     * The one valid length of a known fixed-size option, {@code -2} for SACK (variable, checked separately), or
     * {@code -1} for kinds this stack does not know and skips by their length byte (RFC 9293 section 3.2:
     * "a TCP implementation MUST ignore without error any TCP option it does not implement").
     */
    static int fixedLength(int kind) {
        switch (kind) {
            case MSS: return MSS_LEN;
            case WINDOW_SCALE: return WINDOW_SCALE_LEN;
            case SACK_PERMITTED: return SACK_PERMITTED_LEN;
            case TIMESTAMPS: return TIMESTAMPS_LEN;
            case SACK: return -2;
            default: return -1;
        }
    }

    public static int writeNop(byte[] buf, int off) {
        buf[off] = NOP;
        return off + 1;
    }

    public static int writeEol(byte[] buf, int off) {
        buf[off] = EOL;
        return off + 1;
    }

    public static int writeMss(byte[] buf, int off, int mss) {
        buf[off] = MSS;
        buf[off + 1] = MSS_LEN;
        BigEndian.put16(buf, off + 2, mss);
        return off + MSS_LEN;
    }

    public static int writeWindowScale(byte[] buf, int off, int shift) {
        buf[off] = WINDOW_SCALE;
        buf[off + 1] = WINDOW_SCALE_LEN;
        buf[off + 2] = (byte) shift;
        return off + WINDOW_SCALE_LEN;
    }

    public static int writeSackPermitted(byte[] buf, int off) {
        buf[off] = SACK_PERMITTED;
        buf[off + 1] = SACK_PERMITTED_LEN;
        return off + SACK_PERMITTED_LEN;
    }

    public static int writeTimestamps(byte[] buf, int off, int value, int echoReply) {
        buf[off] = TIMESTAMPS;
        buf[off + 1] = TIMESTAMPS_LEN;
        BigEndian.put32(buf, off + 2, value);
        BigEndian.put32(buf, off + 6, echoReply);
        return off + TIMESTAMPS_LEN;
    }

    /** Writes the kind and length of a SACK option with {@code blocks} blocks; the blocks follow via {@link #writeSackBlock}. */
    public static int writeSackHeader(byte[] buf, int off, int blocks) {
        buf[off] = SACK;
        buf[off + 1] = (byte) (2 + blocks * SACK_BLOCK_LEN);
        return off + 2;
    }

    /** Writes one SACK block: the left edge and the sequence number just after the right edge (RFC 2018 section 3). */
    public static int writeSackBlock(byte[] buf, int off, int left, int right) {
        BigEndian.put32(buf, off, left);
        BigEndian.put32(buf, off + 4, right);
        return off + SACK_BLOCK_LEN;
    }
}
