package io.jrump.rumpnet.mbuf;

/**
 * Bits of the packet header's checksum-offload field ({@code m_pkthdr.csum_flags}), NetBSD's values.
 * On output they ask the interface to compute a checksum; on input they say which checksums the
 * interface already verified, so that the protocol skips the work.
 */
public final class CsumFlags {
    public static final int M_CSUM_TCPv4 = 0x00000001;
    public static final int M_CSUM_UDPv4 = 0x00000002;
    /** The TCP or UDP checksum the interface checked was wrong. */
    public static final int M_CSUM_TCP_UDP_BAD = 0x00000004;
    /** {@code csum_data} holds the interface's partial sum of the payload. */
    public static final int M_CSUM_DATA = 0x00000008;
    public static final int M_CSUM_TCPv6 = 0x00000010;
    public static final int M_CSUM_UDPv6 = 0x00000020;
    public static final int M_CSUM_IPv4 = 0x00000040;
    /** The IPv4 header checksum the interface checked was wrong. */
    public static final int M_CSUM_IPv4_BAD = 0x00000080;
    public static final int M_CSUM_TSOv4 = 0x00000100;
    public static final int M_CSUM_TSOv6 = 0x00000200;
    /** {@code csum_data} does not include the pseudo-header. */
    public static final int M_CSUM_NO_PSEUDOHDR = 0x80000000;

    private CsumFlags() {
    }
}
