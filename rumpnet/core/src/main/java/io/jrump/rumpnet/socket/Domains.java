package io.jrump.rumpnet.socket;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The domains linked into one kernel ({@code domains} list of NetBSD's {@code uipc_domain.c}), a
 * service registered by the {@code rumpnet} component. A protocol family component registers its domain
 * when it attaches; until one does, {@code socket(2)} for that family is EAFNOSUPPORT, which is what a
 * kernel without {@code rumpnet_netinet} answers to {@code socket(AF_INET, ...)}.
 */
public final class Domains {
    /**
     * The component capability ({@link io.jrump.kern.Component#provides()}) of whoever registers
     * AF_INET: {@code rumpnet_netinet} and {@code rumpnet_sockin} both provide it, so that asking for
     * both is a boot error naming the two (NetBSD's {@code sys/rump/README.dirs}: libsockin "is mutually
     * exclusive with net, netinet and virtif"). It lives here, below both, so that neither depends on
     * the other.
     */
    public static final String INET_CAPABILITY = "the inet domain (PF_INET)";

    private final ConcurrentHashMap<Integer, Domain> byFamily = new ConcurrentHashMap<>();

    /** Adds a domain; a second domain for the same family is refused, as EEXIST would be. */
    public void register(Domain d) {
        Domain old = byFamily.putIfAbsent(d.family(), d);
        if (old != null) {
            throw new IllegalStateException("EEXIST: address family " + d.family() + " is already provided by "
                    + old.name());
        }
    }

    /** Removes the family's domain; sockets already made keep their protocol. */
    public void unregister(int family) {
        byFamily.remove(family);
    }

    /** The family's domain ({@code pffinddomain}), or null. */
    public Domain find(int family) {
        return byFamily.get(family);
    }

    /** The registered domains, by family. */
    public List<Domain> list() {
        List<Domain> l = new ArrayList<>(byFamily.values());
        l.sort((a, b) -> Integer.compare(a.family(), b.family()));
        return l;
    }
}
