package io.jrump.wire;

/**
 * Values of the IPv4 protocol field (RFC 791 section 3.1), as assigned by IANA ("Assigned Internet Protocol
 * Numbers"). {@code int} constants so ip input can {@code switch} on them.
 */
public final class IpProtocol {
    /** Internet Control Message Protocol (RFC 792). */
    public static final int ICMP = 1;
    /** Internet Group Management Protocol (RFC 1112). */
    public static final int IGMP = 2;
    /** Transmission Control Protocol (RFC 9293). */
    public static final int TCP = 6;
    /** User Datagram Protocol (RFC 768). */
    public static final int UDP = 17;

    private IpProtocol() {
    }

    /** A short name for logs; unknown values print as the number. */
    public static String name(int value) {
        switch (value) {
            case ICMP: return "ICMP";
            case IGMP: return "IGMP";
            case TCP: return "TCP";
            case UDP: return "UDP";
            default: return Integer.toString(value);
        }
    }
}
