package io.jrump.systest;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jrump.hypercall.BufferConsole;
import io.jrump.hypercall.HostHypercall;
import io.jrump.hypercall.HyperClock;
import io.jrump.hypercall.ManualClock;
import io.jrump.hypercall.SeededRandom;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.wire.IcmpPacket;
import io.jrump.wire.IcmpRepr;
import io.jrump.wire.IpProtocol;
import io.jrump.wire.Ipv4Address;
import io.jrump.netinet.Inet;
import io.jrump.netinet.ip.IpOutput;
import io.jrump.virtif.EtherIfs;
import io.jrump.testkit.Probes;
import io.jrump.virtif.EtherLink;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** A network of kernels for a test: boots them, wires interfaces, and checks every one halts clean. */
public final class TestNet implements AutoCloseable {
    private final List<Kernel> kernels = new ArrayList<>();
    private final HyperClock clock;
    private long seed = 1;

    public TestNet() {
        this(null);
    }

    /** With a shared clock (a ManualClock), every kernel's timers move together. */
    public TestNet(HyperClock clock) {
        this.clock = clock;
    }

    public Kernel boot(String hostname, String... components) throws Exception {
        HostHypercall.Builder hb = HostHypercall.builder().environment(Map.of()).console(new BufferConsole())
                .random(new SeededRandom(seed++));
        if (clock != null) {
            hb.clock(clock);
        }
        List<String> comps = new ArrayList<>(List.of(components));
        if (comps.isEmpty()) {
            comps.add("rumpnet_netinet");
        }
        Kernel k = Kernel.boot(KernelConfig.builder().hostname(hostname).ncpu(1).hypercall(hb.build())
                .component(comps.toArray(new String[0])).build());
        kernels.add(k);
        return k;
    }

    /** Attaches {@code link} as {@code ifname}, gives it {@code cidr} and brings it up. */
    public static Ifnet attach(Kernel k, String ifname, EtherLink link, String cidr) throws ErrnoException {
        Ifnet ifp = EtherIfs.attach(k, ifname, link, 1500);
        configure(k, ifname, cidr);
        return ifp;
    }

    public static void configure(Kernel k, String ifname, String cidr) throws ErrnoException {
        Interfaces ifs = k.service(Interfaces.class);
        String[] p = cidr.split("/");
        IfReq r = new IfReq(ifname);
        r.addr = Ipv4Address.parse(p[0]);
        r.netmask = Ipv4Address.netmask(Integer.parseInt(p[1]));
        ifs.ioctl(IfIoctl.SIOCAIFADDR, r, Cred.ROOT);
        IfReq f = new IfReq(ifname);
        ifs.ioctl(IfIoctl.SIOCGIFFLAGS, f, Cred.ROOT);
        f.flags |= Ifnet.IFF_UP;
        ifs.ioctl(IfIoctl.SIOCSIFFLAGS, f, Cred.ROOT);
    }

    public static Inet inet(Kernel k) {
        return k.service(Inet.class);
    }

    /** Sends one ICMP echo request of {@code size} data bytes from {@code k} to {@code dst}. */
    static void sendEcho(Kernel k, String dst, int size, int seq) throws ErrnoException {
        MbufPool pool = k.service(MbufPool.class);
        IcmpRepr.Echo e = IcmpRepr.Echo.request(0x4a52, seq, size);
        byte[] b = new byte[e.bufferLen()];
        for (int i = 0; i < size; i++) {
            b[IcmpPacket.HEADER_LEN + i] = (byte) (i * 7 + seq);
        }
        e.emit(new IcmpPacket().wrap(b, 0, b.length));
        Mbuf m = io.jrump.rumpnet.mbuf.MbufCopy.fromBytes(pool, b, 0, b.length);
        inet(k).ipOutput().output(m, 0, Ipv4Address.parse(dst), IpProtocol.ICMP, 64, 0, 0);
    }

    static long echoRepliesReceived(Kernel k) {
        return inet(k).icmp().stats().get("echo replies received");
    }

    /** Waits until {@code cond} holds; fails the test, naming {@code what}, after a generous bound. */
    public static void await(String what, BooleanSupplier cond) {
        Probes.await(what, cond);
    }

    /**
     * Runs this net's shared manual clock while {@code driver} runs a scenario: each time every kernel is
     * idle and the driver waits (on a kernel sleep or a probe), time moves by {@code stepNanos}, so that
     * the frames links hold for a virtual delay arrive and the scenario goes on, as in a discrete-event
     * simulation. Fails if the driver has not ended once {@code maxNanos} of virtual time have passed.
     */
    public void runClockWhile(Thread driver, long stepNanos, long maxNanos) {
        ManualClock manual = (ManualClock) clock;
        long start = manual.monotonicNanos();
        while (driver.isAlive()) {
            await("the kernels to be idle while " + driver.getName() + " waits",
                    () -> !driver.isAlive() || (Probes.parked(driver) && Probes.idle(kernels)));
            if (manual.monotonicNanos() - start > maxNanos) {
                fail(driver.getName() + " still runs after " + maxNanos / 1_000_000 + " ms of virtual time");
            }
            if (driver.isAlive()) {
                manual.advance(stepNanos);
            }
        }
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
