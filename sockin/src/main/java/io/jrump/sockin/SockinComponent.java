package io.jrump.sockin;

import io.jrump.kern.BootException;
import io.jrump.kern.Component;
import io.jrump.kern.ComponentLevel;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.rumpnet.socket.Domains;
import java.util.Set;

/**
 * {@code rumpnet_sockin}: the inet domain on the host's sockets (NetBSD's
 * {@code sys/rump/net/lib/libsockin}), for programs that want the rump kernel's system calls,
 * processes and file system but the host's network. It provides {@link Domains#INET_CAPABILITY}, as
 * {@code rumpnet_netinet} does, so a kernel asked for both refuses to boot with a message naming the
 * two (ARCHITECTURE.md section 6). It needs only the socket layer: no interfaces, no routes.
 */
public final class SockinComponent implements Component {
    @Override
    public String name() {
        return "rumpnet_sockin";
    }

    @Override
    public ComponentLevel level() {
        return ComponentLevel.NET;
    }

    @Override
    public Set<String> requires() {
        return Set.of("rumpnet");
    }

    @Override
    public Set<String> provides() {
        return Set.of(Domains.INET_CAPABILITY);
    }

    @Override
    public String description() {
        return "PF_INET (TCP, UDP) on host sockets";
    }

    @Override
    public void attach(Kernel k) throws BootException {
        Domains domains = k.service(Domains.class);
        MbufPool pool = k.service(MbufPool.class);
        if (domains == null || pool == null) {
            throw new BootException("rumpnet_sockin: the rumpnet component did not provide the socket layer");
        }
        Sockin sockin;
        try {
            sockin = new Sockin(k, pool);
        } catch (ErrnoException e) {
            throw new BootException("rumpnet_sockin: " + e.getMessage());
        }
        domains.register(sockin.domain);
        k.registerService(Sockin.class, sockin);
        sockin.start();
    }

    /** Stops the receiver and closes the host sockets; the socket layer frees what is left after. */
    @Override
    public void detach(Kernel k) {
        Sockin sockin = k.service(Sockin.class);
        if (sockin == null) {
            return;
        }
        Domains domains = k.service(Domains.class);
        if (domains != null && domains.find(SocketDefs.AF_INET) == sockin.domain) {
            domains.unregister(SocketDefs.AF_INET);
        }
        sockin.stop();
        k.unregisterService(Sockin.class);
    }
}
