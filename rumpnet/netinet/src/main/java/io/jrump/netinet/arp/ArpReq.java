package io.jrump.netinet.arp;

/**
 * The argument of {@code SIOCSARP}/{@code SIOCDARP} ({@code arp -s}/{@code arp -d}): an IPv4 address,
 * its MAC, and optionally the interface. Passed by value across the remote syscall boundary.
 */
public final class ArpReq {
    public int addr;
    public long mac;
    public String ifname;

    public ArpReq() {
    }

    public ArpReq(int addr, long mac) {
        this.addr = addr;
        this.mac = mac;
    }
}
