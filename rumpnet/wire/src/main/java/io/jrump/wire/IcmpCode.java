package io.jrump.wire;

/**
 * Codes of the ICMPv4 error messages this stack sends and handles.
 */
public final class IcmpCode {
    /** Destination unreachable: network unreachable (RFC 792). */
    public static final int NET_UNREACHABLE = 0;
    /** Destination unreachable: host unreachable (RFC 792). */
    public static final int HOST_UNREACHABLE = 1;
    /** Destination unreachable: protocol unreachable, sent by the destination host (RFC 792). */
    public static final int PROTOCOL_UNREACHABLE = 2;
    /** Destination unreachable: port unreachable, sent by the destination host for UDP (RFC 792, RFC 1122 section 4.1.3.1). */
    public static final int PORT_UNREACHABLE = 3;
    /**
     * Destination unreachable: fragmentation needed and DF set. Routers put the next-hop MTU in the low 16 bits of
     * the otherwise unused word (RFC 1191 section 4); path MTU discovery lowers its estimate from it.
     */
    public static final int FRAGMENTATION_NEEDED = 4;
    /** Destination unreachable: source route failed (RFC 792). */
    public static final int SOURCE_ROUTE_FAILED = 5;
    /** Destination unreachable: communication administratively prohibited (RFC 1812 section 5.2.7.1). */
    public static final int ADMIN_PROHIBITED = 13;
    /** Highest destination-unreachable code defined (RFC 792, RFC 1122 section 3.2.2.1, RFC 1812 section 5.2.7.1). */
    public static final int MAX_UNREACHABLE = 15;

    /** Time exceeded: TTL reached zero in transit (RFC 792). */
    public static final int TTL_EXCEEDED = 0;
    /** Time exceeded: fragment reassembly time exceeded (RFC 792, RFC 1122 section 3.3.2). */
    public static final int REASSEMBLY_EXCEEDED = 1;

    private IcmpCode() {
    }
}
