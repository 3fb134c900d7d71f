package io.jrump.net;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.sync.KMutex;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufPool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A kernel's interfaces ({@code ifnet_list}, {@code if_attach}, {@code if_clone_create}) and the
 * interface ioctls, plus the link layer and the routing table they feed. One per kernel, registered
 * as a service by {@code rumpnet_net}.
 */
public final class Interfaces {
    private final Kernel kernel;
    private final MbufPool mbufs;
    private final Ether ether = new Ether();
    private final RouteTable routes = new RouteTable();
    private final List<Ifnet> list = new CopyOnWriteArrayList<>();
    private final Map<String, IfCloner> cloners = new ConcurrentHashMap<>();
    private final Map<Long, IfIoctlHandler> familyIoctls = new ConcurrentHashMap<>();
    private final Map<Long, SocketIoctlHandler> socketIoctls = new ConcurrentHashMap<>();
    private final List<Consumer<Ifnet>> detachListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Ifnet>> changeListeners = new CopyOnWriteArrayList<>();
    private final KMutex softnet;
    private volatile EarlyDemux earlyDemux;
    private int nextIndex = 1;

    public Interfaces(Kernel kernel, MbufPool mbufs) {
        this.kernel = kernel;
        this.mbufs = mbufs;
        this.softnet = new KMutex(kernel);
    }

    public Kernel kernel() {
        return kernel;
    }

    /**
     * NetBSD's {@code softnet_lock}: held by every interface's input softint while it hands frames to link
     * and protocol input, so a kernel's network input runs on one thread at a time ({@link Ifnet#input}).
     */
    public KMutex softnetLock() {
        return softnet;
    }

    public MbufPool mbufs() {
        return mbufs;
    }

    public Ether ether() {
        return ether;
    }

    public RouteTable routes() {
        return routes;
    }

    /** {@code if_attach}: a new interface, down, with the next free index. */
    public synchronized Ifnet attach(String name, int type, int mtu, long lladdr, int flags, IfnetDriver driver)
            throws ErrnoException {
        if (find(name) != null) {
            throw new ErrnoException(Errno.EEXIST, "interface " + name + " exists");
        }
        Ifnet ifp = new Ifnet(this, name, nextIndex++, type, mtu, lladdr, flags & ~Ifnet.IFF_UP, driver);
        list.add(ifp);
        return ifp;
    }

    /** {@code if_detach}: takes the interface down and out, with its routes and addresses. */
    public void detach(Ifnet ifp) {
        synchronized (this) {
            if (!list.remove(ifp)) {
                return;
            }
        }
        ifp.setFlags(ifp.flags() & ~Ifnet.IFF_UP);
        for (Consumer<Ifnet> l : detachListeners) {
            l.accept(ifp);
        }
        routes.deleteInterface(ifp);
        ifp.driver().stop(ifp);
        Mbuf m = ifp.markDetached();
        while (m != null) {
            Mbuf next = m.nextPkt();
            m.setNextPkt(null);
            mbufs.freeChain(m);
            m = next;
        }
    }

    /** Families clean up their per-interface state (addresses, ARP entries) when an interface goes. */
    public void onDetach(Consumer<Ifnet> l) {
        detachListeners.add(l);
    }

    /** Called after flags change (an interface going down drops its ARP entries). */
    public void onChange(Consumer<Ifnet> l) {
        changeListeners.add(l);
    }

    void notifyChange(Ifnet ifp) {
        for (Consumer<Ifnet> l : changeListeners) {
            l.accept(ifp);
        }
    }

    public Ifnet find(String name) {
        for (Ifnet i : list) {
            if (i.name().equals(name)) {
                return i;
            }
        }
        return null;
    }

    public Ifnet byIndex(int index) {
        for (Ifnet i : list) {
            if (i.index() == index) {
                return i;
            }
        }
        return null;
    }

    /** Interfaces in index order. */
    public List<Ifnet> list() {
        return List.copyOf(list);
    }

