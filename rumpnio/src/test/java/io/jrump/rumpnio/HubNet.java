package io.jrump.rumpnio;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.virtif.EtherIfs;
import io.jrump.virtif.Hub;
import io.jrump.wire.Ipv4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Kernels for a test, each on the same in-process {@link Hub} as 198.18.0.N/24 on {@code shmif0}, each with a
 * provider that is a process of its own; {@link #close()} closes the providers' selectors' kernels and
 * fails the test if a kernel does not halt clean (threads, memory or descriptors left behind).
 */
final class HubNet implements AutoCloseable {
    private final Hub hub = new Hub("nio");
    private final List<Kernel> kernels = new ArrayList<>();

    /** Boots kernel number {@code kernels.size() + 1} at 198.18.0.N. */
    Kernel boot(int ncpu) throws Exception {
        int n = kernels.size() + 1;
        Kernel k = Kernel.boot(KernelConfig.builder().hostname("k" + n).ncpu(ncpu).memoryLimit(512L << 20)
                .maxFilesPerProc(32768).hypercall(HostHypercall.builder().environment(Map.of()).build())
                .component("rumpnet_netinet").build());
        kernels.add(k);
        up(k, hub, "198.18.0." + n, 1500);
        return k;
    }

    Kernel boot() throws Exception {
        return boot(1);
    }

    static InetAddress address(int n) throws Exception {
        return InetAddress.getByName("198.18.0." + n);
    }

    /** Attaches {@code shmif0} to the hub and gives it {@code addr}/24, as ifconfig would. */
    static void up(Kernel k, Hub hub, String addr, int mtu) throws ErrnoException {
        EtherIfs.attach(k, "shmif0", hub.attach(), mtu);
        configure(k, "shmif0", addr);
    }

    /** Gives interface {@code ifname} {@code addr}/24 and brings it up (SIOCAIFADDR, SIOCSIFFLAGS). */
    static void configure(Kernel k, String ifname, String addr) throws ErrnoException {
        Interfaces ifs = k.service(Interfaces.class);
        IfReq r = new IfReq(ifname);
        r.addr = Ipv4Address.parse(addr);
        r.netmask = Ipv4Address.netmask(24);
        ifs.ioctl(IfIoctl.SIOCAIFADDR, r, Cred.ROOT);
        IfReq f = new IfReq(ifname);
        ifs.ioctl(IfIoctl.SIOCGIFFLAGS, f, Cred.ROOT);
        f.flags |= Ifnet.IFF_UP;
        ifs.ioctl(IfIoctl.SIOCSIFFLAGS, f, Cred.ROOT);
    }

    @Override
    public void close() {
        List<String> dirty = new ArrayList<>();
        for (Kernel k : kernels) {
            HaltReport r = k.halt();
            if (!r.clean()) {
                dirty.add(r.toString());
            }
        }
        assertTrue(dirty.isEmpty(), String.join("\n", dirty));
    }
}
