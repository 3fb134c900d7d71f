package io.jrump.netinet.ip;

/**
 * A transport protocol's reaction to an ICMP error about a datagram it sent ({@code pr_ctlinput}):
 * the error as an errno (ECONNREFUSED for port unreachable, EHOSTUNREACH, EMSGSIZE with the next-hop
 * MTU, ...), the quoted datagram's addresses and ports, and the quoted transport header's second word
 * (TCP's sequence number, which RFC 5927 section 4.1 has TCP check against its send window), or -1
 * when the error quoted fewer than the 8 bytes RFC 792 asks for.
 */
@FunctionalInterface
public interface IpCtlInput {
    void ctlinput(int errno, int src, int dst, int srcPort, int dstPort, int mtu, long quotedWord);
}
