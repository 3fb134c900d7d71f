package io.jrump.wire;

/**
 * Zero-copy view of an Ethernet II frame header (destination, source, EtherType; RFC 894 for IPv4 over it).
 *
 * <p>The frame check sequence is not part of the view: taps and the shmif bus deliver frames without it. Nor is a
 * minimum length enforced: the 60-byte minimum of IEEE 802.3 is met by padding that the sender adds and the network
 * layer trims using its own length field (RFC 894, RFC 1122 section 2.3.3), so a short frame from a virtual link is
 * still a frame. 802.1Q tags are not parsed; such a frame shows EtherType {@link EtherType#VLAN}.
 *
 * <p>See {@link WireView} for the wrap/check contract.
 */
public final class EthernetFrame extends WireView {
    /** Destination, source, type. */
    public static final int HEADER_LEN = 14;

    private static final int DST = 0;
    private static final int SRC = 6;
    private static final int TYPE = 12;

    /** Aims the view at a frame; see {@link WireView}. */
    public EthernetFrame wrap(byte[] buf, int off, int len) {
        wrapRange(buf, off, len);
        return this;
    }

    /** {@link WireError#TRUNCATED} if the range cannot hold the 14-byte header, else {@link WireError#OK}. */
    public WireError check() {
        return length() < HEADER_LEN ? WireError.TRUNCATED : WireError.OK;
    }

    /** Destination address, low 48 bits. */
    public long destination() {
        return u48(DST);
    }

    /** Source address, low 48 bits. */
    public long source() {
        return u48(SRC);
    }

    /** The EtherType, or an 802.3 length if below {@link EtherType#MIN_TYPE}. */
    public int etherType() {
        return u16(TYPE);
    }

    public void setDestination(long mac) {
        put48(DST, mac);
    }

    public void setSource(long mac) {
        put48(SRC, mac);
    }

    public void setEtherType(int type) {
        put16(TYPE, type);
    }

    /** Index in {@link #buffer()} where the payload starts. */
    public int payloadOffset() {
        return offset() + HEADER_LEN;
    }

    /** Bytes after the header, including any link padding. */
    public int payloadLength() {
        return length() - HEADER_LEN;
    }
}
