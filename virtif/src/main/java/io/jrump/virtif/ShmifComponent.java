package io.jrump.virtif;

import io.jrump.kern.BootException;
import io.jrump.kern.Component;
import io.jrump.kern.ComponentLevel;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.net.IfCloner;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import java.util.Set;

/**
 * {@code rumpnet_shmif}: the {@code shmif} interface cloner. {@code ifconfig shmif0 create} makes an
 * Ethernet interface; {@code ifconfig shmif0 linkstr PATH} puts it on the bus in file PATH, shared by
 * every kernel, in this JVM or another process, that names the same file. Given a set of in-process segments,
 * {@code linkstr switch:NAME} and {@code linkstr hub:NAME} put it on one of those ({@link EtherSegments}).
 */
public final class ShmifComponent implements Component {
    /** MTU of a shmif interface, as NetBSD's if_shmem.c. */
    static final int SHMIF_MTU = 1500;

    private final EtherSegments segments;

    /** The component the class path links: bus files only. */
    public ShmifComponent() {
        this(null);
    }

    /** A component whose interfaces can also join the segments of {@code segments} (null: none). */
    public ShmifComponent(EtherSegments segments) {
        this.segments = segments;
    }

    @Override
    public String name() {
        return "rumpnet_shmif";
    }

    @Override
    public ComponentLevel level() {
        return ComponentLevel.NET_IF;
    }

    @Override
    public Set<String> requires() {
        return Set.of("rumpnet_net");
    }

    @Override
    public String description() {
        return "shmif: Ethernet on a shared memory-mapped bus file";
    }

    @Override
    public void attach(Kernel k) throws BootException {
        Interfaces ifs = k.service(Interfaces.class);
        ifs.registerCloner(new IfCloner() {
            @Override
            public String prefix() {
                return "shmif";
            }

            @Override
            public Ifnet create(Interfaces i, int unit) throws ErrnoException {
                EtherLinkDriver d = new EtherLinkDriver(null, linkstr -> {
                    EtherLink l = EtherSegments.attach(segments, linkstr);
                    return l != null ? l : ShmifBus.open(k.hypercall(), linkstr);
                }, SHMIF_MTU + 14);
                return i.attach("shmif" + unit, Ifnet.IFT_ETHER, SHMIF_MTU, EtherIfs.randomMac(k),
                        Ifnet.IFF_BROADCAST | Ifnet.IFF_SIMPLEX | Ifnet.IFF_MULTICAST, d);
            }
        });
    }

    @Override
    public boolean unloadable() {
        return true;
    }

    @Override
    public void detach(Kernel k) {
        Interfaces ifs = k.service(Interfaces.class);
        if (ifs != null) {
            for (Ifnet ifp : ifs.list()) {
                if (ifp.name().startsWith("shmif")) {
                    ifs.detach(ifp);
                }
            }
            ifs.unregisterCloner("shmif");
        }
    }
}
