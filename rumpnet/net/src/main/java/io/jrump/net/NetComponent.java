package io.jrump.net;

import io.jrump.hypercall.Errno;
import io.jrump.kern.BootException;
import io.jrump.kern.Component;
import io.jrump.kern.ComponentLevel;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.rumpnet.socket.IfIoctlHook;
import java.util.Set;

/**
 * {@code rumpnet_net}: interfaces, the Ethernet layer, routing and {@code lo0} (NetBSD's
 * {@code sys/rump/net/lib/libnet}). Addresses are a family's business: netinet puts 127.0.0.1 on lo0
 * at NET_IFCFG.
 */
public final class NetComponent implements Component {
    @Override
    public String name() {
        return "rumpnet_net";
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
    public String description() {
        return "interfaces, ethernet, routing, loopback, packet capture";
    }

    @Override
    public void attach(Kernel k) throws BootException {
        MbufPool mbufs = k.service(MbufPool.class);
        if (mbufs == null) {
            throw new BootException("rumpnet_net: the rumpnet component did not provide mbufs");
        }
        Interfaces ifs = new Interfaces(k, mbufs);
        k.registerService(Interfaces.class, ifs);
        try {
            Ifnet lo = ifs.attach("lo0", Ifnet.IFT_LOOP, Loopback.LOMTU, 0,
                    Ifnet.IFF_LOOPBACK | Ifnet.IFF_MULTICAST, new Loopback());
            // NetBSD does not checksum TCP on the loopback (tcp_do_loopback_cksum 0): the data never leaves memory.
            lo.setCsumFlagsTx(io.jrump.rumpnet.mbuf.CsumFlags.M_CSUM_TCPv4);
            lo.setLinkState(Ifnet.LINK_STATE_UP);
            lo.setFlags(Ifnet.IFF_UP);
        } catch (ErrnoException e) {
            throw new BootException("rumpnet_net: cannot attach lo0: " + Errno.name(e.errno()));
        }
        k.registerService(IfIoctlHook.class, new IfIoctlHook() {
            @Override
            public boolean handles(long cmd) {
                return ifs.handles(cmd);
            }

            @Override
            public void ioctl(long cmd, Object arg, Cred cred) throws ErrnoException {
                ifs.socketIoctl(cmd, arg, cred);
            }
        });
        k.sysctl().createTable("net.interfaces", "Interfaces: name index flags mtu mac linkstate linkstr "
                + "ipackets ierrors iqdrops opackets oerrors ibytes obytes addresses", ifs::table);
        k.sysctl().createTable("net.link.offload", "Segmentation at if_buflen (DART): name mtu buflen csum_tx "
                + "large_out adapter_segments stack_segments checksums_filled frag_sums_adjusted", ifs::offloadTable);
        IfBufferIoctls.register(ifs);
        k.sysctl().createTable("net.ifbuffers", "Interface buffering (DART): name sockbuf baudrate "
                + "adaptermem used peak allocs fallbacks relocations relocated_bytes",
                () -> IfBufferIoctls.table(ifs));
        k.sysctl().createTable("net.route.table", "Routes: destination/len gateway flags interface", ifs::routeTable);
        k.onHalt(ifs::detachAll);
    }
}
