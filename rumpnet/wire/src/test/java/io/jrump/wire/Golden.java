package io.jrump.wire;

/**
 * Golden frames for the wire tests and seeds for the fuzz targets.
 *
 * <p>Frames marked "captured" are real Linux 6.18 traffic: two network namespaces joined by a veth pair, captured
 * with an AF_PACKET socket on the receiving end. Host A is 198.18.0.1 with MAC 36:e4:8f:cd:4c:a6 (veth "va", on which
 * TX checksum offload was switched off with ETHTOOL_STXCSUM so that its TCP and UDP checksums are the kernel's
 * finished values, not offload placeholders); host B is 198.18.0.2 with MAC 96:60:60:74:2b:28. Traffic: a UDP send
 * to B's port 9 (which triggered A's ARP request, B's reply, and B's ICMP port unreachable), a ping-socket echo, a
 * TCP connect to B's port 8080. Frames sent by B are used only where the checksum is computed in software (ARP, ICMP).
 * Every checksum in this file is also re-verified by {@link RefChecksum} in {@code GoldenTest}.
 *
 * <p>Frames marked "hand-built" were assembled field by field from the RFC layouts, with checksums computed by a
 * separate Python script (sum of big-endian 16-bit words, end-around carry, complement).
 */
final class Golden {
    private Golden() {
    }

    static final int HOST_A = 0xc612_0001;
    static final int HOST_B = 0xc612_0002;
    static final long MAC_A = 0x36e4_8fcd_4ca6L;
    static final long MAC_B = 0x9660_6074_2b28L;

    /** Captured: A's ARP request "who has 198.18.0.2, tell 198.18.0.1", target MAC zero, no padding on veth. */
    static final String ARP_REQUEST_FRAME =
            "ffffffffffff 36e48fcd4ca6 0806"
            + " 0001 0800 06 04 0001 36e48fcd4ca6 c6120001 000000000000 c6120002";

    /** Captured: B's ARP reply to {@link #ARP_REQUEST_FRAME}. */
    static final String ARP_REPLY_FRAME =
            "36e48fcd4ca6 966060742b28 0806"
            + " 0001 0800 06 04 0002 966060742b28 c6120002 36e48fcd4ca6 c6120001";

    /** Captured: UDP from A:45675 to B:9 (discard), payload "jrump wire test\n", DF set, TTL 64, UDP checksum 0x8d60. */
    static final String UDP_FRAME =
            "966060742b28 36e48fcd4ca6 0800"
            + " 4500 002c 7083 4000 40 11 3e16 c6120001 c6120002"
            + " b26b 0009 0018 8d60"
            + " 6a72756d70207769726520746573740a";

    /**
     * Captured: B's ICMP port unreachable for {@link #UDP_FRAME}, quoting the whole 44-byte datagram. Linux sends ICMP
     * errors with TOS 0xc0 (DSCP CS6) and DF clear.
     */
    static final String PORT_UNREACHABLE_FRAME =
            "36e48fcd4ca6 966060742b28 0800"
            + " 45c0 0048 63ac 0000 40 01 8a21 c6120002 c6120001"
            + " 03 03 894e 00000000"
            + " 4500002c708340004011 3e16 c6120001c6120002 b26b000900188d60 6a72756d70207769726520746573740a";

    /** Captured: echo request from a Linux ping socket (the kernel chose identifier 0x309f), sequence 1, 40 data bytes 0x10..0x37. */
    static final String ECHO_REQUEST_FRAME =
            "966060742b28 36e48fcd4ca6 0800"
            + " 4500 0044 a67c 4000 40 01 0815 c6120001 c6120002"
            + " 08 00 088d 309f 0001"
            + " 101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";

    /** Captured: B's kernel echo reply to {@link #ECHO_REQUEST_FRAME}. */
    static final String ECHO_REPLY_FRAME =
            "36e48fcd4ca6 966060742b28 0800"
            + " 4500 0044 63e7 0000 40 01 8aaa c6120002 c6120001"
            + " 00 00 108d 309f 0001"
            + " 101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";

