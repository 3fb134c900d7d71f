package io.jrump.virtif;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.HostHypercall;
import io.jrump.hypercall.Hypercall;
import io.jrump.hypercall.ManualClock;
import io.jrump.wire.EtherType;
import io.jrump.wire.Pcap;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShmifDumpbusTest {
    private static final Path TSHARK = Path.of("/usr/bin/tshark");
    private static final long WALL_START = 1_767_225_600_000_000_000L;

    @TempDir
    Path dir;

    /** What one run of the command printed and returned. */
    private record Run(int status, String out, String err, byte[] outBytes) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = ShmifDumpbus.run(args, o, e);
        }
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), out.toByteArray());
    }

    /** A bus with frames 0..n-1 from MAC_A, written under a manual clock 1 ms apart. */
    private String busWith(int n, int ringSize, List<byte[]> sent) {
        ManualClock clock = new ManualClock(1_000_000_000L, WALL_START);
        Hypercall hc = HostHypercall.builder().clock(clock).build();
        String path = dir.resolve("bus").toString();
        try (ShmifBus bus = ShmifBus.open(hc, path, ShmifOptions.DEFAULT.withRingSize(ringSize))) {
            for (int i = 0; i < n; i++) {
                int len = 60 + i % 200;
                byte[] f = TestFrames.frame(TestFrames.BROADCAST, TestFrames.MAC_A, 0x88b5, i, len);
                bus.send(f, 0, len);
                sent.add(f);
                clock.advance(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        return path;
    }

    /** The records of a pcap file: a header check, then each frame's bytes and time stamp. */
    private static List<byte[]> parsePcap(byte[] file, List<Long> micros) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(Pcap.MAGIC_USEC, b.getInt(0));
        assertArrayEquals(new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1}, java.util.Arrays.copyOf(file, 4));
        assertEquals(2, b.getShort(4));
        assertEquals(4, b.getShort(6));
        assertEquals(Pcap.SNAPLEN, b.getInt(16));
        assertEquals(Pcap.LINKTYPE_ETHERNET, b.getInt(20));
        List<byte[]> frames = new ArrayList<>();
        int at = Pcap.GLOBAL_HEADER_LEN;
        while (at < file.length) {
            long sec = Integer.toUnsignedLong(b.getInt(at));
            long usec = b.getInt(at + 4);
            int caplen = b.getInt(at + 8);
            int origlen = b.getInt(at + 12);
            assertEquals(caplen, origlen);
            micros.add(sec * 1_000_000 + usec);
            frames.add(java.util.Arrays.copyOfRange(file, at + Pcap.RECORD_HEADER_LEN, at + Pcap.RECORD_HEADER_LEN + caplen));
            at += Pcap.RECORD_HEADER_LEN + caplen;
        }
        assertEquals(file.length, at, "no trailing bytes");
        return frames;
    }

    @Test
    void writesEveryFrameOfTheRingToPcapOldestFirst() throws Exception {
        List<byte[]> sent = new ArrayList<>();
        String bus = busWith(40, 1 << 20, sent);
        Path pcap = dir.resolve("out.pcap");
        Run r = run("-p", pcap.toString(), bus);
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        List<Long> micros = new ArrayList<>();
        List<byte[]> frames = parsePcap(Files.readAllBytes(pcap), micros);
        assertEquals(40, frames.size());
        for (int i = 0; i < 40; i++) {
            assertArrayEquals(sent.get(i), frames.get(i));
            assertEquals(WALL_START / 1000 + i * 1000L, micros.get(i));
        }
    }

    @Test
    void aWrappedRingDumpsOnlyTheFramesStillWholeInIt() throws Exception {
        List<byte[]> sent = new ArrayList<>();
        String bus = busWith(300, 8192, sent);
        Run r = run("-p-", bus);
        assertEquals(0, r.status(), r.err());
        List<byte[]> frames = parsePcap(r.outBytes(), new ArrayList<>());
        assertTrue(frames.size() > 20 && frames.size() < 300, "frames " + frames.size());
        int firstTag = TestFrames.tag(frames.get(0), 0);
        for (int i = 0; i < frames.size(); i++) {
            assertArrayEquals(sent.get(firstTag + i), frames.get(i));
        }
        assertEquals(299, TestFrames.tag(frames.get(frames.size() - 1), 0));
    }

    @Test
    void withoutPcapPrintsOneLinePerFrame() {
        String bus = busWith(3, 1 << 20, new ArrayList<>());
        Run r = run(bus);
        assertEquals(0, r.status(), r.err());
        assertEquals(List.of(
                "1767225600.000000 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, ethertype Unknown (0x88b5), length 60",
                "1767225600.001000 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, ethertype Unknown (0x88b5), length 61",
                "1767225600.002000 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, ethertype Unknown (0x88b5), length 62"),
                r.out().lines().toList());
    }

    @Test
    void describesOddFramesToo() {
        byte[] f = TestFrames.frame(TestFrames.MAC_B, TestFrames.MAC_A, 0x88b5, 0, 60);
        assertTrue(ShmifDumpbus.describe(0, f, 60).endsWith("ethertype Unknown (0x88b5), length 60"));
        byte[] dot3 = TestFrames.frame(TestFrames.MAC_B, TestFrames.MAC_A, 46, 0, 60);
        assertTrue(ShmifDumpbus.describe(0, dot3, 60).endsWith("802.3, length 60"));
        assertEquals("0.000000 runt frame, length 10", ShmifDumpbus.describe(0, f, 10));
    }

    @Test
    void dashHPrintsTheHeaderAndExits() {
        String bus = busWith(5, 8192, new ArrayList<>());
        Run r = run("-h", bus);
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("bus version 1, ring size 8192, generation "), lines.get(0));
        assertTrue(lines.get(0).endsWith("frames sent 5"), lines.get(0));
        assertEquals("lock: free", lines.get(1));
        assertEquals("lock breaks: 0", lines.get(2));
    }

    @Test
    void badFlagsAndMissingOrInvalidBusesExitOneWithOneClearLineAndUsage() throws Exception {
        String bus = busWith(1, 8192, new ArrayList<>());
        assertFails(run("-x", bus), "shmif_dumpbus: unknown option -x");
        assertFails(run(bus, "-p"), "shmif_dumpbus: option -p needs a file name");
        assertFails(run(), "shmif_dumpbus: no bus file given");
        assertFails(run(bus, bus), "shmif_dumpbus: unexpected argument " + bus + " (one bus at a time)");
        String missing = dir.resolve("nope").toString();
        assertFails(run(missing), "shmif_dumpbus: ENOENT: " + missing + ": no such file");
        Path junk = Files.writeString(dir.resolve("junk"), "x".repeat(500));
        assertFails(run("-h", junk.toString()), "shmif_dumpbus: EINVAL: " + junk + ": not a shmif bus (magic 0x78787878)");
    }

    private static void assertFails(Run r, String line) {
        assertEquals(1, r.status());
        assertEquals(List.of(line, ShmifDumpbus.USAGE), r.errLines());
        assertEquals("", r.out());
    }

    @Test
    void tsharkReadsThePcapWithoutComplaint() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(TSHARK), "tshark is not installed at " + TSHARK
                + ": the pcap is checked by parsing it back only");
        String bus = busWith(30, 1 << 20, new ArrayList<>());
        Path pcap = dir.resolve("t.pcap");
        assertEquals(0, run("-p", pcap.toString(), bus).status());
        Process p = new ProcessBuilder(TSHARK.toString(), "-r", pcap.toString()).redirectErrorStream(true).start();
        try {
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), output);
            assertFalse(output.contains("Malformed"), output);
            assertEquals(30, output.lines().filter(l -> !l.startsWith("Running as")).count(), output);
        } finally {
            p.destroyForcibly();
        }
    }
}
