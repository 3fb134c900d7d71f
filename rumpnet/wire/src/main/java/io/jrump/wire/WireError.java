package io.jrump.wire;

/**
 * Why a view's {@code check()} or a repr's {@code parse()} refused some bytes.
 *
 * <p>An enum, not an exception, so the receive path can classify and count a bad packet without allocating
 * (the constants are shared singletons). The stack maps these onto its drop counters
 * ({@code ips_badlen}, {@code tcps_rcvbadsum}, ...), so each constant names one cause a counter distinguishes.
 */
public enum WireError {
    /** The bytes form a well-formed header of this kind. */
    OK,
    /** The range is shorter than a length the header itself declares, or shorter than the fixed header. */
    TRUNCATED,
    /** The IPv4 version field is not 4 (RFC 791 section 3.1). */
    BAD_VERSION,
    /** A header length field (IPv4 IHL, TCP data offset) is below the minimum header size. */
    BAD_HEADER_LENGTH,
    /** The IPv4 total length is smaller than the header length it must include (RFC 791 section 3.1). */
    BAD_TOTAL_LENGTH,
    /** The UDP length field is below the 8-byte header it includes (RFC 768). */
    BAD_LENGTH,
    /** An IPv4 fragment would extend its datagram past the 65535 bytes the total length field can express. */
    BAD_FRAGMENT,
    /** An Internet checksum (RFC 1071) does not verify. */
    BAD_CHECKSUM,
    /** A TCP option has a length that is impossible for it or runs past the options area (RFC 9293 section 3.1). */
    BAD_OPTION,
    /** Well-formed, but of a kind this stack does not handle (non-Ethernet ARP, an 802.3 length frame, ...). */
    UNSUPPORTED;

    /** {@code true} for {@link #OK}; reads better than a comparison in an {@code if}. */
    public boolean isOk() {
        return this == OK;
    }
}
