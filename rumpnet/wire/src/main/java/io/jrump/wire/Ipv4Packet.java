package io.jrump.wire;

/**
 * Zero-copy view of an IPv4 header and the datagram it heads (RFC 791 section 3.1).
 *
 * <p>Wrap it around everything the link layer delivered; the datagram proper is the first {@link #totalLength()}
 * bytes, anything after that is link padding (RFC 1122 section 3.2.1.3 leaves the trimming to IP). The header
 * checksum is checked separately by {@link #verifyChecksum()}, because a router may want to count a checksum failure
 * apart from a malformed header, and because a quoted header inside an ICMP error is read without it.
 *
 * <p>See {@link WireView} for the wrap/check contract.
 */
public final class Ipv4Packet extends WireView {
    /** Length of a header without options: IHL 5 (RFC 791 section 3.1). */
    public static final int HEADER_LEN = 20;
    /** Largest header: IHL is four bits, counting 32-bit words, so 15 words. */
    public static final int MAX_HEADER_LEN = 60;
    /** Largest datagram: the total length field is 16 bits (RFC 791 section 3.1). */
    public static final int MAX_TOTAL_LEN = 65535;
    /** Datagram size every host must accept (RFC 791 section 3.1, RFC 1122 section 3.3.2). */
    public static final int MIN_REASSEMBLY_SIZE = 576;

    private static final int VER_IHL = 0;
    private static final int TOS = 1;
    private static final int TOTAL_LEN = 2;
    private static final int IDENT = 4;
    private static final int FLAGS_FRAG = 6;
    private static final int TTL = 8;
    private static final int PROTO = 9;
    private static final int CHECKSUM = 10;
    private static final int SRC = 12;
    private static final int DST = 16;

    private static final int FLAG_DF = 0x4000;
    private static final int FLAG_MF = 0x2000;
    private static final int FRAG_OFFSET_MASK = 0x1fff;

    /** Aims the view at a datagram; see {@link WireView}. */
    public Ipv4Packet wrap(byte[] buf, int off, int len) {
        wrapRange(buf, off, len);
        return this;
    }

    /**
     * Checks the header alone: the fixed part is present, the version is 4, IHL is at least 5 and the options it
     * implies are present (RFC 791 section 3.1). This is all that can be asked of the original datagram quoted in an
     * ICMP error, which carries only the header and the first 64 bits of data (RFC 792), so its total length
     * legitimately exceeds what is there.
     */
    public WireError checkHeader() {
        if (length() < HEADER_LEN) {
            return WireError.TRUNCATED;
        }
        if (version() != 4) {
            return WireError.BAD_VERSION;
        }
        int hlen = headerLength();
        if (hlen < HEADER_LEN) {
            return WireError.BAD_HEADER_LENGTH;
        }
        if (hlen > length()) {
            return WireError.TRUNCATED;
        }
        return WireError.OK;
    }

    /**
     * Checks a received datagram: everything {@link #checkHeader()} checks, then that the total length covers the
     * header ({@link WireError#BAD_TOTAL_LENGTH}) and fits in the range ({@link WireError#TRUNCATED}), and that a
     * fragment's offset plus its length stays within the 65535 bytes a datagram can have
     * ({@link WireError#BAD_FRAGMENT}: such fragments can only be attacks, the old "ping of death"; RFC 791 section
     * 3.2 bounds the reassembled datagram by the total length field). The checksum is not verified here.
     */
    public WireError check() {
        WireError header = checkHeader();
        if (header != WireError.OK) {
            return header;
        }
        int total = totalLength();
        if (total < headerLength()) {
            return WireError.BAD_TOTAL_LENGTH;
        }
        if (total > length()) {
            return WireError.TRUNCATED;
        }
        if (fragmentOffset() + total > MAX_TOTAL_LEN) {
            return WireError.BAD_FRAGMENT;
        }
        return WireError.OK;
    }

    /** Whether the header checksum verifies (RFC 791 section 3.1, "Header Checksum"); needs {@link #checkHeader()} first. */
    public boolean verifyChecksum() {
        return InternetChecksum.verify(buffer(), offset(), headerLength());
    }

    /** Computes and stores the header checksum over the current header, options included. */
    public void fillChecksum() {
        put16(CHECKSUM, 0);
        put16(CHECKSUM, InternetChecksum.compute(buffer(), offset(), headerLength()));
    }

    /**
     * Decrements the TTL by one and patches the checksum with the RFC 1624 incremental update instead of recomputing
     * it, as a router does for every forwarded datagram (RFC 1812 section 5.3.1). The caller must have checked that
     * the TTL is above 1; a datagram whose TTL would reach 0 is not forwarded but answered with ICMP time exceeded.
     *
     * @return the new TTL
     */
    public int decrementTtl() {
        int oldWord = u16(TTL);
        int newWord = oldWord - 0x100;
        put16(TTL, newWord);
        put16(CHECKSUM, InternetChecksum.update(checksum(), oldWord, newWord));
        return newWord >>> 8 & 0xff;
    }

