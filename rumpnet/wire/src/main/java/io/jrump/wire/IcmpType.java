package io.jrump.wire;

/**
 * ICMPv4 message types (RFC 792; the IANA "ICMP Type Numbers" registry). {@code int} constants so icmp input can
 * {@code switch} on them.
 */
public final class IcmpType {
    /** Echo reply (RFC 792, "Echo or Echo Reply Message"). */
    public static final int ECHO_REPLY = 0;
    /** Destination unreachable (RFC 792); codes in {@link IcmpCode}. */
    public static final int DESTINATION_UNREACHABLE = 3;
    /** Source quench; deprecated, must not be sent and should be ignored (RFC 6633 section 3). */
    public static final int SOURCE_QUENCH = 4;
    /** Redirect (RFC 792); hosts may act on it, this stack's wire layer does not parse it. */
    public static final int REDIRECT = 5;
    /** Echo request, what {@code ping} sends (RFC 792). */
    public static final int ECHO_REQUEST = 8;
    /** Time exceeded (RFC 792); codes in {@link IcmpCode}. */
    public static final int TIME_EXCEEDED = 11;
    /** Parameter problem (RFC 792). */
    public static final int PARAMETER_PROBLEM = 12;
    /** Timestamp request (RFC 792). */
    public static final int TIMESTAMP = 13;
    /** Timestamp reply (RFC 792). */
    public static final int TIMESTAMP_REPLY = 14;

    private IcmpType() {
    }

    /**
     * Whether the type is an error message, which carries a quoted datagram and must never be answered with another
     * ICMP error (RFC 1122 section 3.2.2).
     */
    public static boolean isError(int type) {
        return type == DESTINATION_UNREACHABLE || type == SOURCE_QUENCH || type == REDIRECT
                || type == TIME_EXCEEDED || type == PARAMETER_PROBLEM;
    }
}
