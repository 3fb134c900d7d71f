package io.jrump.net;

/**
 * An address assigned to an interface ({@code struct ifaddr}). The family's code (netinet) creates
 * them; the interface only keeps the list, so that a listing shows every family's addresses.
 */
public record IfAddr(Ifnet ifp, int family, int addr, int prefixLen, int broadcast) {
    public static final int AF_INET = 2;
}