    public void registerCloner(IfCloner c) {
        if (cloners.putIfAbsent(c.prefix(), c) != null) {
            throw new IllegalStateException("cloner " + c.prefix() + " registered twice");
        }
    }

    public void unregisterCloner(String prefix) {
        cloners.remove(prefix);
    }

    /** Cloner prefixes, sorted ({@code ifconfig -C}). */
    public List<String> clonerNames() {
        List<String> l = new ArrayList<>(cloners.keySet());
        l.sort(null);
        return l;
    }

    /** {@code ifconfig NAME create}. */
    public Ifnet create(String name) throws ErrnoException {
        int i = name.length();
        while (i > 0 && Character.isDigit(name.charAt(i - 1))) {
            i--;
        }
        if (i == name.length() || i == 0 || name.length() - i > 6) {
            throw new ErrnoException(Errno.EINVAL, "'" + name + "' is not a cloneable interface name (like shmif0)");
        }
        IfCloner c = cloners.get(name.substring(0, i));
        if (c == null) {
            throw new ErrnoException(Errno.EINVAL, "no interface type '" + name.substring(0, i) + "' in this kernel"
                    + (cloners.isEmpty() ? "" : " (cloners: " + String.join(" ", clonerNames()) + ")"));
        }
        int unit = Integer.parseInt(name.substring(i));
        if (find(name) != null) {
            throw new ErrnoException(Errno.EEXIST, "interface " + name + " exists");
        }
        return c.create(this, unit);
    }

    /** {@code ifconfig NAME destroy}. */
    public void destroy(String name) throws ErrnoException {
        Ifnet ifp = find(name);
        if (ifp == null) {
            throw new ErrnoException(Errno.ENXIO, "no interface " + name);
        }
        String prefix = name.replaceAll("[0-9]+$", "");
        IfCloner c = cloners.get(prefix);
        if (c == null) {
            throw new ErrnoException(Errno.EINVAL, name + " was not created by a cloner and cannot be destroyed");
        }
        detach(ifp);
        c.destroyed(ifp);
    }

    /** Lets a family handle an interface ioctl (SIOCAIFADDR, SIOCDIFADDR). */
    public void registerIoctl(long cmd, IfIoctlHandler h) {
        familyIoctls.put(cmd, h);
    }

    public void unregisterIoctl(long cmd) {
        familyIoctls.remove(cmd);
    }

    /** Lets a family handle a network ioctl that is not about one interface (SIOCSARP, SIOCDARP). */
    public void registerSocketIoctl(long cmd, SocketIoctlHandler h) {
        socketIoctls.put(cmd, h);
    }

    public void unregisterSocketIoctl(long cmd) {
        socketIoctls.remove(cmd);
    }

    /** True for commands this layer or a family handles, so the socket layer knows where to send them. */
    public boolean handles(long cmd) {
        return cmd == IfIoctl.SIOCADDRT || cmd == IfIoctl.SIOCDELRT || socketIoctls.containsKey(cmd)
                || cmd == IfIoctl.SIOCIFCREATE || cmd == IfIoctl.SIOCIFDESTROY || cmd == IfIoctl.SIOCGIFFLAGS
                || cmd == IfIoctl.SIOCSIFFLAGS || cmd == IfIoctl.SIOCGIFMTU || cmd == IfIoctl.SIOCSIFMTU
                || cmd == IfIoctl.SIOCSLINKSTR || cmd == IfIoctl.SIOCGLINKSTR || familyIoctls.containsKey(cmd)
                || cmd == IfIoctl.SIOCSIFBUFLEN || cmd == IfIoctl.SIOCGIFBUFLEN;
    }

