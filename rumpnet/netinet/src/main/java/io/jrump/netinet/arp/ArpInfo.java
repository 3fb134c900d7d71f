package io.jrump.netinet.arp;

/** An ARP cache entry as {@code arp -a} lists it. */
public record ArpInfo(int ip, long mac, String ifname, boolean complete, boolean permanent, long expiresInNanos) {
}
