package io.jrump.netinet.arp;

import io.jrump.net.Ifnet;
import io.jrump.rumpnet.mbuf.Mbuf;

/** One ARP cache entry ({@code struct llentry}): a neighbour's MAC, or packets waiting for it. */
final class ArpEntry {
    static final int INCOMPLETE = 0;
    static final int RESOLVED = 1;
    static final int STATIC = 2;

    final int ip;
    Ifnet ifp;
    long mac;
    int state;
    long expires;
    long lastRequest = Long.MIN_VALUE / 2;
    int asked;
    Mbuf holdHead;
    Mbuf holdTail;
    int held;

    ArpEntry(int ip, Ifnet ifp) {
        this.ip = ip;
        this.ifp = ifp;
    }
}
