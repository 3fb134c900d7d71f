package io.jrump.wire;

/**
 * Zero-copy view of an ARP packet (RFC 826, "Packet format").
 *
 * <p>ARP's header declares its own address lengths, so a packet for another hardware or protocol type is
 * structurally different. This stack resolves only IPv4 over Ethernet; {@link #check()} therefore accepts a packet
 * only if the hardware type is Ethernet (1), the protocol type is IPv4 (0x0800) and the lengths are 6 and 4. The
 * typed address accessors rely on that and read at the fixed Ethernet/IPv4 offsets.
 *
 * <p>See {@link WireView} for the wrap/check contract.
 */
public final class ArpPacket extends WireView {
    /** The part before the addresses: hardware type, protocol type, two lengths, operation. */
    public static final int FIXED_LEN = 8;
    /** Length of an Ethernet/IPv4 ARP packet: {@link #FIXED_LEN} plus two MAC and two IPv4 addresses. */
    public static final int ETHERNET_IPV4_LEN = 28;

    /** Hardware type of Ethernet ("ares_hrd$Ethernet", RFC 826). */
    public static final int HTYPE_ETHERNET = 1;
    /** Operation code of a request (RFC 826, "ares_op$REQUEST"). */
    public static final int OP_REQUEST = 1;
    /** Operation code of a reply (RFC 826, "ares_op$REPLY"). */
    public static final int OP_REPLY = 2;

    private static final int HTYPE = 0;
    private static final int PTYPE = 2;
    private static final int HLEN = 4;
    private static final int PLEN = 5;
    private static final int OPER = 6;
    private static final int SHA = 8;
    private static final int SPA = 14;
    private static final int THA = 18;
    private static final int TPA = 24;

    /** Aims the view at an ARP packet (the Ethernet payload); see {@link WireView}. */
    public ArpPacket wrap(byte[] buf, int off, int len) {
        wrapRange(buf, off, len);
        return this;
    }

    /**
     * Checks the structure.
     *
     * @return {@link WireError#TRUNCATED} if the range is shorter than the fixed part or than the four addresses the
     *         declared lengths imply; {@link WireError#UNSUPPORTED} if it is not Ethernet/IPv4; else
     *         {@link WireError#OK}. Bytes after the addresses are link padding and are ignored.
     */
    public WireError check() {
        if (length() < FIXED_LEN) {
            return WireError.TRUNCATED;
        }
        int needed = FIXED_LEN + 2 * (hardwareLength() + protocolLength());
        if (length() < needed) {
            return WireError.TRUNCATED;
        }
        if (hardwareType() != HTYPE_ETHERNET || protocolType() != EtherType.IPV4
                || hardwareLength() != MacAddress.LENGTH || protocolLength() != Ipv4Address.LENGTH) {
            return WireError.UNSUPPORTED;
        }
        return WireError.OK;
    }

    public int hardwareType() {
        return u16(HTYPE);
    }

    /** Protocol type, in EtherType numbering (RFC 826). */
    public int protocolType() {
        return u16(PTYPE);
    }

    public int hardwareLength() {
        return u8(HLEN);
    }

    public int protocolLength() {
        return u8(PLEN);
    }

    /** {@link #OP_REQUEST}, {@link #OP_REPLY}, or another value (RARP uses 3 and 4, RFC 903). */
    public int operation() {
        return u16(OPER);
    }

    public long senderHardwareAddress() {
        return u48(SHA);
    }

    public int senderProtocolAddress() {
        return i32(SPA);
    }

    /** In a request, the MAC being asked for; its content is unspecified by RFC 826 and zero by RFC 5227 section 2.1.1. */
    public long targetHardwareAddress() {
        return u48(THA);
    }

    public int targetProtocolAddress() {
        return i32(TPA);
    }

    public void setHardwareType(int htype) {
        put16(HTYPE, htype);
    }

    public void setProtocolType(int ptype) {
        put16(PTYPE, ptype);
    }

    public void setHardwareLength(int hlen) {
        put8(HLEN, hlen);
    }

    public void setProtocolLength(int plen) {
        put8(PLEN, plen);
    }

    public void setOperation(int op) {
        put16(OPER, op);
    }

    public void setSenderHardwareAddress(long mac) {
        put48(SHA, mac);
    }

    public void setSenderProtocolAddress(int ip) {
        put32(SPA, ip);
    }

    public void setTargetHardwareAddress(long mac) {
        put48(THA, mac);
    }

    public void setTargetProtocolAddress(int ip) {
        put32(TPA, ip);
    }
}
