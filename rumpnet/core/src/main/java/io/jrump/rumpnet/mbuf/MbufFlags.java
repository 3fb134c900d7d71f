package io.jrump.rumpnet.mbuf;

/**
 * Bits of {@code m_flags}, with NetBSD's values from {@code sys/mbuf.h} so that dumps and BPF filters
 * read the same. {@link #M_EXT} and {@link #M_PKTHDR} describe how the mbuf is built and are managed by
 * the mbuf code alone; the others are the protocols' to set.
 */
public final class MbufFlags {
    /** Data lives in external storage (a cluster or caller-owned bytes), not in the mbuf itself. */
    public static final int M_EXT = 0x00000001;
    /** This mbuf heads a packet and carries its {@link PktHdr}. */
    public static final int M_PKTHDR = 0x00000002;
    /** End of record, for record-oriented protocols. */
    public static final int M_EOR = 0x00000004;
    /** Protocol-private. */
    public static final int M_PROTO1 = 0x00000008;
    public static final int M_AUTHIPHDR = 0x00000010;
    public static final int M_DECRYPTED = 0x00000020;
    /** Sent by this host to itself (loopback). */
    public static final int M_LOOP = 0x00000040;
    /** Received as a link-level broadcast. */
    public static final int M_BCAST = 0x00000100;
    /** Received as a link-level multicast. */
    public static final int M_MCAST = 0x00000200;
    public static final int M_CANFASTFWD = 0x00000400;
    public static final int M_ANYCAST6 = 0x00000800;
    public static final int M_LINK0 = 0x00001000;
    public static final int M_LINK1 = 0x00002000;
    public static final int M_LINK2 = 0x00004000;
    /**
     * The data is a prebuilt frame's payload over caller-owned bytes ({@link MbufPool#getPrebuilt}), with
     * its ones-complement sum computed once by its owner: TCP sends it as one segment and completes the
     * checksum from that sum without reading the payload (the AFPA seed {@code 000_e72d5458a6362c1e}'s
     * precomputed checksums). jrump's own bit; set only by the mbuf code, never copied to a copy.
     */
    public static final int M_PREBUILT = 0x00008000;
    /**
     * DART's precomputed fragment boundaries (seed 002): the socket layer built this datagram's chain with one
     * mbuf per IP fragment, each with room for its headers; {@code csum_data} holds the IP payload of every
     * fragment but the last. IP output then only adds headers. jrump's own bit.
     */
    public static final int M_FRAGPLAN = 0x00010000;
    /**
     * The mbuf alone uses its slice {@code [bufStart, bufEnd)} of a cluster that other mbufs' slices share
     * ({@link MbufPool#getSlices}), so it may write there although the cluster has several references: DART's
     * fragment layout (seed 002) puts each fragment's header room beside its data in one jumbo cluster. Lost
     * when the mbuf's bytes are shared with a copy. jrump's own bit; set only by the mbuf code.
     */
    public static final int M_EXTSLICE = 0x00020000;

    /** Flags that belong to the packet rather than the buffer, and move with the packet header. */
    public static final int M_COPYFLAGS = M_PKTHDR | M_EOR | M_BCAST | M_MCAST | M_CANFASTFWD | M_ANYCAST6
            | M_LINK0 | M_LINK1 | M_LINK2 | M_AUTHIPHDR | M_DECRYPTED | M_LOOP | M_FRAGPLAN;

    /** Flags that only the mbuf code may change: how the mbuf is built, and what vouches for its sum. */
    static final int M_INTERNAL = M_EXT | M_PKTHDR | M_PREBUILT | M_EXTSLICE;

    private MbufFlags() {
    }
}
