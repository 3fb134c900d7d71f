package io.jrump.wire;

/**
 * Parsed form of an Ethernet II header.
 *
 * @param source      sender's MAC address, low 48 bits
 * @param destination receiver's MAC address (unicast, multicast or broadcast), low 48 bits
 * @param etherType   the payload's protocol, {@code >= 0x0600}
 */
public record EthernetRepr(long source, long destination, int etherType) {
    /**
     * @throws IllegalArgumentException if an address is wider than 48 bits or the type is not an Ethernet II type
     */
    public EthernetRepr {
        if ((source & ~MacAddress.MASK) != 0 || (destination & ~MacAddress.MASK) != 0) {
            throw new IllegalArgumentException("MAC address wider than 48 bits");
        }
        if (!EtherType.isType(etherType) || etherType > 0xffff) {
            throw new IllegalArgumentException("not an Ethernet II type: " + etherType);
        }
    }

    /**
     * Reads the header of a frame.
     *
     * @throws WireException {@link WireError#TRUNCATED} for fewer than 14 bytes; {@link WireError#UNSUPPORTED} for an
     *                       IEEE 802.3 frame, whose type field is a length (IEEE 802.3 clause 3.2.6): this stack
     *                       speaks only Ethernet II (RFC 894)
     */
    public static EthernetRepr parse(EthernetFrame frame) throws WireException {
        WireException.throwIfBad(frame.check(), "Ethernet header");
        int type = frame.etherType();
        if (!EtherType.isType(type)) {
            throw new WireException(WireError.UNSUPPORTED, "802.3 length field " + type + ", not an EtherType");
        }
        return new EthernetRepr(frame.source(), frame.destination(), type);
    }

    /** Bytes {@link #emit} writes. */
    public int headerLen() {
        return EthernetFrame.HEADER_LEN;
    }

    /** Bytes the view given to {@link #emit} must cover: the header only, the payload is not touched. */
    public int bufferLen() {
        return EthernetFrame.HEADER_LEN;
    }

    /**
     * Writes the header at the start of the view.
     *
     * @throws IllegalArgumentException if the view wraps fewer than {@link #bufferLen()} bytes
     */
    public void emit(EthernetFrame frame) {
        frame.requireLength(EthernetFrame.HEADER_LEN, "Ethernet header");
        frame.setDestination(destination);
        frame.setSource(source);
        frame.setEtherType(etherType);
    }

    @Override
    public String toString() {
        return "EthernetRepr[" + MacAddress.format(source) + " > " + MacAddress.format(destination)
                + ", " + EtherType.name(etherType) + "]";
    }
}
