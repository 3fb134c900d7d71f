package io.jrump.bench;

import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.Cred;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.virtif.EtherIfs;
import io.jrump.virtif.EtherSegment;
import io.jrump.virtif.Hub;
import io.jrump.virtif.LearningSwitch;
import io.jrump.wire.Ipv4Address;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code bench/run lrp}: Lazy Receiver Processing against eager, interrupt-driven receive processing, the
 * experiments of seed 003 (issue 18) between kernels on the in-process hub, the receiver with one virtual
 * CPU. Each experiment runs both modes in the same run and prints their ratio; CSVs and PNG plots go to
 * {@code bench/target/lrp/}.
 * <ol>
 * <li>Overload: a blaster kernel offers UDP datagrams at 0 to 4 times the receiver's saturation rate to an
 * application that spends a fixed CPU time on each; delivered against offered rate.</li>
 * <li>Traffic separation: round-trip times of a UDP ping-pong between two kernels while another process's
 * socket on the receiver is flooded, against the same without the flood.</li>
 * <li>SYN flood: connections per second a second service completes while a listener with a small backlog,
 * which nobody serves, is flooded with SYNs.</li>
 * </ol>
 */
public final class LrpBench {
    static final String TX = "198.18.0.1";
    static final String RX = "198.18.0.2";
    static final String CLIENT = "198.18.0.3";
    static final Path OUT = Path.of("bench", "target", "lrp");
    /**
     * Datagram payload of the floods: full-sized for the segment's MTU ({@link #MTU}), so that the receiver's
     * protocol work per datagram (the UDP checksum over the payload among it) is large beside the blaster's
     * cost per frame, which does not grow with the payload (it lends it, {@link LrpPktgen}), as a receiver's
     * was beside a network's in the paper's setting; {@code -Dlrp.payload} changes it.
     */
    static final int PAYLOAD = Integer.getInteger("lrp.payload", 8972);
    /**
     * The segment's MTU: 9000, a jumbo frame, near the 9180 of IP over ATM (RFC 1626) that seed 003's
     * experiments ran on, and enough for {@link #PAYLOAD}.
     */
    static final int MTU = Math.max(1500, PAYLOAD + 28);

    private LrpBench() {
    }

    public static void main(String[] args) throws Exception {
        Files.createDirectories(OUT);
        if (args.length > 0 && args[0].equals("probe")) {
            LrpProbe.run(args);
            return;
        }
        double point = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        if (args.length > 1 && args[1].equals("syn")) {
            LrpSynFlood.run(2 * point, LrpOverload.blasterMax(point)).print();
            return;
        }
        if (args.length > 1 && args[1].equals("overload")) {
            LrpOverload.run(point).print();
            return;
        }
        LrpOverload.Result ov = LrpOverload.run(point);
        // The floods: enough to overload the receiver's one virtual CPU, little enough that the blaster leaves
        // the host's cores to the kernels' threads (a 2-core host otherwise measures its own contention).
        LrpSeparation.Result sep = LrpSeparation.run(Math.max(2.0, 2 * point), ov.workNanos(), 1.5 * ov.saturation());
        LrpSynFlood.Result syn = LrpSynFlood.run(Math.max(2.0, 2 * point), ov.blasterMax());
        System.out.println("command: bench/run lrp");
        ov.print();
        sep.print();
        syn.print();
        System.out.printf("RESULT lrp lazy_at_4x=%.2f eager_at_4x=%.2f rtt_p99_ratio_lazy=%.2f rtt_p99_ratio_eager=%.2f"
                        + " syn_flood_conn_ratio=%.2f proto_us=%.1f work_us=%.1f saturation_pps=%.0f%n", ov.lazyAt4x(),
                ov.eagerAt4x(), sep.p99RatioLazy(), sep.p99RatioEager(), syn.connRatio(), ov.protoNanos() / 1e3,
                ov.workNanos() / 1e3, ov.saturation());
    }

    static Kernel boot(String name) throws Exception {
        return Kernel.boot(KernelConfig.builder().hostname(name).ncpu(1)
                .hypercall(HostHypercall.builder().environment(Map.of()).build())
                .component("rumpnet_netinet").build());
    }

    /**
     * Kernels on one segment: blaster and receiver, and with {@code client} a third; the receiver in the given
     * mode. Three kernels share a learning switch, so that the flood reaches the receiver only.
     */
    static Kernel[] net(boolean lazy, boolean client) throws Exception {
        Kernel tx = boot("blaster");
        Kernel rx = boot("receiver");
        Kernel cl = client ? boot("client") : null;
        EtherSegment seg = client ? new LearningSwitch("lrp", tx.hypercall().clock()) : new Hub("lrp");
        up(tx, seg, TX);
        up(rx, seg, RX);
        if (cl != null) {
            up(cl, seg, CLIENT);
        }
        rx.sysctl().write("net.inet.lrp.enable", lazy ? "1" : "0", Cred.ROOT);
        // the switch learns the receiver's port from its ARP answer before the flood starts
        Syscalls s = tx.syscalls();
        int fd = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
        s.sendto(fd, java.nio.ByteBuffer.allocate(1), 0, SockAddr.in(RX, 4));
        s.close(fd);
        Thread.sleep(50);
        return client ? new Kernel[] {tx, rx, cl} : new Kernel[] {tx, rx};
    }

    /** {@code shmif0} on {@code seg} at {@link #MTU}, with address {@code addr}/24, up. */
    static void up(Kernel k, EtherSegment seg, String addr) throws Exception {
        EtherIfs.attach(k, "shmif0", seg.attach(), MTU);
        Interfaces ifs = k.service(Interfaces.class);
        IfReq r = new IfReq("shmif0");
        r.addr = Ipv4Address.parse(addr);
        r.netmask = Ipv4Address.netmask(24);
        ifs.ioctl(IfIoctl.SIOCAIFADDR, r, Cred.ROOT);
        r.flags = Ifnet.IFF_UP;
        ifs.ioctl(IfIoctl.SIOCSIFFLAGS, r, Cred.ROOT);
    }

    static void halt(Kernel[] ks) {
        for (Kernel k : ks) {
            k.halt();
        }
    }

    static long mac(Kernel k) {
        return k.service(Interfaces.class).find("shmif0").lladdr();
    }

    static int ip(String a) {
        return Ipv4Address.parse(a);
    }

    static void csv(String name, String header, List<String> rows) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(header);
        lines.addAll(rows);
        Files.write(OUT.resolve(name), lines);
    }
}
