package io.jrump.netinet;

import io.jrump.kern.BootException;
import io.jrump.kern.Component;
import io.jrump.kern.ComponentLevel;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.netinet.tdi.Tdi;
import io.jrump.rumpnet.socket.Domains;
import java.util.Set;

/**
 * {@code rumpnet_netinet}: IPv4, ARP, ICMP, TCP, UDP and raw sockets (NetBSD's
 * {@code sys/rump/net/lib/libnetinet}). It provides the inet domain, so it cannot be linked together
 * with {@code rumpnet_sockin}, which provides the same domain on host sockets. At NET_IFCFG it gives
 * lo0 127.0.0.1/8, as NetBSD's rump kernel does. It registers the kernel services {@link Inet} and
 * {@link Tdi}, the transport driver interface kernel clients serve TCP through.
 */
public final class NetinetComponent implements Component {
    /** The capability that netinet and sockin both provide. */
    public static final String INET_DOMAIN = Domains.INET_CAPABILITY;

    @Override
    public String name() {
        return "rumpnet_netinet";
    }

    @Override
    public ComponentLevel level() {
        return ComponentLevel.NET;
    }

    @Override
    public Set<String> requires() {
        return Set.of("rumpnet_net");
    }

    @Override
    public Set<String> provides() {
        return Set.of(INET_DOMAIN);
    }

    @Override
    public String description() {
        return "IPv4, ARP, ICMP, TCP, UDP, raw IP";
    }

    @Override
    public void attach(Kernel k) throws BootException {
        if (k.service(Interfaces.class) == null) {
            throw new BootException("rumpnet_netinet: rumpnet_net did not attach");
        }
        Domains domains = k.service(Domains.class);
        if (domains == null) {
            throw new BootException("rumpnet_netinet: the rumpnet component did not provide the socket layer");
        }
        Inet inet = new Inet(k);
        inet.start();
        k.registerService(Inet.class, inet);
        Tdi tdi = new Tdi(inet);
        k.registerService(Tdi.class, tdi);
        domains.register(inet.domain());
        k.atLevel(ComponentLevel.NET_IFCFG, name(), () -> {
            Ifnet lo = inet.loopback();
            if (lo != null) {
                try {
                    inet.addrs().add(lo, 0x7f000001, 8, 0);
                } catch (ErrnoException e) {
                    k.log("netinet: cannot configure lo0: " + e.getMessage());
                }
            }
        });
        k.onHalt(() -> {
            tdi.stop();
            domains.unregister(io.jrump.kern.syscall.SocketDefs.AF_INET);
            inet.stop();
        });
    }
}
