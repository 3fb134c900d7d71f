package io.jrump.wire;

/**
 * EtherType values of the Ethernet II type field, as registered with the IEEE Registration Authority. Kept as
 * {@code int} constants so ether input can {@code switch} on them.
 */
public final class EtherType {
    /** Internet Protocol version 4 (RFC 894). */
    public static final int IPV4 = 0x0800;
    /** Address Resolution Protocol (RFC 826). */
    public static final int ARP = 0x0806;
    /** IEEE 802.1Q VLAN tag; recognised only so it can be named, tagged frames are not parsed. */
    public static final int VLAN = 0x8100;
    /** Internet Protocol version 6 (RFC 2464). */
    public static final int IPV6 = 0x86dd;

    /**
     * Smallest value that is a type. Values up to 1500 in the same field are an IEEE 802.3 length instead
     * (IEEE 802.3 clause 3.2.6), and 1501..1535 are undefined.
     */
    public static final int MIN_TYPE = 0x0600;

    private EtherType() {
    }

    /** Whether the field holds a type (Ethernet II framing) rather than an 802.3 length. */
    public static boolean isType(int value) {
        return value >= MIN_TYPE;
    }

    /** A short name for logs and {@code tcpdump}-like output; unknown values print in hex. */
    public static String name(int value) {
        switch (value) {
            case IPV4: return "IPv4";
            case ARP: return "ARP";
            case VLAN: return "802.1Q";
            case IPV6: return "IPv6";
            default: return String.format("0x%04x", value);
        }
    }
}
