package io.jrump.net;

import io.jrump.wire.Ipv4Address;

/**
 * An IPv4 route ({@code struct rtentry}): a destination prefix, an interface, and a gateway unless
 * the destination is on the link. Immutable: the table replaces entries instead of editing them, so
 * lookups need no lock.
 */
public record Route(int dst, int prefixLen, int gateway, Ifnet ifp, int flags, int ifaAddr) {
    public static final int RTF_UP = 0x1;
    public static final int RTF_GATEWAY = 0x2;
    public static final int RTF_HOST = 0x4;
    public static final int RTF_STATIC = 0x800;
    /** The route of a connected network, made when an address is assigned. */
    public static final int RTF_CONNECTED = 0x40000;
    /** A route to one of our own addresses. */
    public static final int RTF_LOCAL = 0x200000;

    public boolean matches(int addr) {
        return Ipv4Address.inSubnet(addr, dst, prefixLen);
    }

    public boolean isGateway() {
        return (flags & RTF_GATEWAY) != 0;
    }

    /** {@code netstat -r} style flags: U, G, H, S, C, l. */
    public String flagString() {
        StringBuilder sb = new StringBuilder();
        if ((flags & RTF_UP) != 0) {
            sb.append('U');
        }
        if ((flags & RTF_GATEWAY) != 0) {
            sb.append('G');
        }
        if ((flags & RTF_HOST) != 0) {
            sb.append('H');
        }
        if ((flags & RTF_STATIC) != 0) {
            sb.append('S');
        }
        if ((flags & RTF_CONNECTED) != 0) {
            sb.append('C');
        }
        if ((flags & RTF_LOCAL) != 0) {
            sb.append('l');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        String d = prefixLen == 0 ? "default" : Ipv4Address.format(dst) + (prefixLen == 32 ? "" : "/" + prefixLen);
        return d + " " + (isGateway() ? Ipv4Address.format(gateway) : "link#" + ifp.index()) + " " + flagString()
                + " " + ifp.name();
    }
}
