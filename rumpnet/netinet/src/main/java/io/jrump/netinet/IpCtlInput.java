package io.jrump.netinet;

/**
 * A transport protocol's reaction to an ICMP error about a datagram it sent ({@code pr_ctlinput}):
 * the error as an errno (ECONNREFUSED for port unreachable, EHOSTUNREACH, EMSGSIZE with the next-hop
 * MTU, ...) and the quoted datagram's addresses and ports.
 */
@FunctionalInterface
public interface IpCtlInput {
    void ctlinput(int errno, int src, int dst, int srcPort, int dstPort, int mtu);
}
