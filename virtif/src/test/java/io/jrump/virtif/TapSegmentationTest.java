package io.jrump.virtif;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.HostHypercall;
import io.jrump.hypercall.Hypercall;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.wire.InternetChecksum;
import io.jrump.wire.IpProtocol;
import io.jrump.kern.Kernel;
import io.jrump.testkit.NetNs;
import io.jrump.testkit.RumpKernel;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Linux reads the virtio header the tap writes as it was meant: two taps on a Linux bridge in a namespace made
 * for the test, a 20000-byte TCP segment written to one with {@code GSO_TCPV4} and its checksum partial, and the
 * other tap's reader gets it cut at the MSS with every checksum finished (that tap without offload, as a device
 * that cannot segment), or whole with the checksum still partial (that tap with offload, as Linux hands it over),
 * with the MSS as its segment size for a reader that takes large segments.
 * Skipped without root, /dev/net/tun or ip.
 */
@RumpKernel(components = "rumpnet_virtif")
class TapSegmentationTest {
    static final int PAYLOAD = 20000;
    static final int MSS = 1448;
    static final int SEQ = 1_000_000;

    /** What the receiving tap's reader got: frames (copied) and their offload flags. */
    static final class Collector implements FrameSink {
        final List<byte[]> frames = new ArrayList<>();
        final List<Integer> flags = new ArrayList<>();
        final List<Integer> segSizes = new ArrayList<>();
        volatile boolean takesLargeSegments;

        @Override
        public int offloads() {
            return takesLargeSegments ? CsumFlags.M_CSUM_TCPv4 | CsumFlags.M_CSUM_TSOv4 : CsumFlags.M_CSUM_TCPv4;
        }

        @Override
        public synchronized void receive(RxFrame f) {
            byte[] copy = new byte[f.length()];
            f.copyTo(copy, 0);
            if (TapOffload.tcp4HeaderLen(copy, 0, copy.length) != 0) {
                frames.add(copy);
                flags.add(f.csumFlags());
                if ((f.csumFlags() & CsumFlags.M_CSUM_TSOv4) != 0) {
                    segSizes.add(f.segSize());
                }
                notifyAll();
            }
        }

        @Override
        public void receive(byte[] f, int off, int len) {
            throw new AssertionError("a sink that takes offload gets frames as RxFrame");
        }

        synchronized int payload() {
            int n = 0;
            for (byte[] f : frames) {
                n += f.length - 54;
            }
            return n;
        }

        /** Waits until {@code bytes} of payload have arrived, each arrival waking it, or 60 s have passed. */
        synchronized void await(int bytes) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (long left; payload() < bytes && (left = end - System.nanoTime()) > 0; ) {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }

    static byte[] segment() {
        byte[] f = TapOffloadTest.frame(IpProtocol.TCP, 20, PAYLOAD);
        java.util.Arrays.fill(f, 0, 12, (byte) 0);
        f[0] = 2;
        f[5] = 0x0b;
        f[6] = 2;
        f[11] = 0x0a;
        TapOffloadTest.put32(f, 38, SEQ);
        return TapOffloadTest.partial(f, IpProtocol.TCP, 50);
    }

    static void host(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
    }

    @Test
    void linuxCutsATso4SegmentAtTheMssOrHandsItOnWhole(Kernel k) throws Exception {
        try (NetNs ns = NetNs.create("tso")) {
            Hypercall hc = HostHypercall.create();
            TapLink a = TapLink.open(hc, NetNs.tapName("jrsa"));
            TapLink b = TapLink.open(hc, NetNs.tapName("jrsb"));
            try {
                for (TapLink t : List.of(a, b)) {
                    host("ip", "link", "set", t.name(), "netns", ns.name());
                }
                ns.check("ip", "link", "add", "br0", "type", "bridge");
                for (TapLink t : List.of(a, b)) {
                    ns.check("ip", "link", "set", t.name(), "master", "br0");
                    ns.check("ip", "link", "set", t.name(), "up");
                }
                ns.check("ip", "link", "set", "br0", "up");
                Collector got = new Collector();
                b.setReceiver(got);
                MbufPool pool = new MbufPool(k);
                byte[] sent = segment();

                Mbuf m = MbufCopy.fromBytes(pool, sent, 0, sent.length);
                m.pkthdr().setCsumFlags(CsumFlags.M_CSUM_TSOv4 | CsumFlags.M_CSUM_TCPv4);
                m.pkthdr().setCsumData(MSS);
                a.send(m);
                got.await(PAYLOAD);
                assertEquals((PAYLOAD + MSS - 1) / MSS, got.frames.size(), "one frame per MSS");
                ByteArrayOutputStream data = new ByteArrayOutputStream();
                int seq = SEQ;
                for (byte[] f : got.frames) {
                    assertTrue(f.length <= 1514, "no frame over the MTU: " + f.length);
                    assertEquals(seq, TapOffloadTest.get32(f, 38), "sequence numbers follow the data");
                    int pseudo = InternetChecksum.pseudoHeaderSum(TapOffloadTest.SRC, TapOffloadTest.DST,
                            IpProtocol.TCP, f.length - 34);
                    assertEquals(0xffff, InternetChecksum.add(pseudo, InternetChecksum.sum(f, 34, f.length - 34)),
                            "Linux finished the TCP checksum of the segment at " + seq);
                    assertTrue(InternetChecksum.verify(f, 14, 20), "and the IP header's");
                    data.write(f, 54, f.length - 54);
                    seq += f.length - 54;
                }
                assertEquals(0, got.flags.stream().mapToInt(Integer::intValue).sum(), "nothing left partial");
                assertArrayEquals(java.util.Arrays.copyOfRange(sent, 54, sent.length), data.toByteArray());

                got.frames.clear();
                got.flags.clear();
                assertTrue(b.setOffload(true));
                m.pkthdr().setLen(sent.length);
                a.send(m);
                got.await(PAYLOAD);
                assertEquals(1, got.frames.size(), "a tap with offload takes the segment whole");
                assertArrayEquals(sent, got.frames.get(0), "as sent, the checksum still the pseudo-header sum");
                assertEquals(CsumFlags.M_CSUM_TCPv4, got.flags.get(0));

                // a sink that takes large segments (a kernel interface) learns the size Linux would cut at,
                // which a router forwarding it needs
                got.frames.clear();
                got.flags.clear();
                got.takesLargeSegments = true;
                m.pkthdr().setLen(sent.length);
                a.send(m);
                got.await(PAYLOAD);
                assertEquals(1, got.frames.size());
                assertArrayEquals(sent, got.frames.get(0));
                assertEquals(CsumFlags.M_CSUM_TCPv4 | CsumFlags.M_CSUM_TSOv4, got.flags.get(0));
                assertEquals(List.of(MSS), got.segSizes, "gso_size");
                pool.freeChain(m);
            } finally {
                a.close();
                b.close();
            }
        }
    }
}
