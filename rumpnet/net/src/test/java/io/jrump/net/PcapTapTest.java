package io.jrump.net;

import static io.jrump.net.NetTestSupport.BROADCAST;
import static io.jrump.net.NetTestSupport.MAC_A;
import static io.jrump.net.NetTestSupport.MAC_B;
import static io.jrump.net.NetTestSupport.TYPE_TEST;
import static io.jrump.net.NetTestSupport.frame;
import static io.jrump.net.NetTestSupport.ifs;
import static io.jrump.net.NetTestSupport.mbuf;
import static io.jrump.net.NetTestSupport.payload;
import static io.jrump.net.NetTestSupport.upEther;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrump.kern.Kernel;
import io.jrump.net.NetTestSupport.RecordingDriver;
import io.jrump.net.NetTestSupport.RecordingHandler;
import io.jrump.testkit.RumpKernel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@RumpKernel(components = "rumpnet_net")
class PcapTapTest {
    /** The frames of a pcap file, checking each record's captured length against its original length. */
    private static List<byte[]> records(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        b.position(24);
        List<byte[]> out = new ArrayList<>();
        while (b.hasRemaining()) {
            b.getInt(); // seconds
            int usec = b.getInt();
            int caplen = b.getInt();
            int len = b.getInt();
            assertEquals(len, caplen, "whole frame captured");
            assertEquals(true, usec >= 0 && usec < 1_000_000, "microseconds in range: " + usec);
            byte[] f = new byte[caplen];
            b.get(f);
            out.add(f);
        }
        return out;
    }

    @Test
    void writesAGlobalHeaderThenOneRecordPerFrame(Kernel k, @TempDir Path dir) throws Exception {
        Path path = dir.resolve("eth0.pcap");
        RecordingDriver d = new RecordingDriver();
        Ifnet eth0 = upEther(k, "eth0", MAC_A, d);
        RecordingHandler h = new RecordingHandler();
        ifs(k).ether().register(TYPE_TEST, h);
        PcapTap pcap = new PcapTap(k.hypercall(), path.toString());
        eth0.addTap(pcap);

        byte[] out1 = frame(MAC_B, MAC_A, TYPE_TEST, 46);
        byte[] in = frame(BROADCAST, MAC_B, TYPE_TEST, 1500);
        byte[] out2 = frame(MAC_B, MAC_A, TYPE_TEST, 4000); // several mbufs in the chain
        eth0.output(mbuf(k, out1));
        eth0.input(mbuf(k, in));
        k.softints().drain();
        eth0.output(mbuf(k, out2));
        assertEquals(3, pcap.frames());
        eth0.removeTap(pcap);
        pcap.close();

        byte[] file = Files.readAllBytes(path);
        assertArrayEquals(new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1}, Arrays.copyOfRange(file, 0, 4));
        ByteBuffer g = ByteBuffer.wrap(file, 0, 24).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(2, g.getShort(4));
        assertEquals(4, g.getShort(6));
        assertEquals(0, g.getInt(8));
        assertEquals(0, g.getInt(12));
        assertEquals(true, g.getInt(16) >= 65535, "snaplen covers a full frame");
        assertEquals(1, g.getInt(20), "LINKTYPE_ETHERNET");
        assertEquals(24 + 3 * 16 + out1.length + in.length + out2.length, file.length);

        List<byte[]> recs = records(file);
        assertEquals(3, recs.size());
        assertArrayEquals(out1, recs.get(0));
        assertArrayEquals(in, recs.get(1));
        assertArrayEquals(out2, recs.get(2));
        // capture did not disturb the traffic
        assertEquals(2, d.frames().size());
        assertEquals(1, h.received().size());
    }

    @Test
    void anEmptyCaptureIsJustTheGlobalHeaderAndACloseStopsRecording(Kernel k, @TempDir Path dir) throws Exception {
        Path path = dir.resolve("empty.pcap");
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        PcapTap pcap = new PcapTap(k.hypercall(), path.toString());
        eth0.addTap(pcap);
        pcap.close();
        pcap.close();
        eth0.output(mbuf(k, frame(MAC_B, MAC_A, TYPE_TEST, 46)));
        assertEquals(0, pcap.frames());
        byte[] file = Files.readAllBytes(path);
        assertEquals(24, file.length);
        assertEquals(0xa1b2c3d4, ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getInt(0));
    }

    @Test
    void anExistingFileIsTruncated(Kernel k, @TempDir Path dir) throws Exception {
        Path path = dir.resolve("old.pcap");
        Files.write(path, new byte[1000]);
        PcapTap pcap = new PcapTap(k.hypercall(), path.toString());
        pcap.close();
        assertEquals(24, Files.size(path));
    }

    @Test
    void aCaptureOfLo0RecordsEachFrameOnce(Kernel k, @TempDir Path dir) throws Exception {
        Path path = dir.resolve("lo0.pcap");
        Ifnet lo = ifs(k).find("lo0");
        RecordingHandler h = new RecordingHandler();
        ifs(k).ether().register(TYPE_TEST, h);
        PcapTap pcap = new PcapTap(k.hypercall(), path.toString());
        lo.addTap(pcap);
        try {
            ifs(k).ether().output(lo, mbuf(k, payload(100)), 0, TYPE_TEST);
            k.softints().drain();
        } finally {
            lo.removeTap(pcap);
            pcap.close();
        }
        assertEquals(1, h.received().size());
        assertEquals(1, records(Files.readAllBytes(path)).size());
    }
}
