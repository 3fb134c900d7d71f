package io.jrump.netinet;

import io.jrump.net.IfAddr;
import io.jrump.net.Ifnet;
import io.jrump.wire.Ipv4Address;

/** An IPv4 address on an interface ({@code struct in_ifaddr}): address, prefix and broadcast. */
public record InAddr(Ifnet ifp, int addr, int prefixLen, int broadcast, IfAddr ifa) {

    public int network() {
        return Ipv4Address.network(addr, prefixLen);
    }

    public boolean onLink(int dst) {
        return Ipv4Address.inSubnet(dst, network(), prefixLen);
    }

    @Override
    public String toString() {
        return Ipv4Address.format(addr) + "/" + prefixLen + " on " + ifp.name();
    }
}
