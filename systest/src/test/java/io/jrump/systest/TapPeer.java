package io.jrump.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.BufferConsole;
import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.Cred;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.wire.MacAddress;
import io.jrump.testkit.NetNs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A rump kernel with a {@code virt0} interface whose tap sits in a network namespace made for the
 * test: Linux there is the kernel's peer at {@link #LINUX}, the kernel is {@link #RUMP}. Closing halts
 * the kernel (its halt must be clean) and deletes the namespace. Skips the test without root,
 * {@code /dev/net/tun} or {@code ip}.
 */
final class TapPeer implements AutoCloseable {
    static final String LINUX = "198.18.7.1";
    static final String RUMP = "198.18.7.2";

    final NetNs ns;
    final Kernel kernel;
    final String tap;
    final Ifnet ifp;
    private final List<Process> captures = new ArrayList<>();

    /** {@code linkstrOptions}: link emulator settings appended to the tap's linkstr, or empty. */
    TapPeer(String linkstrOptions, String... extraComponents) throws Exception {
        NetNs n = NetNs.create("tap");
        Kernel k = null;
        try {
            List<String> comps = new ArrayList<>(List.of("rumpnet_netinet", "rumpnet_virtif"));
            comps.addAll(List.of(extraComponents));
            k = Kernel.boot(KernelConfig.builder().hostname("rump").ncpu(2)
                    .hypercall(HostHypercall.builder().environment(Map.of()).console(new BufferConsole()).build())
                    .component(comps.toArray(new String[0])).build());
            Interfaces ifs = k.service(Interfaces.class);
            String t = NetNs.tapName("jrt");
            ifs.create("virt0");
            IfReq r = new IfReq("virt0");
            r.linkstr = t + (linkstrOptions.isEmpty() ? "" : "," + linkstrOptions);
            ifs.ioctl(IfIoctl.SIOCSLINKSTR, r, Cred.ROOT);
            n.adoptTap(t, LINUX + "/24");
            TestNet.configure(k, "virt0", RUMP + "/24");
            this.ifp = ifs.find("virt0");
            this.tap = t;
        } catch (Exception | Error e) {
            if (k != null) {
                k.halt();
            }
            n.close();
            throw e;
        }
        this.ns = n;
        this.kernel = k;
    }

    /** The rump interface's MAC as tshark prints it. */
    String rumpMac() {
        return MacAddress.format(ifp.lladdr());
    }

    /**
     * Starts dumpcap (tshark's capture engine) on the tap inside the namespace, writing {@code pcap};
     * returns once packets reach the file, and with Linux's ARP cache for the tap flushed, so that the
     * next exchange shows ARP both ways.
     */
    Process capture(Path pcap) throws Exception {
        Process p = ns.spawn("dumpcap", "-q", "-P", "-i", tap, "-w", pcap.toString());
        captures.add(p);
        Thread drain = new Thread(() -> {
            try {
                p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            } catch (java.io.IOException e) {
                // dumpcap ended
            }
        }, "dumpcap-drain");
        drain.setDaemon(true);
        drain.start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(java.nio.file.Files.exists(pcap) && java.nio.file.Files.size(pcap) > 24)) {
            if (System.nanoTime() > end || !p.isAlive()) {
                throw new IllegalStateException("dumpcap captured nothing on " + tap);
            }
            ns.exec("ping", "-c", "1", "-W", "1", RUMP);
        }
        ns.check("ip", "neigh", "flush", "dev", tap);
        return p;
    }

    /**
     * Stops a capture started by {@link #capture} once everything sent so far is in its file: the capture
     * engine reads the kernel's packet ring in blocks, and stopping it at once would lose the last packets.
     * The rump kernel sends one last echo request of a size nothing else has ({@link #MARKER_DATA} bytes);
     * frames reach the file in the order they were captured, so once that one is there, all before it are.
     */
    void stop(Process p, Path pcap) throws Exception {
        TestNet.sendEcho(kernel, LINUX, MARKER_DATA, 0x7e57);
        long mac = ifp.lladdr();
        TestNet.await("the marker frame in " + pcap, () -> holdsFrom(pcap, mac, MARKER_FRAME_LEN));
        p.destroy();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "dumpcap stops on SIGTERM");
    }

    /** Data bytes of the echo request that marks the end of a capture. */
    static final int MARKER_DATA = 1111;
    private static final int MARKER_FRAME_LEN = 14 + 20 + 8 + MARKER_DATA;

    /** Whether the pcap file holds a frame of {@code length} bytes from {@code srcMac}; a partial last record is not read. */
    private static boolean holdsFrom(Path pcap, long srcMac, int length) {
        byte[] f;
        try {
            f = java.nio.file.Files.readAllBytes(pcap);
        } catch (java.io.IOException e) {
            return false;
        }
        if (f.length < 24) {
            return false;
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(f);
        int magic = b.getInt(0);
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
            b.order(java.nio.ByteOrder.LITTLE_ENDIAN);
        }
        byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++) {
            mac[i] = (byte) (srcMac >>> (40 - 8 * i));
        }
        for (int off = 24; off + 16 <= f.length; ) {
            int incl = b.getInt(off + 8);
            int orig = b.getInt(off + 12);
            int data = off + 16;
            if (incl < 0 || data + incl > f.length) {
                return false;
            }
            if (orig == length && incl >= 12
                    && java.util.Arrays.equals(f, data + 6, data + 12, mac, 0, 6)) {
                return true;
            }
            off = data + incl;
        }
        return false;
    }

    @Override
    public void close() {
        try {
            for (Process p : captures) {
                p.destroyForcibly();
            }
            HaltReport r = kernel.halt();
            assertTrue(r.clean(), r.toString());
        } finally {
            ns.close();
        }
    }

    /** Asserts a {@link NetNs.Result} succeeded, showing its output otherwise. */
    static String ok(NetNs.Result r) {
        assertEquals(0, r.rc(), r.out());
        return r.out();
    }
}
