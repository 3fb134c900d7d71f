package io.jrump.net;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The IPv4 routing table ({@code rtalloc}): longest-prefix match, a default route, host routes.
 * Entries are kept sorted by prefix length, longest first, in an array replaced on every change, so
 * a lookup is a lock-free scan that allocates nothing; a rump kernel's table is small.
 */
public final class RouteTable {
    private volatile Route[] routes = new Route[0];
    private final java.util.concurrent.atomic.AtomicLong misses = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong lookups = new java.util.concurrent.atomic.AtomicLong();

    /** The most specific route to {@code addr}, or null ({@code EHOSTUNREACH} for the caller). */
    public Route lookup(int addr) {
        lookups.incrementAndGet();
        for (Route r : routes) {
            if (r.matches(addr) && r.ifp().isUp()) {
                return r;
            }
        }
        misses.incrementAndGet();
        return null;
    }

    /** {@code route add}: EEXIST if the same prefix is already routed; EINVAL for a bad prefix. */
    public synchronized void add(Route r) throws ErrnoException {
        if (r.prefixLen() < 0 || r.prefixLen() > 32) {
            throw new ErrnoException(Errno.EINVAL, "prefix length " + r.prefixLen());
        }
        if (Ipv4Address.network(r.dst(), r.prefixLen()) != r.dst()) {
            throw new ErrnoException(Errno.EINVAL, "destination " + Ipv4Address.format(r.dst())
                    + " has bits outside /" + r.prefixLen());
        }
        for (Route o : routes) {
            if (o.dst() == r.dst() && o.prefixLen() == r.prefixLen()) {
                throw new ErrnoException(Errno.EEXIST, "route to " + Ipv4Address.format(r.dst()) + "/"
                        + r.prefixLen() + " exists");
            }
        }
        Route[] n = Arrays.copyOf(routes, routes.length + 1);
        n[routes.length] = r;
        Arrays.sort(n, (a, b) -> Integer.compare(b.prefixLen(), a.prefixLen()));
        routes = n;
    }

    /** {@code route delete}: ESRCH if there is no such route, as NetBSD's route(8) reports. */
    public synchronized Route delete(int dst, int prefixLen) throws ErrnoException {
        List<Route> l = new ArrayList<>(Arrays.asList(routes));
        for (Route r : l) {
            if (r.dst() == dst && r.prefixLen() == prefixLen) {
                l.remove(r);
                routes = l.toArray(new Route[0]);
                return r;
            }
        }
        throw new ErrnoException(Errno.ESRCH, "no route to " + Ipv4Address.format(dst) + "/" + prefixLen);
    }

    /** Removes every route through {@code ifp} (the interface is going away). */
    public synchronized void deleteInterface(Ifnet ifp) {
        List<Route> l = new ArrayList<>();
        for (Route r : routes) {
            if (r.ifp() != ifp) {
                l.add(r);
            }
        }
        routes = l.toArray(new Route[0]);
    }

    /** Removes the routes made for one interface address. */
    public synchronized void deleteForAddress(Ifnet ifp, int ifaAddr) {
        List<Route> l = new ArrayList<>();
        for (Route r : routes) {
            if (!(r.ifp() == ifp && r.ifaAddr() == ifaAddr && (r.flags() & (Route.RTF_CONNECTED | Route.RTF_LOCAL)) != 0)) {
                l.add(r);
            }
        }
        routes = l.toArray(new Route[0]);
    }

    /** All routes, most specific first. */
    public List<Route> routes() {
        return List.of(routes);
    }

    public long lookups() {
        return lookups.get();
    }

    public long misses() {
        return misses.get();
    }
}
