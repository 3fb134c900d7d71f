package io.jrump.wire;

import java.util.Objects;

/**
 * A reusable, allocation-free cursor over the options area of a TCP header, and the rules that make an options area
 * well formed.
 *
 * <p>Rules (RFC 9293 section 3.1 and 3.2; RFC 1122 section 4.2.2.5 asks that an illegal length, e.g. zero, be handled
 * without crashing): EOL ends the list and whatever follows is padding; NOP is a single byte; every other option
 * needs a length byte inside the area, a length of at least 2 (it counts kind and length, so 0 and 1 would make a
 * parser stand still or overlap), and must end inside the area. Options this stack knows must also have their one
 * valid length (MSS 4, window scale 3, SACK-permitted 2, timestamps 10; SACK 2 plus a multiple of 8, at least one
 * block); a wrong length means the sender disagrees about the value's layout, and reading it anyway would misread
 * the header. Unknown kinds are skipped by their length.
 *
 * <p>{@link TcpPacket#check()} applies {@link #validate}; after it passed, iterating never reports an error. Not
 * thread-safe; keep one per context.
 */
public final class TcpOptions {
    private static final byte[] NONE = new byte[0];

    private byte[] buf = NONE;
    private int pos;
    private int end;
    private int start;
    private int kind = -1;
    private int len;
    private WireError error = WireError.OK;

    /** Aims the cursor at {@code len} option bytes at {@code off}, before the first option. */
    public TcpOptions wrap(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        this.buf = buf;
        this.pos = off;
        this.end = off + len;
        this.kind = -1;
        this.error = WireError.OK;
        return this;
    }

    /** Aims the cursor at the options of a segment whose {@link TcpPacket#check()} passed. */
    public TcpOptions wrap(TcpPacket segment) {
        return wrap(segment.buffer(), segment.optionsOffset(), segment.optionsLength());
    }

    /**
     * Advances to the next option other than NOP.
     *
     * @return {@code false} at EOL, at the end of the area, or on a malformed option ({@link #error()} then says
     *         {@link WireError#BAD_OPTION})
     */
    public boolean next() {
        while (pos < end) {
            int k = buf[pos] & 0xff;
            if (k == TcpOption.EOL) {
                pos = end;
                return false;
            }
            if (k == TcpOption.NOP) {
                pos++;
                continue;
            }
            int l = optionLength(buf, pos, end);
            if (l < 0) {
                error = WireError.BAD_OPTION;
                pos = end;
                kind = -1;
                return false;
            }
            kind = k;
            start = pos;
            len = l;
            pos += l;
            return true;
        }
        return false;
    }

    /**
     * Checks an options area against the rules above without a cursor object.
     *
     * @return {@link WireError#OK} or {@link WireError#BAD_OPTION}
     */
    public static WireError validate(byte[] buf, int off, int len) {
        int p = off;
        int e = off + len;
        while (p < e) {
            int k = buf[p] & 0xff;
            if (k == TcpOption.EOL) {
                return WireError.OK;
            }
            if (k == TcpOption.NOP) {
                p++;
                continue;
            }
            int l = optionLength(buf, p, e);
            if (l < 0) {
                return WireError.BAD_OPTION;
            }
            p += l;
        }
        return WireError.OK;
    }

    /** Length of the option (not EOL or NOP) at {@code p}, or -1 if it breaks a rule. */
    private static int optionLength(byte[] buf, int p, int e) {
        if (e - p < 2) {
            return -1;
        }
        int k = buf[p] & 0xff;
        int l = buf[p + 1] & 0xff;
        if (l < 2 || l > e - p) {
            return -1;
        }
        int fixed = TcpOption.fixedLength(k);
        if (fixed >= 0 && l != fixed) {
            return -1;
        }
        if (fixed == -2 && (l < 2 + TcpOption.SACK_BLOCK_LEN || (l - 2) % TcpOption.SACK_BLOCK_LEN != 0)) {
            return -1;
        }
        return l;
    }

    /** {@link WireError#BAD_OPTION} once {@link #next()} stopped at a malformed option, else {@link WireError#OK}. */
    public WireError error() {
        return error;
    }

    /** Kind of the current option, see {@link TcpOption}. */
    public int kind() {
        return kind;
    }

    /** Length of the current option, kind and length bytes included. */
    public int length() {
        return len;
    }

    /** Index in the buffer of the current option's value (after kind and length), for options this class does not decode. */
    public int valueOffset() {
        return start + 2;
    }

    /** Value of the current {@link TcpOption#MSS} option. */
    public int mss() {
        return BigEndian.get16(buf, start + 2);
    }

    /** Shift count of the current {@link TcpOption#WINDOW_SCALE} option, as sent (not clamped to 14). */
    public int windowScale() {
        return buf[start + 2] & 0xff;
    }

    /** TSval of the current {@link TcpOption#TIMESTAMPS} option. */
    public int timestampValue() {
        return BigEndian.get32(buf, start + 2);
    }

    /** TSecr of the current {@link TcpOption#TIMESTAMPS} option. */
    public int timestampEchoReply() {
        return BigEndian.get32(buf, start + 6);
    }

    /** Number of blocks in the current {@link TcpOption#SACK} option. */
    public int sackBlockCount() {
        return (len - 2) / TcpOption.SACK_BLOCK_LEN;
    }

    /** Left edge of SACK block {@code i}: its first sequence number. */
    public int sackLeft(int i) {
        return BigEndian.get32(buf, start + 2 + i * TcpOption.SACK_BLOCK_LEN);
    }

    /** Right edge of SACK block {@code i}: the sequence number after its last byte. */
    public int sackRight(int i) {
        return BigEndian.get32(buf, start + 6 + i * TcpOption.SACK_BLOCK_LEN);
    }
}
