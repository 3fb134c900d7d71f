package io.jrump.rumpnet.socket;

/**
 * A communication domain ({@code struct domain} in NetBSD's {@code sys/domain.h}): one address family
 * and its protocols. {@code rumpnet_netinet} registers AF_INET with UDP, raw IP and TCP; sockin
 * registers its own AF_INET on host sockets instead, which is why the two cannot be linked together.
 */
public interface Domain {
    /** The address family ({@code AF_INET}, ...), what {@code socket(2)}'s first argument selects. */
    int family();

    /** A short name for listings ({@code "internet"}). */
    String name();

    /**
     * The protocol for a socket of {@code type} and {@code protocol} ({@code pffindproto}); protocol 0
     * asks for the type's default ({@code pffindtype}). Null when the domain has none. The socket layer
     * turns null into EPROTOTYPE for protocol 0 and EPROTONOSUPPORT otherwise, as {@code socreate} does,
     * and a returned protocol of another type into EPROTOTYPE.
     */
    Protosw lookup(int type, int protocol);
}
