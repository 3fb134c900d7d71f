package io.jrump.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.net.Interfaces;
import io.jrump.wire.MacAddress;
import io.jrump.testkit.NetNs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * tshark on the Linux side of the tap during TCP transfers both ways (issue 7): nothing the rump kernel sends is
 * malformed or carries a bad checksum.
 *
 * <p>With offload ({@code tso4}, the default) the capture sees frames as they cross the tap, before Linux has
 * done what the virtio header asks: the rump kernel's TCP checksums are partial (the pseudo-header sum, which
 * Linux finishes only if a frame leaves the host) and its segments may be larger than the MTU, as are Linux's.
 * tshark is therefore told not to check TCP checksums in that run ({@code tcp.check_checksum:FALSE}); IP
 * checksums and well-formedness are still checked. The run without offload ({@code -tso4}) checks TCP checksums
 * too, and that no frame is larger than the MTU.
 *
 * <p>Skipped without root, /dev/net/tun, ip, socat, dumpcap or tshark.
 */
class TapCaptureTest {
    static final int BYTES = 4 << 20;
    static final int WIRE_MAX = 1500 + 14;

    /** Moves {@link #BYTES} from Linux to the rump discard service and from the rump client to Linux, captured. */
    static List<int[]> capturedTransfers(String linkstr, Path dir, boolean checkTcp) throws Exception {
        Path pcap = dir.resolve("tap.pcap");
        String mac;
        try (TapTcpInteropTest.Peer p = new TapTcpInteropTest.Peer(linkstr)) {
            String tap = p.kernel.service(Interfaces.class).find("virt0").linkstr().split(",")[0];
            mac = MacAddress.format(p.kernel.service(Interfaces.class).find("virt0").lladdr());
            Process cap = p.ns.spawn("dumpcap", "-q", "-P", "-i", tap, "-w", pcap.toString());
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!(Files.exists(pcap) && Files.size(pcap) > 24)) {
                assertTrue(System.nanoTime() < end && cap.isAlive(), "dumpcap captures on " + tap);
                p.ns.exec("ping", "-c", "1", "-W", "1", TapTcpInteropTest.RUMP);
            }
            Path in = dir.resolve("in.bin");
            Files.write(in, TapTcpInteropTest.data(BYTES, 5));
            try (StreamServices s = StreamServices.start(p.kernel.syscalls(), 9, 7)) {
                TapTcpInteropTest.ok(p.ns.exec("socat", "-u", "-b", "65536", "OPEN:" + in,
                        "TCP4:" + TapTcpInteropTest.RUMP + ":9"));
            }
            Path got = dir.resolve("got.bin");
            Process sink = p.ns.spawn("socat", "-u", "TCP4-LISTEN:5001,reuseaddr", "OPEN:" + got + ",creat,trunc");
            var sys = p.kernel.syscalls();
            int c = TapTcpInteropTest.connect(sys, 5001);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(TapTcpInteropTest.data(BYTES, 6));
            while (b.hasRemaining()) {
                sys.write(c, b);
            }
            sys.close(c);
            assertTrue(sink.waitFor(60, TimeUnit.SECONDS));
            assertEquals(BYTES, Files.size(got));
            long size = -1;
            for (int quiet = 0; quiet < 4 && System.nanoTime() < end + TimeUnit.SECONDS.toNanos(30); ) {
                Thread.sleep(400);
                long now = Files.size(pcap);
                quiet = now == size ? quiet + 1 : 0;
                size = now;
            }
            cap.destroy();
            assertTrue(cap.waitFor(30, TimeUnit.SECONDS));
        }
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString(),
                "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:" + (checkTcp ? "TRUE" : "FALSE"),
                "-T", "fields", "-E", "separator=;", "-E", "occurrence=f", "-e", "frame.len", "-e", "eth.src", "-e", "_ws.malformed",
                "-e", "ip.checksum.status", "-e", "tcp.checksum.status", "-e", "tcp.len"));
        Process t = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(t.getInputStream().readAllBytes());
        assertTrue(t.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, t.exitValue(), out);
        List<int[]> rows = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.split(";", -1);
            if (f.length < 6) {
                continue;
            }
            boolean fromRump = f[1].equalsIgnoreCase(mac);
            String bad = fromRump && !f[2].isEmpty() ? "malformed"
                    : fromRump && f[3].equals("0") ? "bad IP checksum"
                    : fromRump && f[4].equals("0") ? "bad TCP checksum" : null;
            assertEquals(null, bad, "frame from the rump kernel: " + line);
            rows.add(new int[] {Integer.parseInt(f[0]), fromRump ? 1 : 0, f[5].isEmpty() ? 0 : Integer.parseInt(f[5])});
        }
        return rows;
    }

    static int largest(List<int[]> rows, int fromRump) {
        return rows.stream().filter(r -> r[1] == fromRump).mapToInt(r -> r[0]).max().orElse(0);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void withOffloadNothingTheRumpKernelSendsIsMalformedAndBothSendSegmentsLargerThanTheMtu(@TempDir Path dir)
            throws Exception {
        NetNs.assumeInstalled("socat", "dumpcap", "tshark");
        List<int[]> rows = capturedTransfers("", dir, false);
        assertTrue(rows.stream().anyMatch(r -> r[1] == 1 && r[2] > 0), "the capture has the rump kernel's data");
        assertTrue(largest(rows, 0) > WIRE_MAX, "Linux handed over segments larger than the MTU: " + largest(rows, 0));
        assertTrue(largest(rows, 1) > WIRE_MAX, "and so did the rump kernel (TSO): " + largest(rows, 1));
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void withoutOffloadEveryChecksumFromTheRumpKernelIsGoodAndNoFrameIsLargerThanTheMtu(@TempDir Path dir)
            throws Exception {
        NetNs.assumeInstalled("socat", "dumpcap", "tshark");
        List<int[]> rows = capturedTransfers("-tso4", dir, true);
        assertTrue(rows.stream().anyMatch(r -> r[1] == 1 && r[2] > 0), "the capture has the rump kernel's data");
        assertTrue(largest(rows, 0) <= WIRE_MAX, "Linux: " + largest(rows, 0));
        assertTrue(largest(rows, 1) <= WIRE_MAX, "rump: " + largest(rows, 1));
    }
}
