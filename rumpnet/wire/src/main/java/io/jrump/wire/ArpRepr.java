package io.jrump.wire;

/**
 * Parsed form of an Ethernet/IPv4 ARP request or reply (RFC 826).
 *
 * @param operation               {@link ArpPacket#OP_REQUEST} or {@link ArpPacket#OP_REPLY}
 * @param senderHardwareAddress   the sender's MAC, low 48 bits
 * @param senderProtocolAddress   the sender's IPv4 address (0 in an ARP probe, RFC 5227 section 2.1.1)
 * @param targetHardwareAddress   the target's MAC; zero in a request
 * @param targetProtocolAddress   the IPv4 address being resolved or answered
 */
public record ArpRepr(int operation, long senderHardwareAddress, int senderProtocolAddress,
                      long targetHardwareAddress, int targetProtocolAddress) {
    /**
     * @throws IllegalArgumentException for an operation other than request or reply, or a MAC wider than 48 bits
     */
    public ArpRepr {
        if (operation != ArpPacket.OP_REQUEST && operation != ArpPacket.OP_REPLY) {
            throw new IllegalArgumentException("ARP operation " + operation);
        }
        if ((senderHardwareAddress & ~MacAddress.MASK) != 0 || (targetHardwareAddress & ~MacAddress.MASK) != 0) {
            throw new IllegalArgumentException("MAC address wider than 48 bits");
        }
    }

    /**
     * A request "who has {@code targetIp}, tell {@code senderIp}". The target hardware address is zero: RFC 826
     * leaves it unspecified, RFC 5227 section 2.1.1 asks for zero, and Linux and NetBSD send zero.
     */
    public static ArpRepr request(long senderMac, int senderIp, int targetIp) {
        return new ArpRepr(ArpPacket.OP_REQUEST, senderMac, senderIp, 0, targetIp);
    }

    /** The reply to {@code request} from the owner of the requested address (RFC 826, "Packet Reception"). */
    public static ArpRepr replyTo(ArpRepr request, long ownMac) {
        return new ArpRepr(ArpPacket.OP_REPLY, ownMac, request.targetProtocolAddress,
                request.senderHardwareAddress, request.senderProtocolAddress);
    }

    /**
     * Reads an ARP packet.
     *
     * @throws WireException {@link WireError#TRUNCATED} or {@link WireError#UNSUPPORTED} as {@link ArpPacket#check()}
     *                       says; {@link WireError#UNSUPPORTED} also for operations other than request and reply
     */
    public static ArpRepr parse(ArpPacket packet) throws WireException {
        WireException.throwIfBad(packet.check(), "ARP packet");
        int op = packet.operation();
        if (op != ArpPacket.OP_REQUEST && op != ArpPacket.OP_REPLY) {
            throw new WireException(WireError.UNSUPPORTED, "ARP operation " + op);
        }
        return new ArpRepr(op, packet.senderHardwareAddress(), packet.senderProtocolAddress(),
                packet.targetHardwareAddress(), packet.targetProtocolAddress());
    }

    /** Bytes {@link #emit} writes: 28. */
    public int bufferLen() {
        return ArpPacket.ETHERNET_IPV4_LEN;
    }

    /**
     * Writes the whole packet, header and addresses.
     *
     * @throws IllegalArgumentException if the view wraps fewer than {@link #bufferLen()} bytes
     */
    public void emit(ArpPacket packet) {
        packet.requireLength(ArpPacket.ETHERNET_IPV4_LEN, "ARP packet");
        packet.setHardwareType(ArpPacket.HTYPE_ETHERNET);
        packet.setProtocolType(EtherType.IPV4);
        packet.setHardwareLength(MacAddress.LENGTH);
        packet.setProtocolLength(Ipv4Address.LENGTH);
        packet.setOperation(operation);
        packet.setSenderHardwareAddress(senderHardwareAddress);
        packet.setSenderProtocolAddress(senderProtocolAddress);
        packet.setTargetHardwareAddress(targetHardwareAddress);
        packet.setTargetProtocolAddress(targetProtocolAddress);
    }

    @Override
    public String toString() {
        return "ArpRepr[" + (operation == ArpPacket.OP_REQUEST ? "request" : "reply")
                + " " + MacAddress.format(senderHardwareAddress) + "/" + Ipv4Address.format(senderProtocolAddress)
                + " > " + MacAddress.format(targetHardwareAddress) + "/" + Ipv4Address.format(targetProtocolAddress)
                + "]";
    }
}
