package io.jrump.rumpnet.socket;

import io.jrump.kern.BootException;
import io.jrump.kern.Component;
import io.jrump.kern.ComponentLevel;
import io.jrump.kern.Kernel;
import io.jrump.kern.sysctl.KinfoSocket;
import io.jrump.kern.sysctl.SysctlNode;
import io.jrump.rumpnet.mbuf.MbufPool;

/**
 * {@code rumpnet}: the network core every networking component builds on (NetBSD's
 * {@code librumpnet}): the kernel's {@link MbufPool}, the {@link Domains} registry, the socket layer
 * with its {@link Sockets} registry and the socket system calls. It provides no address family: a
 * kernel with only this component answers {@code socket(AF_INET, ...)} with EAFNOSUPPORT until
 * {@code rumpnet_netinet} or {@code rumpnet_sockin} registers one.
 */
public final class RumpnetComponent implements Component {
    static final int SBMAX_DEFAULT = 256 * 1024;
    /** NetBSD refuses a {@code kern.sbmax} below 16 KB. */
    static final int SBMAX_MIN = 16 * 1024;

    @Override
    public String name() {
        return "rumpnet";
    }

    @Override
    public ComponentLevel level() {
        return ComponentLevel.NET;
    }

    @Override
    public String description() {
        return "mbufs, sockets, domains";
    }

    @Override
    public void attach(Kernel k) throws BootException {
        MbufPool pool = new MbufPool(k);
        Domains domains = new Domains();
        SysctlNode sbmax = k.sysctl().createInt("kern.sbmax", "Maximum socket buffer size", SBMAX_DEFAULT,
                SysctlNode.READWRITE, v -> v >= SBMAX_MIN && v <= Integer.MAX_VALUE / 2);
        SysctlNode somaxconn = k.sysctl().createInt("kern.somaxconn", "Maximum listen queue length",
                io.jrump.kern.syscall.SocketDefs.SOMAXCONN, SysctlNode.READWRITE, v -> v >= 0 && v <= 65535);
        Sockets sockets = new Sockets(k, pool, domains, sbmax, somaxconn);
        k.registerService(MbufPool.class, pool);
        k.registerService(Domains.class, domains);
        k.registerService(Sockets.class, sockets);
        // netstat -m: NetBSD's mbuf report, then what the rest of the kernel's memory limit holds
        // (sockets, pcbs, processes, files), so that the report accounts for all of rump_server -r
        k.sysctl().createTable("kern.mbuf.stats", "mbuf and cluster use, as netstat -m prints it",
                () -> String.join("\n", pool.stats().netstatLines()) + "\n\n"
                        + String.join("\n", k.kmem().report()) + "\n");
        k.sysctl().createStruct("kern.sockets", "Sockets, as kinfo records: owner, descriptor, addresses, state, queues",
                KinfoSocket.SIZE, out -> SocketTable.records(k, sockets, out));
        new SocketSyscalls(sockets).register(k.syscallTable());
    }

    /**
     * Removes the syscalls and frees the buffers of any socket still alive (one a protocol kept past its
     * descriptor), so that the kernel's mbuf pools are empty at halt.
     */
    @Override
    public void detach(Kernel k) {
        k.syscallTable().unregisterAll(SocketSyscalls.OWNER);
        Sockets sockets = k.service(Sockets.class);
        if (sockets != null) {
            for (Socket so : sockets.list()) {
                so.forceFree();
            }
        }
        k.unregisterService(Sockets.class);
        k.unregisterService(Domains.class);
        k.unregisterService(MbufPool.class);
        k.sysctl().destroy("kern.sbmax");
        k.sysctl().destroy("kern.somaxconn");
    }
}