    /**
     * Captured: A's SYN to B:8080 as Linux sends it: MSS 1460, SACK-permitted and timestamps sharing a word, NOP and
     * window scale 10; window 64240.
     */
    static final String TCP_SYN_FRAME =
            "966060742b28 36e48fcd4ca6 0800"
            + " 4500 003c 2ae4 4000 40 06 83b0 c6120001 c6120002"
            + " a200 1f90 347779a2 00000000 a0 02 faf0 3d7b 0000"
            + " 020405b4 0402 080a 4fdfc3df 00000000 01 03030a";

    /** Captured: A's ACK completing the handshake: NOP NOP timestamps, window 63 (scaled by 2^10). */
    static final String TCP_ACK_FRAME =
            "966060742b28 36e48fcd4ca6 0800"
            + " 4500 0034 2ae5 4000 40 06 83b7 c6120001 c6120002"
            + " a200 1f90 347779a3 47db9a8a 80 10 003f ac18 0000"
            + " 0101080a 4fdfc3df f0e3e789";

    /** Well known: the IPv4 header example of the Wikipedia article "Internet checksum" (checksum 0xb861). */
    static final String WIKIPEDIA_IPV4_HEADER = "4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7";

    /** Hand-built: router 198.18.0.254's fragmentation needed (RFC 1191, next-hop MTU 1400) for the SYN above, header + 8 bytes quoted. */
    static final String FRAG_NEEDED_ICMP =
            "03 04 87d9 0000 0578"
            + " 4500003c2ae44000400683b0c6120001c6120002 a2001f90347779a2";

    /** Hand-built: time exceeded in transit for the UDP datagram above, header + 8 bytes quoted. */
    static final String TIME_EXCEEDED_ICMP =
            "0b 00 b512 00000000"
            + " 4500002c708340004011 3e16 c6120001c6120002 b26b000900188d60";

    /**
     * Hand-built: an IGMPv2 report for 224.0.0.251 with the Router Alert option (RFC 2113), IHL 6, as IGMP must send
     * it (RFC 2236 section 2): an IPv4 header with options.
     */
    static final String IPV4_ROUTER_ALERT =
            "46 c0 0020 0000 4000 01 02 3d09 c6120001 e00000fb 94040000"
            + " 16 00 0904 e00000fb";

    /**
     * Hand-built: B's ACK with timestamps and three SACK blocks in Linux's aligned layout (NOP NOP timestamps,
     * NOP NOP SACK), 40 option bytes.
     */
    static final String TCP_SACK_SEGMENT =
            "1f90 a200 47db9a8a 347779a4 f0 10 0040 d872 0000"
            + " 0101080a f0e3e78b 4fdfc3e0 0101 05 1a"
            + " 47db9a8b 47db9b8b 47db9c8b 47db9d8b 47db9e8b 47db9f8b";

    /**
     * Hand-built: MSS, timestamps and three SACK blocks packed without NOPs (4 + 10 + 26 = 40 bytes), which the
     * aligned layout could not hold.
     */
    static final String TCP_PACKED_SEGMENT =
            "1f90 a200 47db9a8a 347779a4 f0 12 0040 d2ba 0000"
            + " 020405b4 080a f0e3e78b 4fdfc3e0 05 1a"
            + " 47db9a8b 47db9b8b 47db9c8b 47db9d8b 47db9e8b 47db9f8b";

    /** All captured Ethernet frames, for tests and fuzz seeds that run every frame. */
    static final String[] CAPTURED_FRAMES = {
        ARP_REQUEST_FRAME, ARP_REPLY_FRAME, UDP_FRAME, PORT_UNREACHABLE_FRAME, ECHO_REQUEST_FRAME,
        ECHO_REPLY_FRAME, TCP_SYN_FRAME, TCP_ACK_FRAME,
    };

    static byte[] bytes(String hex) {
        return Hex.bytes(hex);
    }

    /** The IP payload (the transport or ICMP message) of a captured IPv4 frame, as a fresh array. */
    static byte[] l4(String frameHex) {
        byte[] f = bytes(frameHex);
        int ihl = (f[14] & 0x0f) * 4;
        int total = (f[16] & 0xff) << 8 | (f[17] & 0xff);
        return RefChecksum.slice(f, 14 + ihl, total - ihl);
    }

    /** The IP datagram of a captured IPv4 frame, as a fresh array. */
    static byte[] l3(String frameHex) {
        byte[] f = bytes(frameHex);
        return RefChecksum.slice(f, 14, f.length - 14);
    }
}
