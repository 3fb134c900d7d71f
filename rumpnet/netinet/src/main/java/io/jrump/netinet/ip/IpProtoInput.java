package io.jrump.netinet.ip;

import io.jrump.net.Ifnet;
import io.jrump.rumpnet.mbuf.Mbuf;

/**
 * A transport protocol's input ({@code pr_input} in {@code inetsw}): gets the whole datagram, IP
 * header first (contiguous for {@code hlen} bytes), and owns it from then on.
 */
@FunctionalInterface
public interface IpProtoInput {
    void input(Mbuf m, int hlen, Ifnet ifp);
}
