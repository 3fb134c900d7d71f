package io.jrump.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.net.Interfaces;
import io.jrump.testkit.Probes;
import io.jrump.wire.MacAddress;
import io.jrump.testkit.NetNs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
    /** The marker ping's data, a size no other frame of the test has: Ethernet, IP and ICMP headers around it. */
    static final int MARKER_DATA = 1111;
    static final int MARKER_FRAME = 14 + 20 + 8 + MARKER_DATA;

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
            int c = TapTcpInteropTest.connect(p, 5001);
            ByteBuffer b = ByteBuffer.wrap(TapTcpInteropTest.data(BYTES, 6));
            while (b.hasRemaining()) {
                sys.write(c, b);
            }
            sys.close(c);
            assertTrue(sink.waitFor(60, TimeUnit.SECONDS));
            assertEquals(BYTES, Files.size(got));
            // A marker after the transfers: once dumpcap has written the rump kernel's reply to it, it has
            // written every frame before.
            TapTcpInteropTest.ok(p.ns.exec("ping", "-c", "1", "-W", "5", "-s", String.valueOf(MARKER_DATA),
                    TapTcpInteropTest.RUMP));
            Probes.awaitChecked("the marker's echo reply in the capture", () -> echoReplyCaptured(pcap, MARKER_FRAME));
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

    /**
     * Whether the pcap file (as far as written) holds an ICMP echo reply in a frame of {@code frameLen}
     * bytes. The format is libpcap's: a 24-byte file header whose magic gives the byte order of the
     * headers, then per frame a 16-byte header (seconds, fraction, captured length, length on the wire)
     * and the frame as it was on the wire.
     */
    static boolean echoReplyCaptured(Path pcap, int frameLen) throws java.io.IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(pcap));
        if (b.remaining() < 24) {
            return false;
        }
        int magic = b.getInt(0);
        b.order(magic == 0xa1b2c3d4 || magic == 0xa1b23c4d ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        for (int at = 24; at + 16 <= b.limit(); ) {
            int caplen = b.getInt(at + 8);
            int wirelen = b.getInt(at + 12);
            int frame = at + 16;
            if (frame + caplen > b.limit()) {
                break;
            }
            if (wirelen == frameLen && caplen > 34 && b.get(frame + 12) == 8 && b.get(frame + 13) == 0 && b.get(frame + 23) == 1
                    && b.get(frame + 34) == 0) {
                return true;
            }
            at = frame + caplen;
        }
        return false;
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