    public int version() {
        return u8(VER_IHL) >>> 4;
    }

    /** Header length in bytes, options included: IHL times 4. */
    public int headerLength() {
        return (u8(VER_IHL) & 0x0f) * 4;
    }

    /** Differentiated services code point, the upper six bits of the former TOS octet (RFC 2474 section 3). */
    public int dscp() {
        return u8(TOS) >>> 2;
    }

    /** Explicit congestion notification, the lower two bits of the former TOS octet (RFC 3168 section 5). */
    public int ecn() {
        return u8(TOS) & 0x03;
    }

    /** Length of the datagram, header and data, in bytes. */
    public int totalLength() {
        return u16(TOTAL_LEN);
    }

    /** Identification, which groups the fragments of one datagram (RFC 791 section 2.3, RFC 6864). */
    public int identification() {
        return u16(IDENT);
    }

    /** The don't-fragment flag; path MTU discovery sets it (RFC 1191 section 3). */
    public boolean dontFragment() {
        return (u16(FLAGS_FRAG) & FLAG_DF) != 0;
    }

    /** The more-fragments flag: another fragment follows this one. */
    public boolean moreFragments() {
        return (u16(FLAGS_FRAG) & FLAG_MF) != 0;
    }

    /** Where this fragment's data belongs in the datagram, in bytes (the field counts 8-byte units). */
    public int fragmentOffset() {
        return (u16(FLAGS_FRAG) & FRAG_OFFSET_MASK) * 8;
    }

    /** Whether this datagram is a fragment that needs reassembly (RFC 791 section 3.2, "Fragmentation and Reassembly"). */
    public boolean isFragment() {
        return (u16(FLAGS_FRAG) & (FLAG_MF | FRAG_OFFSET_MASK)) != 0;
    }

    public int ttl() {
        return u8(TTL);
    }

    /** The payload protocol, see {@link IpProtocol}. */
    public int protocol() {
        return u8(PROTO);
    }

    public int checksum() {
        return u16(CHECKSUM);
    }

    public int source() {
        return i32(SRC);
    }

    public int destination() {
        return i32(DST);
    }

    /** Index in {@link #buffer()} of the first option byte. */
    public int optionsOffset() {
        return offset() + HEADER_LEN;
    }

    /** Bytes of options, padding included: header length minus 20. */
    public int optionsLength() {
        return headerLength() - HEADER_LEN;
    }

    /** Index in {@link #buffer()} where the payload starts. */
    public int payloadOffset() {
        return offset() + headerLength();
    }

    /** Payload bytes as the total length declares them, link padding excluded. */
    public int payloadLength() {
        return totalLength() - headerLength();
    }

    /** Sets version 4 and the header length in bytes, which must be a multiple of 4 in 20..60. */
    public void setVersionAndHeaderLength(int headerLengthBytes) {
        put8(VER_IHL, 0x40 | (headerLengthBytes >>> 2 & 0x0f));
    }

    public void setDscp(int dscp) {
        put8(TOS, (dscp & 0x3f) << 2 | (u8(TOS) & 0x03));
    }

    public void setEcn(int ecn) {
        put8(TOS, (u8(TOS) & 0xfc) | (ecn & 0x03));
    }

    public void setTotalLength(int totalLength) {
        put16(TOTAL_LEN, totalLength);
    }

    public void setIdentification(int ident) {
        put16(IDENT, ident);
    }

    /**
     * Sets the flags and fragment offset together, as they share a word. The reserved flag bit is written as zero
     * (RFC 791 section 3.1).
     *
     * @param fragmentOffsetBytes a multiple of 8; the low three bits are dropped
     */
    public void setFlagsAndFragmentOffset(boolean dontFragment, boolean moreFragments, int fragmentOffsetBytes) {
        put16(FLAGS_FRAG, (dontFragment ? FLAG_DF : 0) | (moreFragments ? FLAG_MF : 0)
                | (fragmentOffsetBytes >>> 3 & FRAG_OFFSET_MASK));
    }

    public void setTtl(int ttl) {
        put8(TTL, ttl);
    }

    public void setProtocol(int protocol) {
        put8(PROTO, protocol);
    }

    public void setChecksum(int checksum) {
        put16(CHECKSUM, checksum);
    }

    public void setSource(int address) {
        put32(SRC, address);
    }

    public void setDestination(int address) {
        put32(DST, address);
    }
}
