package io.jrump.systest;

import static io.jrump.systest.TestNet.attach;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.net.PcapTap;
import io.jrump.virtif.Hub;
import io.jrump.virtif.LinkEmulator;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DART's segmentation (seed 002) between kernels: TCP and the socket layer build packets of the interface's
 * {@code if_buflen} and the adapter (here a link emulator on the hub, with losses and reordering from a fixed
 * seed) cuts them into wire frames and fills in checksums; transfers are byte-exact with it on
 * ({@code buflen 65536}) and off ({@code buflen 1500}), with partial checksums carried and, on a corrupting
 * link, finished. UDP datagrams IP fragments leave at the boundaries the socket layer precomputed, read back by
 * tshark with the same fragment offsets, lengths and a good checksum as fragmenting after the fact.
 */
class DartSegmentationTest {
    private static long tcpStat(Kernel k, String description) throws ErrnoException {
        for (var e : k.syscalls().sysctlList("net.inet.tcp.stats")) {
            if (e.description().equals(description)) {
                return Long.parseLong(e.value().trim());
            }
        }
        throw new AssertionError("no TCP counter '" + description + "'");
    }

    private static void buflen(Kernel k, int n) throws ErrnoException {
        IfReq r = new IfReq("shmif0");
        r.buflen = n;
        k.service(Interfaces.class).ioctl(IfIoctl.SIOCSIFBUFLEN, r, Cred.ROOT);
    }