    /**
     * Network ioctls on a socket: routes and family commands here, interface commands on to
     * {@link #ioctl(long, IfReq, Cred)}. EFAULT for an argument of the wrong kind.
     */
    public void socketIoctl(long cmd, Object arg, Cred cred) throws ErrnoException {
        if (cmd == IfIoctl.SIOCADDRT || cmd == IfIoctl.SIOCDELRT) {
            if (!(arg instanceof RtReq r)) {
                throw new ErrnoException(Errno.EFAULT, "route ioctl needs an RtReq");
            }
            if (!cred.isRoot()) {
                throw new ErrnoException(Errno.EPERM, "only root may change routes");
            }
            route(cmd, r);
            return;
        }
        SocketIoctlHandler h = socketIoctls.get(cmd);
        if (h != null) {
            h.ioctl(arg, cred);
            return;
        }
        if (!(arg instanceof IfReq req)) {
            throw new ErrnoException(Errno.EFAULT, "interface ioctl needs an IfReq");
        }
        ioctl(cmd, req, cred);
    }

    /** {@code route add}/{@code delete}: a gateway must be on a connected network (ENETUNREACH otherwise). */
    private void route(long cmd, RtReq r) throws ErrnoException {
        if (cmd == IfIoctl.SIOCDELRT) {
            routes.delete(r.dst, r.prefixLen);
            return;
        }
        Ifnet ifp;
        if (r.ifname != null && !r.ifname.isEmpty()) {
            ifp = find(r.ifname);
            if (ifp == null) {
                throw new ErrnoException(Errno.ENXIO, "no interface " + r.ifname);
            }
        } else {
            Route via = r.gateway == 0 ? null : routes.lookup(r.gateway);
            if (via == null || via.isGateway()) {
                throw new ErrnoException(Errno.ENETUNREACH, "gateway " + io.jrump.wire.Ipv4Address.format(r.gateway)
                        + " is not on a connected network");
            }
            ifp = via.ifp();
        }
        int flags = Route.RTF_UP | Route.RTF_STATIC | (r.gateway != 0 ? Route.RTF_GATEWAY : 0)
                | (r.prefixLen == 32 ? Route.RTF_HOST : 0);
        routes.add(new Route(r.dst, r.prefixLen, r.gateway, ifp, flags, 0));
    }

    /**
     * The interface ioctls ({@code ifioctl}): setting anything needs root (EPERM otherwise), an unknown
     * interface is ENXIO.
     */
    public void ioctl(long cmd, IfReq req, Cred cred) throws ErrnoException {
        if (req == null || req.name == null) {
            throw new ErrnoException(Errno.EFAULT, "no ifreq");
        }
        if (!handles(cmd)) {
            throw new ErrnoException(Errno.ENOTTY, "unknown interface ioctl 0x" + Long.toHexString(cmd));
        }
        boolean set = cmd != IfIoctl.SIOCGIFFLAGS && cmd != IfIoctl.SIOCGIFMTU && cmd != IfIoctl.SIOCGLINKSTR
                && cmd != IfIoctl.SIOCGIFBUFLEN;
        if (set && !cred.isRoot()) {
            throw new ErrnoException(Errno.EPERM, "only root may configure interfaces");
        }
        if (cmd == IfIoctl.SIOCIFCREATE) {
            create(req.name);
            return;
        }
        if (cmd == IfIoctl.SIOCIFDESTROY) {
            destroy(req.name);
            return;
        }
        Ifnet ifp = find(req.name);
        if (ifp == null) {
            throw new ErrnoException(Errno.ENXIO, "no interface " + req.name);
        }
        if (cmd == IfIoctl.SIOCGIFFLAGS) {
            req.flags = ifp.flags();
        } else if (cmd == IfIoctl.SIOCSIFFLAGS) {
            ifp.setFlags(req.flags);
        } else if (cmd == IfIoctl.SIOCGIFMTU) {
            req.mtu = ifp.mtu();
        } else if (cmd == IfIoctl.SIOCSIFMTU) {
            ifp.setMtu(req.mtu);
        } else if (cmd == IfIoctl.SIOCGLINKSTR) {
            req.linkstr = ifp.linkstr();
        } else if (cmd == IfIoctl.SIOCSLINKSTR) {
            ifp.driver().ioctl(ifp, cmd, req);
        } else if (cmd == IfIoctl.SIOCGIFBUFLEN) {
            req.buflen = ifp.buflen();
        } else if (cmd == IfIoctl.SIOCSIFBUFLEN) {
            ifp.setBuflen(req.buflen);
        } else {
            IfIoctlHandler h = familyIoctls.get(cmd);
            if (h == null) {
                throw new ErrnoException(Errno.ENOTTY, "unknown interface ioctl 0x" + Long.toHexString(cmd));
            }
            h.ioctl(ifp, cmd, req, cred);
        }
    }

