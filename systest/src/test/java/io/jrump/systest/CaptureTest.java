package io.jrump.systest;

import static io.jrump.systest.TestNet.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.kern.Kernel;
import io.jrump.net.Ifnet;
import io.jrump.net.PcapTap;
import io.jrump.virtif.Hub;
import io.jrump.virtif.ShmifBus;
import io.jrump.virtif.ShmifDumpbus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Captures written by an interface tap and by shmif_dumpbus read in tshark with no malformed
 * packets and no bad checksums, with checksum validation turned on (it is off by default).
 */
class CaptureTest {
    private static final Path TSHARK = Path.of("/usr/bin/tshark");

    /** tshark's verbose decode of {@code pcap}, or null (with the reason printed) if tshark is missing. */
    static String tshark(Path pcap) throws Exception {
        return tshark(pcap, null);
    }

    /** As {@link #tshark(Path)}, decoding only the packets that match display filter {@code filter} (null: all). */
    static String tshark(Path pcap, String filter) throws Exception {
        if (!Files.isExecutable(TSHARK)) {
            System.out.println("SKIPPED tshark check: /usr/bin/tshark is not installed (.ci/run installs it)");
            return null;
        }
        List<String> cmd = new ArrayList<>(List.of(TSHARK.toString(), "-n", "-r", pcap.toString(), "-V",
                "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE"));
        if (filter != null) {
            cmd.addAll(List.of("-Y", filter));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String s = new String(out);
        assertEquals(0, p.exitValue(), s);
        return s;
    }

    static void assertClean(String decode) {
        if (decode == null) {
            return;
        }
        assertFalse(decode.contains("Malformed"), decode);
        assertFalse(decode.contains("[Checksum Status: Bad]"), decode);
        assertFalse(decode.contains("Bad checksum"), decode);
        assertTrue(decode.contains("Internet Control Message Protocol"), decode);
        assertTrue(decode.contains("Address Resolution Protocol"), decode);
    }

    @Test
    void interfaceTapWritesAPcapThatTsharkReadsClean(@TempDir Path dir) throws Exception {
        Path pcap = dir.resolve("shmif0.pcap");
        try (TestNet net = new TestNet()) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            Ifnet ia = io.jrump.virtif.EtherIfs.attach(a, "shmif0", hub.attach(), 1500);
            PcapTap tap = new PcapTap(a.hypercall(), pcap.toString());
            ia.addTap(tap);
            configure(a, "shmif0", "198.18.0.1/24");
            attach(b, "shmif0", hub.attach(), "198.18.0.2/24");
            sendEcho(a, "198.18.0.2", 56, 1);
            sendEcho(a, "198.18.0.2", 3000, 2);
            await("two replies", () -> echoRepliesReceived(a) == 2);
            ia.removeTap(tap);
            tap.close();
            assertTrue(tap.frames() >= 6, "gratuitous ARP, request, reply, echo and fragments: " + tap.frames());
        }
        byte[] head = Files.readAllBytes(pcap);
        assertEquals((byte) 0xd4, head[0], "little-endian pcap magic");
        assertClean(tshark(pcap));
    }

    @Test
    void shmifBusDumpReadsCleanInTshark(@TempDir Path dir) throws Exception {
        Path bus = dir.resolve("bus");
        Path pcap = dir.resolve("bus.pcap");
        try (TestNet net = new TestNet()) {
            Kernel a = net.boot("a", "rumpnet_netinet", "rumpnet_shmif");
            Kernel b = net.boot("b", "rumpnet_netinet", "rumpnet_shmif");
            for (Kernel k : List.of(a, b)) {
                var ifs = k.service(io.jrump.net.Interfaces.class);
                ifs.create("shmif0");
                io.jrump.net.IfReq r = new io.jrump.net.IfReq("shmif0");
                r.linkstr = bus.toString();
                ifs.ioctl(io.jrump.net.IfIoctl.SIOCSLINKSTR, r, io.jrump.kern.Cred.ROOT);
            }
            configure(a, "shmif0", "198.18.1.1/24");
            configure(b, "shmif0", "198.18.1.2/24");
            sendEcho(a, "198.18.1.2", 56, 1);
            await("echo reply over the bus file", () -> echoRepliesReceived(a) == 1);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = ShmifDumpbus.run(new String[] {"-p", pcap.toString(), bus.toString()},
                new PrintStream(out), new PrintStream(err));
        assertEquals(0, rc, err.toString());
        assertClean(tshark(pcap));
    }
}
