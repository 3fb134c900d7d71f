package io.jrump.sockin;

import io.jrump.kern.syscall.SocketDefs;
import io.jrump.rumpnet.socket.Domain;
import io.jrump.rumpnet.socket.Protosw;

/**
 * sockin's inet domain ({@code sockindomain} in NetBSD's {@code sockin.c}): AF_INET with TCP and UDP
 * on host sockets. It has no raw sockets, as sockin has none: the host would need privileges for
 * them, and they would bypass the host's own stack that sockin exists to use.
 */
final class SockinDomain implements Domain {
    private final SockinStream stream;
    private final SockinDgram dgram;

    SockinDomain(SockinStream stream, SockinDgram dgram) {
        this.stream = stream;
        this.dgram = dgram;
    }

    @Override
    public int family() {
        return SocketDefs.AF_INET;
    }

    @Override
    public String name() {
        return "internet (sockin)";
    }

    @Override
    public Protosw lookup(int type, int protocol) {
        if (type == SocketDefs.SOCK_STREAM && (protocol == 0 || protocol == SocketDefs.IPPROTO_TCP)) {
            return stream;
        }
        if (type == SocketDefs.SOCK_DGRAM && (protocol == 0 || protocol == SocketDefs.IPPROTO_UDP)) {
            return dgram;
        }
        return null;
    }
}
