package io.jrump.net;

/**
 * The argument of the interface ioctls ({@code struct ifreq} and {@code struct in_aliasreq} in one):
 * the interface name plus whichever field the command reads or fills in. Passed by value across the
 * remote syscall boundary.
 */
public final class IfReq {
    public String name;
    public int flags;
    public int mtu;
    public int metric;
    /** IPv4 address, netmask and broadcast for the address ioctls; 0 when unused. */
    public int addr;
    public int netmask;
    public int broadaddr;
    /** {@code linkstr}, such as a shmif bus path or a tap device name. */
    public String linkstr;
    /** DART's {@code if_buflen}, for SIOCSIFBUFLEN and SIOCGIFBUFLEN. */
    public int buflen;
    /** The argument of a setting given in words, such as {@code sockbuf auto rtt 40ms} ({@link IfBufferIoctls}). */
    public String value;

    public IfReq() {
    }

    public IfReq(String name) {
        this.name = name;
    }
}
