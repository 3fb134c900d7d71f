package io.jrump.netinet;

import io.jrump.kern.syscall.SocketDefs;
import io.jrump.netinet.raw.RawIp;
import io.jrump.rumpnet.socket.Domain;
import io.jrump.rumpnet.socket.Protosw;

/** The inet domain ({@code inetdomain} and its {@code inetsw}): TCP stream, UDP datagram and raw IP sockets. */
final class InetDomain implements Domain {
    private final RawIp raw;
    private final Protosw udp;
    private final Protosw tcp;

    InetDomain(RawIp raw, Protosw udp, Protosw tcp) {
        this.raw = raw;
        this.udp = udp;
        this.tcp = tcp;
    }

    @Override
    public int family() {
        return SocketDefs.AF_INET;
    }

    @Override
    public String name() {
        return "internet";
    }

    @Override
    public Protosw lookup(int type, int protocol) {
        if (type == SocketDefs.SOCK_STREAM && (protocol == 0 || protocol == SocketDefs.IPPROTO_TCP)) {
            return tcp;
        }
        if (type == SocketDefs.SOCK_DGRAM && (protocol == 0 || protocol == SocketDefs.IPPROTO_UDP)) {
            return udp;
        }
        if (type == SocketDefs.SOCK_RAW && protocol >= 0 && protocol < 256) {
            return raw.usrreq(protocol);
        }
        return null;
    }
}
