package io.jrump.wire;

/**
 * The control bits of the TCP header, byte 13 (RFC 9293 section 3.1; CWR and ECE from RFC 3168 section 6.1).
 * {@code int} bit constants so segment processing can test them with a mask.
 */
public final class TcpFlags {
    /** No more data from sender. */
    public static final int FIN = 0x01;
    /** Synchronize sequence numbers. */
    public static final int SYN = 0x02;
    /** Reset the connection. */
    public static final int RST = 0x04;
    /** Push function. */
    public static final int PSH = 0x08;
    /** The acknowledgment number field is significant. */
    public static final int ACK = 0x10;
    /** The urgent pointer field is significant. */
    public static final int URG = 0x20;
    /** ECN-Echo (RFC 3168 section 6.1). */
    public static final int ECE = 0x40;
    /** Congestion window reduced (RFC 3168 section 6.1). */
    public static final int CWR = 0x80;

    private static final String[] NAMES = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};

    private TcpFlags() {
    }

    /** The set bits as {@code SYN|ACK}, for logs; {@code none} for zero. */
    public static String toString(int flags) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < NAMES.length; i++) {
            if ((flags & 1 << i) != 0) {
                if (sb.length() > 0) {
                    sb.append('|');
                }
                sb.append(NAMES[i]);
            }
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }
}
