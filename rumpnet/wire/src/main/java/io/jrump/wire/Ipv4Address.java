package io.jrump.wire;

/**
 * An IPv4 address, and the static helpers the stack uses on addresses held as plain {@code int}s.
 *
 * <p>The stack keeps addresses as {@code int} (the 32 bits in network order, so 192.0.2.1 is {@code 0xc0000201}):
 * per-packet code compares, masks and hashes them without allocating. The record is for the places where an object
 * reads better (configuration, routing table dumps, test assertions); its {@link #toString()} is the dotted quad.
 *
 * @param bits the address, most significant byte first
 */
public record Ipv4Address(int bits) implements Comparable<Ipv4Address> {
    /** Length of an IPv4 address in bytes (RFC 791 section 3.1). */
    public static final int LENGTH = 4;

    /** 0.0.0.0, "this host on this network", only valid as a source while a host learns its address (RFC 1122 section 3.2.1.3(a)). */
    public static final Ipv4Address UNSPECIFIED = new Ipv4Address(0);
    /** 255.255.255.255, the limited broadcast address, never forwarded (RFC 1122 section 3.2.1.3(c)). */
    public static final Ipv4Address BROADCAST = new Ipv4Address(0xffff_ffff);
    /** 127.0.0.1, the conventional loopback address (RFC 1122 section 3.2.1.3(g)). */
    public static final Ipv4Address LOOPBACK = new Ipv4Address(0x7f00_0001);

    /** The record for an address held as an {@code int}. */
    public static Ipv4Address of(int bits) {
        return new Ipv4Address(bits);
    }

    /** The record for a dotted quad; see {@link #parse(String)}. */
    public static Ipv4Address of(String dottedQuad) {
        return new Ipv4Address(parse(dottedQuad));
    }

    /** Reads four bytes at {@code off} as an address in network order. */
    public static Ipv4Address of(byte[] buf, int off) {
        return new Ipv4Address(read(buf, off));
    }

    /**
     * Parses a strict dotted quad: four decimal numbers 0..255 separated by dots.
     *
     * <p>Leading zeros, shortened forms ("10.1") and hexadecimal parts are rejected. {@code inet_aton} reads
     * "010" as octal 8 and "10.1" as 10.0.0.1; accepting them would give one string two meanings depending on which
     * tool reads it (RFC 6943 section 3.1.1).
     *
     * @throws IllegalArgumentException if the string is not a strict dotted quad
     */
    public static int parse(String dottedQuad) {
        int n = dottedQuad.length();
        int result = 0;
        int part = 0;
        int digits = 0;
        int parts = 0;
        for (int i = 0; i <= n; i++) {
            char c = i < n ? dottedQuad.charAt(i) : '.';
            if (c == '.') {
                if (digits == 0 || parts == 4) {
                    throw new IllegalArgumentException("not a dotted quad: \"" + dottedQuad + "\"");
                }
                result = result << 8 | part;
                parts++;
                part = 0;
                digits = 0;
            } else if (c >= '0' && c <= '9') {
                if (digits > 0 && part == 0) {
                    throw new IllegalArgumentException("leading zero in \"" + dottedQuad + "\"");
                }
                part = part * 10 + (c - '0');
                digits++;
                if (part > 255) {
                    throw new IllegalArgumentException("part above 255 in \"" + dottedQuad + "\"");
                }
            } else {
                throw new IllegalArgumentException("not a dotted quad: \"" + dottedQuad + "\"");
            }
        }
        if (parts != 4) {
            throw new IllegalArgumentException("not a dotted quad: \"" + dottedQuad + "\"");
        }
        return result;
    }

    /** Formats an address as a dotted quad. */
    public static String format(int bits) {
        return (bits >>> 24) + "." + (bits >>> 16 & 0xff) + "." + (bits >>> 8 & 0xff) + "." + (bits & 0xff);
    }

    /** Reads an address stored in network order at {@code off}. */
    public static int read(byte[] buf, int off) {
        return BigEndian.get32(buf, off);
    }