    /** A 6 MB transfer from a to b, each behind a link emulator on one hub; a's if_buflen as given. */
    private static Ifnet lossyTransfer(int aBuflen, String impair) throws Exception {
        try (TestNet net = new TestNet()) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            Ifnet ia = attach(a, "shmif0", new LinkEmulator(a.hypercall(), hub.attach(), impair + ",seed=19"),
                    "198.18.0.1/24");
            attach(b, "shmif0", new LinkEmulator(b.hypercall(), hub.attach(), impair + ",seed=23"), "198.18.0.2/24");
            assertEquals(Ifnet.MAX_BUFLEN, ia.buflen(), "the emulator's adapter takes 64 KB packets");
            buflen(a, aBuflen);
            TcpSegmentationOffloadTest.transfer(a, b, "198.18.0.2");
            long built = tcpStat(a, "data packets built at if_buflen for the adapter to segment");
            if (aBuflen > 1500) {
                assertTrue(built > 0, "packets built at if_buflen: " + built);
                assertTrue(ia.offloadStats().adapterSegments.get() > built,
                        "the emulator cut them: " + ia.offloadStats().adapterSegments.get());
            } else {
                assertEquals(0, built, "at buflen 1500 TCP builds segments of one MSS");
                assertEquals(0, ia.offloadStats().adapterSegments.get());
            }
            return ia;
        }
    }

    @Test
    void byteExactOverALossyLinkWithBuflenSegmentation() throws Exception {
        Ifnet ia = lossyTransfer(Ifnet.MAX_BUFLEN, "loss=2%,reorder=5%,dup=1%");
        assertEquals(0, ia.offloadStats().checksumsFilled.get(), "partial checksums carried: the hub carries them");
    }

    @Test
    void byteExactOverALossyLinkWithSegmentationAtTheMtu() throws Exception {
        lossyTransfer(1500, "loss=2%,reorder=5%,dup=1%");
    }

    @Test
    void aCorruptingLinkGetsFinishedChecksumsAndStaysByteExact() throws Exception {
        Ifnet ia = lossyTransfer(Ifnet.MAX_BUFLEN, "loss=1%,corrupt=1%");
        assertTrue(ia.offloadStats().checksumsFilled.get() > 0, "the emulator filled checksums before damaging frames");
    }

    /**
     * tshark's fields for the UDP fragments a sends with {@code net.inet.udp.fragprecompute} as given: one line
     * per frame, {@code frag_offset mf ip.len}, and the reassembled datagram's UDP checksum status.
     */
    private static List<String> udpFragments(Path dir, boolean precompute) throws Exception {
        Path pcap = dir.resolve("udp-" + precompute + ".pcap");
        byte[] data = new byte[4000];
        new SplittableRandom(5).nextBytes(data);
        try (TestNet net = new TestNet()) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            Ifnet ia = attach(a, "shmif0", hub.attach(), "198.18.0.1/24");
            Ifnet ib = attach(b, "shmif0", hub.attach(), "198.18.0.2/24");
            Syscalls sa = a.syscalls();
            Syscalls sb = b.syscalls();
            sa.sysctlWrite("net.inet.udp.fragprecompute", precompute ? "1" : "0");
            int r = sb.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            sb.bind(r, SockAddr.in("198.18.0.2", 7000));
            sb.setsockopt(r, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 20_000);
            int s = sa.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            sa.setsockopt(s, SocketDefs.SOL_SOCKET, SocketDefs.SO_SNDBUF, 16384);
            // ARP first, so that the capture holds the datagram's fragments in one burst
            sa.sendto(s, ByteBuffer.wrap(new byte[1]), 0, SockAddr.in("198.18.0.2", 7000));
            ByteBuffer in = ByteBuffer.allocate(8192);
            sb.read(r, in);
            PcapTap tap = new PcapTap(a.hypercall(), pcap.toString());
            ia.addTap(tap);
            sa.sendto(s, ByteBuffer.wrap(data), 0, SockAddr.in("198.18.0.2", 7000));
            in.clear();
            assertEquals(data.length, sb.read(r, in), "b reassembled the datagram");
            assertEquals(ByteBuffer.wrap(data), in.flip(), "byte-exact");
            assertEquals(3, ib.offloadStats().fragSumsAdjusted.get(), "b's adapter summed each fragment's payload");
            ia.removeTap(tap);
            tap.close();
            long planned = 0;
            for (var e : sa.sysctlList("net.inet.ip.stats")) {
                if (e.description().equals("fragments sent at boundaries the socket layer precomputed")) {
                    planned = Long.parseLong(e.value().trim());
                }
            }
            assertEquals(precompute ? 3 : 0, planned, "fragments at precomputed boundaries");
        } catch (ErrnoException e) {
            throw new AssertionError(e);
        }
        return fields(pcap);
    }

    private static List<String> fields(Path pcap) throws Exception {
        if (!java.nio.file.Files.isExecutable(Path.of("/usr/bin/tshark"))) {
            System.out.println("SKIPPED tshark check: /usr/bin/tshark is not installed (.ci/run installs it)");
            return null;
        }
        Process p = new ProcessBuilder("/usr/bin/tshark", "-n", "-r", pcap.toString(), "-o", "udp.check_checksum:TRUE",
                "-o", "ip.check_checksum:TRUE", "-Y", "ip.proto == 17", "-T", "fields", "-e", "ip.frag_offset",
                "-e", "ip.flags.mf", "-e", "ip.len", "-e", "ip.checksum.status", "-e", "udp.checksum.status",
                "-e", "udp.length").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        List<String> lines = new ArrayList<>();
        for (String l : out.split("\n")) {
            if (!l.isEmpty() && Character.isDigit(l.charAt(0))) {
                lines.add(l); // not tshark's notes ("Running as user root")
            }
        }
        return lines;
    }

    private static long udpStat(Kernel k, String description) throws ErrnoException {
        for (var e : k.syscalls().sysctlList("net.inet.udp.stats")) {
            if (e.description().equals(description)) {
                return Long.parseLong(e.value().trim());
            }
        }
        throw new AssertionError("no UDP counter '" + description + "'");
    }

    /**
     * The adapter's adjusted sums still catch damage: with one bit flipped in every frame b receives (seed 7:
     * all three land in fragment payloads, after the IP headers), the reassembled datagram fails UDP's checksum,
     * computed from the three adjusted sums, and nothing reaches the socket.
     */
    @Test
    void aDamagedFragmentFailsTheAdjustedChecksum() throws Exception {
        try (TestNet net = new TestNet()) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            Ifnet ia = attach(a, "shmif0", hub.attach(), "198.18.0.1/24");
            Ifnet ib = attach(b, "shmif0", new LinkEmulator(b.hypercall(), hub.attach(), "in.corrupt=100%,seed=7"),
                    "198.18.0.2/24");
            // a static ARP entry: b's answer to a request would be damaged too
            TestNet.inet(a).arp().setStatic(ia, io.jrump.wire.Ipv4Address.parse("198.18.0.2"), ib.lladdr());
            Syscalls sa = a.syscalls();
            Syscalls sb = b.syscalls();
            int r = sb.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            sb.bind(r, SockAddr.in("198.18.0.2", 7000));
            sb.setsockopt(r, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 1000);
            int s = sa.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            sa.setsockopt(s, SocketDefs.SOL_SOCKET, SocketDefs.SO_SNDBUF, 16384);
            sa.sendto(s, ByteBuffer.wrap(new byte[4000]), 0, SockAddr.in("198.18.0.2", 7000));
            assertThrows(ErrnoException.class, () -> sb.read(r, ByteBuffer.allocate(8192)), "nothing delivered");
            assertEquals(1, udpStat(b, "with bad checksum"), "the damage caught by the adjusted sums");
            assertEquals(3, ib.offloadStats().fragSumsAdjusted.get());
        }
    }

    @Test
    void udpFragmentBoundariesAndChecksumsAsTsharkReadsThem(@TempDir Path dir) throws Exception {
        List<String> planned = udpFragments(dir, true);
        List<String> after = udpFragments(dir, false);
        if (planned == null) {
            return;
        }
        // 4008 bytes of IP payload at MTU 1500: 1480, 1480 and 1048 bytes at offsets 0, 1480 and 2960 (tshark
        // shows 8-byte units), MF on all but the last, every header checksum good (status 1); the UDP checksum,
        // good, and the UDP length show on the frame that completes the datagram
        assertEquals(3, planned.size(), String.join("\n", planned));
        assertTrue(planned.get(0).matches("0\t1\t1500\t1\t*"), planned.get(0));
        assertTrue(planned.get(1).matches("185\t1\t1500\t1\t*"), planned.get(1));
        assertEquals("370\t0\t1068\t1\t1\t4008", planned.get(2));
        assertEquals(after, planned, "the same fragments as fragmenting after the fact");
    }
}
