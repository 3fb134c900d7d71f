package io.jrump.wire;

/**
 * An IEEE 802 48-bit MAC address, and static helpers for addresses held as the low 48 bits of a {@code long}.
 *
 * <p>As with {@link Ipv4Address}, the per-frame path keeps addresses as primitives (first octet in bits 47..40) so
 * comparing and hashing them allocates nothing; the record is for configuration, tables and tests.
 *
 * @param bits the address in the low 48 bits, first transmitted octet most significant; the upper 16 bits are zero
 */
public record MacAddress(long bits) {
    /** Length of a MAC address in bytes. */
    public static final int LENGTH = 6;
    /** Mask of the 48 address bits in a {@code long}. */
    public static final long MASK = 0xffff_ffff_ffffL;

    /** ff:ff:ff:ff:ff:ff, which every station on the segment receives; ARP requests go there (RFC 826). */
    public static final MacAddress BROADCAST = new MacAddress(MASK);
    /** 00:00:00:00:00:00, the "unknown" target hardware address of an ARP request (RFC 5227 section 2.1.1). */
    public static final MacAddress ZERO = new MacAddress(0);

    /**
     * @throws IllegalArgumentException if bits above the 48th are set
     */
    public MacAddress {
        if ((bits & ~MASK) != 0) {
            throw new IllegalArgumentException("MAC address wider than 48 bits: 0x" + Long.toHexString(bits));
        }
    }

    /** The record for an address held as a {@code long}. */
    public static MacAddress of(long bits) {
        return new MacAddress(bits);
    }

    /** The record for text in the form {@code aa:bb:cc:dd:ee:ff}; see {@link #parse(String)}. */
    public static MacAddress of(String text) {
        return new MacAddress(parse(text));
    }

    /** Reads six bytes at {@code off}. */
    public static MacAddress of(byte[] buf, int off) {
        return new MacAddress(read(buf, off));
    }

    /**
     * Parses six two-digit hexadecimal octets separated by ':' or '-' (the IEEE 802 canonical form uses '-',
     * Unix tools use ':'; one string must use one separator).
     *
     * @throws IllegalArgumentException if the text is not in that form
     */
    public static long parse(String text) {
        if (text.length() != 17) {
            throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
        }
        char sep = text.charAt(2);
        if (sep != ':' && sep != '-') {
            throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
        }
        long result = 0;
        for (int i = 0; i < 6; i++) {
            int p = i * 3;
            int hi = hexDigit(text.charAt(p));
            int lo = hexDigit(text.charAt(p + 1));
            if (hi < 0 || lo < 0 || (i < 5 && text.charAt(p + 2) != sep)) {
                throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
            }
            result = result << 8 | hi << 4 | lo;
        }
        return result;
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** Formats as lower-case {@code aa:bb:cc:dd:ee:ff}, as {@code ifconfig} and {@code arp} print it. */
    public static String format(long bits) {
        char[] out = new char[17];
        for (int i = 0; i < 6; i++) {
            int octet = (int) (bits >>> (40 - 8 * i)) & 0xff;
            out[i * 3] = Character.forDigit(octet >>> 4, 16);
            out[i * 3 + 1] = Character.forDigit(octet & 0xf, 16);
            if (i < 5) {
                out[i * 3 + 2] = ':';
            }
        }
        return new String(out);
    }

    /** Reads six bytes at {@code off} into the low 48 bits of a {@code long}. */
    public static long read(byte[] buf, int off) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = v << 8 | (buf[off + i] & 0xff);
        }
        return v;
    }

    /** Stores the low 48 bits of {@code bits} as six bytes at {@code off}. */
    public static void write(byte[] buf, int off, long bits) {
        for (int i = 5; i >= 0; i--) {
            buf[off + i] = (byte) bits;
            bits >>>= 8;
        }
    }

    /** Whether {@code bits} is ff:ff:ff:ff:ff:ff. */
    public static boolean isBroadcast(long bits) {
        return (bits & MASK) == MASK;
    }

    /**
     * Whether the individual/group bit, the least significant bit of the first octet, is set (IEEE 802 clause 8.2).
     * Broadcast is a group address too.
     */
    public static boolean isMulticast(long bits) {
        return (bits & 0x0100_0000_0000L) != 0;
    }

    /** Whether the address names one station: the group bit is clear (IEEE 802 clause 8.2). */
    public static boolean isUnicast(long bits) {
        return !isMulticast(bits);
    }

    /**
     * Whether the universal/local bit, the second bit of the first octet, is set: the address was assigned locally,
     * not by a manufacturer (IEEE 802 clause 8.2). Generated addresses for tap and shmif interfaces set it.
     */
    public static boolean isLocallyAdministered(long bits) {
        return (bits & 0x0200_0000_0000L) != 0;
    }

    /** Instance form of {@link #isBroadcast(long)}. */
    public boolean isBroadcast() {
        return isBroadcast(bits);
    }

    /** Instance form of {@link #isMulticast(long)}. */
    public boolean isMulticast() {
        return isMulticast(bits);
    }

    /** Instance form of {@link #isUnicast(long)}. */
    public boolean isUnicast() {
        return isUnicast(bits);
    }

    /** Instance form of {@link #isLocallyAdministered(long)}. */
    public boolean isLocallyAdministered() {
        return isLocallyAdministered(bits);
    }

    /** Stores this address at {@code off}. */
    public void writeTo(byte[] buf, int off) {
        write(buf, off, bits);
    }

    /** The colon-separated form. */
    @Override
    public String toString() {
        return format(bits);
    }
}