    /** Stores an address in network order at {@code off}. */
    public static void write(byte[] buf, int off, int bits) {
        BigEndian.put32(buf, off, bits);
    }

    /**
     * The netmask of a prefix length, e.g. 24 gives 255.255.255.0. Masks are contiguous ones since classless
     * addressing (RFC 4632 section 3.1).
     *
     * @throws IllegalArgumentException unless {@code 0 <= prefixLength <= 32}
     */
    public static int netmask(int prefixLength) {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " not in 0..32");
        }
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    /** The prefix length of a contiguous netmask, or -1 if the ones are not contiguous from the top (RFC 4632 section 3.1). */
    public static int prefixLength(int netmask) {
        int ones = Integer.bitCount(netmask);
        return netmask == (ones == 0 ? 0 : -1 << (32 - ones)) ? ones : -1;
    }

    /** Whether {@code netmask} is a contiguous mask that {@link #prefixLength(int)} accepts. */
    public static boolean isNetmask(int netmask) {
        return prefixLength(netmask) >= 0;
    }

    /** The network part of {@code address} under a prefix length. */
    public static int network(int address, int prefixLength) {
        return address & netmask(prefixLength);
    }

    /** Whether {@code address} lies in {@code network}/{@code prefixLength}. */
    public static boolean inSubnet(int address, int network, int prefixLength) {
        int mask = netmask(prefixLength);
        return (address & mask) == (network & mask);
    }

    /**
     * The directed broadcast address of the subnet holding {@code address}: host part all ones (RFC 1122 section
     * 3.2.1.3(d), RFC 919 section 7).
     */
    public static int directedBroadcast(int address, int prefixLength) {
        return address | ~netmask(prefixLength);
    }

    /** Whether {@code bits} is 255.255.255.255, the limited broadcast (RFC 1122 section 3.2.1.3(c)). */
    public static boolean isBroadcast(int bits) {
        return bits == 0xffff_ffff;
    }

    /** Whether {@code bits} is in 224.0.0.0/4, the class D multicast range (RFC 1112 section 4). */
    public static boolean isMulticast(int bits) {
        return (bits & 0xf000_0000) == 0xe000_0000;
    }

    /**
     * Whether {@code bits} is in 127.0.0.0/8: addresses that must never appear outside a host
     * (RFC 1122 section 3.2.1.3(g)).
     */
    public static boolean isLoopback(int bits) {
        return (bits & 0xff00_0000) == 0x7f00_0000;
    }

    /** Whether {@code bits} is 0.0.0.0 (RFC 1122 section 3.2.1.3(a)). */
    public static boolean isUnspecified(int bits) {
        return bits == 0;
    }

    /** Whether {@code bits} is in 169.254.0.0/16, dynamically configured link-local addresses (RFC 3927 section 2.1). */
    public static boolean isLinkLocal(int bits) {
        return (bits & 0xffff_0000) == 0xa9fe_0000;
    }

    /** Instance form of {@link #isBroadcast(int)}. */
    public boolean isBroadcast() {
        return isBroadcast(bits);
    }

    /** Instance form of {@link #isMulticast(int)}. */
    public boolean isMulticast() {
        return isMulticast(bits);
    }

    /** Instance form of {@link #isLoopback(int)}. */
    public boolean isLoopback() {
        return isLoopback(bits);
    }

    /** Instance form of {@link #isUnspecified(int)}. */
    public boolean isUnspecified() {
        return isUnspecified(bits);
    }

    /** Instance form of {@link #isLinkLocal(int)}. */
    public boolean isLinkLocal() {
        return isLinkLocal(bits);
    }

    /** Stores this address in network order at {@code off}. */
    public void writeTo(byte[] buf, int off) {
        write(buf, off, bits);
    }

    /** Orders addresses as unsigned numbers, the order {@code netstat} and routing tables list them in. */
    @Override
    public int compareTo(Ipv4Address other) {
        return Integer.compareUnsigned(bits, other.bits);
    }

    /** The dotted quad. */
    @Override
    public String toString() {
        return format(bits);
    }
}
