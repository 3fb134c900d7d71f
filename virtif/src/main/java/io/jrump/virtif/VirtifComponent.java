package io.jrump.virtif;

import io.jrump.hypercall.HyperError;
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
 * {@code rumpnet_virtif}: the {@code virt} interface cloner, NetBSD's libvirtif. {@code ifconfig virtN
 * create} opens Linux tap {@code tapN} (creating it if needed) and attaches an Ethernet interface with
 * the tap's MTU and a random locally administered MAC; {@code ifconfig virtN linkstr NAME} moves it to
 * another tap, and can put a {@link LinkEmulator} between ({@link VirtifLinkstr}). Linux programs on the
 * host (or in the network namespace the tap is moved to) are then the kernel's peers.
 *
 * <p>If the tap cannot be opened (no {@code /dev/net/tun}, no permission, the tap busy), {@code create}
 * fails with the reason and no interface is made; the kernel runs on.
 */
public final class VirtifComponent implements Component {
    /**
     * MAC prefix {@code b2:0a}, NetBSD if_virt.c's, locally administered and unicast; the other four
     * bytes are random.
     */
    static final long VIRTIF_OUI = 0xb20a_0000_0000L;

    @Override
    public String name() {
        return "rumpnet_virtif";
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
        return "virtif: Ethernet interfaces on Linux tap devices";
    }

    /** The host tap a new {@code virtN} opens unless a linkstr names another. */
    static String defaultTap(int unit) {
        return "tap" + unit;
    }

    @Override
    public void attach(Kernel k) throws BootException {
        Interfaces ifs = k.service(Interfaces.class);
        ifs.registerCloner(new IfCloner() {
            @Override
            public String prefix() {
                return "virt";
            }

            @Override
            public Ifnet create(Interfaces i, int unit) throws ErrnoException {
                String name = "virt" + unit;
                TapLink tap;
                try {
                    tap = TapLink.open(k.hypercall(), defaultTap(unit));
                } catch (HyperError e) {
                    throw new ErrnoException(e.errno(), name + ": cannot open tap: " + e.getMessage());
                }
                VirtifDriver d = new VirtifDriver(k.hypercall(), tap);
                long mac = VIRTIF_OUI | (k.hypercall().random().nextLong() & 0xffff_ffffL);
                Ifnet ifp;
                try {
                    ifp = i.attach(name, Ifnet.IFT_ETHER, tap.mtu(), mac,
                            Ifnet.IFF_BROADCAST | Ifnet.IFF_SIMPLEX | Ifnet.IFF_MULTICAST, d);
                } catch (ErrnoException | RuntimeException e) {
                    tap.close();
                    throw e;
                }
                d.connect(ifp);
                return ifp;
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
                if (ifp.driver() instanceof VirtifDriver) {
                    ifs.detach(ifp);
                }
            }
            ifs.unregisterCloner("virt");
        }
    }
}
