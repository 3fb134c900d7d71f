package io.jrump.net;

import io.jrump.rumpnet.mbuf.Mbuf;

/**
 * A protocol that takes frames of one ethertype from {@code ether_input} (ARP, IPv4). The handler
 * receives the chain with the Ethernet header already removed and owns it from then on.
 */
@FunctionalInterface
public interface EtherTypeHandler {
    void input(Ifnet ifp, Mbuf m, boolean linkBroadcast);
}