    /**
     * {@code net.interfaces}: one line per interface, for {@code ifconfig} and {@code netstat -i}:
     * name index flags mtu mac linkstate linkstr ipackets ierrors iqdrops opackets oerrors ibytes obytes
     * addresses (a/len/broadcast, comma-separated, or -).
     */
    String table() {
        StringBuilder sb = new StringBuilder();
        for (Ifnet i : list) {
            IfStats st = i.stats();
            sb.append(i.name()).append(' ').append(i.index()).append(' ').append(i.flags()).append(' ')
                    .append(i.mtu()).append(' ').append(io.jrump.wire.MacAddress.format(i.lladdr())).append(' ')
                    .append(i.linkState()).append(' ').append(i.linkstr() == null ? "-" : i.linkstr()).append(' ')
                    .append(st.ipackets()).append(' ').append(st.ierrors()).append(' ').append(st.iqdrops()).append(' ')
                    .append(st.opackets()).append(' ').append(st.oerrors()).append(' ').append(st.ibytes()).append(' ')
                    .append(st.obytes()).append(' ');
            StringBuilder a = new StringBuilder();
            for (IfAddr ifa : i.addresses()) {
                if (a.length() > 0) {
                    a.append(',');
                }
                a.append(io.jrump.wire.Ipv4Address.format(ifa.addr())).append('/').append(ifa.prefixLen())
                        .append('/').append(io.jrump.wire.Ipv4Address.format(ifa.broadcast()));
            }
            sb.append(a.length() == 0 ? "-" : a).append('\n');
        }
        return sb.toString();
    }

    /**
     * {@code net.link.offload}: one line per interface: name mtu buflen csum_tx (hex {@code CsumFlags}) and
     * the {@link IfOffloadStats} counters: large_out adapter_segments stack_segments checksums_filled
     * frag_sums_adjusted.
     */
    String offloadTable() {
        StringBuilder sb = new StringBuilder();
        for (Ifnet i : list) {
            sb.append(i.name()).append(' ').append(i.mtu()).append(' ').append(i.buflen()).append(' ')
                    .append(Integer.toHexString(i.csumFlagsTx())).append(' ').append(i.offloadStats().line()).append('\n');
        }
        return sb.toString();
    }

    /** {@code net.route.table}: one line per route: destination/len gateway flags interface uses. */
    String routeTable() {
        StringBuilder sb = new StringBuilder();
        for (Route r : routes.routes()) {
            sb.append(io.jrump.wire.Ipv4Address.format(r.dst())).append('/').append(r.prefixLen()).append(' ')
                    .append(r.isGateway() ? io.jrump.wire.Ipv4Address.format(r.gateway()) : "link#" + r.ifp().index())
                    .append(' ').append(r.flagString()).append(' ').append(r.ifp().name()).append('\n');
        }
        return sb.toString();
    }

    /**
     * Installs (or with null removes) the early demultiplexer every interface consults in its receive
     * context ({@link Ifnet#input}); one per kernel, the protocol family's.
     */
    public void setEarlyDemux(EarlyDemux d) {
        earlyDemux = d;
    }

    EarlyDemux earlyDemux() {
        return earlyDemux;
    }

    /** Link-level input dispatch; runs in the interface's input softint. */
    void linkInput(Ifnet ifp, Mbuf m) {
        ether.input(ifp, m);
    }

    /** Detaches every interface; at halt. */
    void detachAll() {
        List<Ifnet> l = new ArrayList<>(list);
        java.util.Collections.reverse(l);
        for (Ifnet i : l) {
            detach(i);
        }
    }
}
