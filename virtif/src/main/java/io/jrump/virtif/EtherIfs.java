package io.jrump.virtif;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;

/**
 * Attaching Ethernet interfaces backed by an {@link EtherLink} to a kernel: the way tests and
 * benchmarks put several kernels on one {@link Hub}, with or without a {@link LinkEmulator} between.
 */
public final class EtherIfs {
    /** NetBSD shmif's MAC prefix {@code b2:a0}, locally administered. */
    static final long SHMIF_OUI = 0xb2a0_0000_0000L;

    private EtherIfs() {
    }

    /** A random locally administered MAC from the kernel's random source, like if_shmem.c makes. */
    static long randomMac(Kernel k) {
        return SHMIF_OUI | (k.hypercall().random().nextLong() & 0xffff_ffffL);
    }

    /**
     * Attaches {@code link} as interface {@code name} (down; configure it with an address and
     * {@code up}). ENXIO if the kernel has no {@code rumpnet_net}.
     */
    public static Ifnet attach(Kernel k, String name, EtherLink link, int mtu) throws ErrnoException {
        Interfaces ifs = k.service(Interfaces.class);
        if (ifs == null) {
            throw new ErrnoException(Errno.ENXIO, "kernel " + k.hostname() + " has no rumpnet_net");
        }
        EtherLinkDriver d = new EtherLinkDriver(link, null, mtu + 14);
        Ifnet ifp = ifs.attach(name, Ifnet.IFT_ETHER, mtu, randomMac(k),
                Ifnet.IFF_BROADCAST | Ifnet.IFF_SIMPLEX | Ifnet.IFF_MULTICAST, d);
        d.connect(ifp);
        return ifp;
    }
}
