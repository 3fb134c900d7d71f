package io.jrump.systest;

import static io.jrump.systest.TestNet.attach;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.net.BpfTap;
import io.jrump.net.Ifnet;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.virtif.EtherLink;
import io.jrump.virtif.FrameSink;
import io.jrump.virtif.Hub;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * TCP segmentation offload over the in-memory hub with 1500-byte MTUs: TCP hands the interface packets of
 * many segments, which cross to another kernel whole (as between virtio-net guests or over a veth pair),
 * are cut into wire-sized frames with complete checksums for anything on the hub that takes only those,
 * and are cut in software before a capture on the sending interface.
 */
class TcpSegmentationOffloadTest {
    static final int SIZE = 6 << 20;

    @Test
    void largeSegmentsCrossTheHubWhole() throws Exception {
        try (TestNet net = new TestNet()) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            attach(a, "shmif0", hub.attach(), "198.18.0.1/24");
            attach(b, "shmif0", hub.attach(), "198.18.0.2/24");
            transfer(a, b);
            long segs = tcpStat(b, "packets received in-sequence");
            assertTrue(segs < SIZE / 1448 / 4, "the receiver took " + segs + " in-sequence packets for " + SIZE
                    + " bytes: segments of several MSS crossed whole");
        }
    }

    @Test
    void anObserverOnTheHubSeesWireSizedFramesWithGoodChecksums() throws Exception {
        try (TestNet net = new TestNet()) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            attach(a, "shmif0", hub.attach(), "198.18.0.1/24");
            attach(b, "shmif0", hub.attach(), "198.18.0.2/24");
            EtherLink watch = hub.attach();
            AtomicInteger largest = new AtomicInteger();
            AtomicLong frames = new AtomicLong();
            AtomicLong bad = new AtomicLong();
            AtomicLong payload = new AtomicLong();
            watch.setReceiver(new FrameSink() {
                @Override
                public void receive(byte[] frame, int off, int len) {
                    largest.accumulateAndGet(len, Math::max);
                    frames.incrementAndGet();
                    byte[] copy = java.util.Arrays.copyOfRange(frame, off, off + len);
                    if (isTcp(copy) && !ChecksumOffloadTest.verifies(copy, 0)) {
                        bad.incrementAndGet();
                    }
                    if (isTcp(copy) && (copy[14 + 20 + 13] & 0x10) != 0 && (copy[23] == 6)) {
                        int ihl = (copy[14] & 0xf) * 4;
                        int total = ((copy[16] & 0xff) << 8) | (copy[17] & 0xff);
                        int thl = ((copy[14 + ihl + 12] & 0xff) >>> 4) * 4;
                        int src = copy[14 + 15] & 0xff;
                        if (src == 1) {
                            payload.addAndGet(total - ihl - thl);
                        }
                    }
                }
            });
            transfer(a, b);
            assertTrue(largest.get() <= 1514, "largest frame seen " + largest.get());
            assertEquals(0, bad.get(), "frames with a bad TCP checksum, of " + frames.get());
            assertTrue(payload.get() >= SIZE, "the observer saw " + payload.get() + " payload bytes from a");
        }
    }

    @Test
    void aCaptureOnTheSenderSeesWireSizedFrames() throws Exception {
        try (TestNet net = new TestNet()) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            Ifnet ia = attach(a, "shmif0", hub.attach(), "198.18.0.1/24");
            attach(b, "shmif0", hub.attach(), "198.18.0.2/24");
            AtomicInteger largest = new AtomicInteger();
            AtomicLong bad = new AtomicLong();
            BpfTap tap = (ifp, m, outbound) -> {
                byte[] f = MbufCopy.toBytes(m);
                largest.accumulateAndGet(f.length, Math::max);
                if (isTcp(f) && !ChecksumOffloadTest.verifies(f, 0)) {
                    bad.incrementAndGet();
                }
            };
            ia.addTap(tap);
            transfer(a, b);
            ia.removeTap(tap);
            assertTrue(largest.get() <= 1514, "largest frame captured " + largest.get());
            assertEquals(0, bad.get(), "captured frames with a bad TCP checksum");
        }
    }

    /**
     * A router takes the large segments whole from one hub and forwards them onto another; with a capture on
     * its outgoing interface it cuts them in software (NetBSD's {@code tcp4_segment}), and b still receives
     * every byte, in frames no larger than the MTU.
     */
    @Test
    void aRouterCutsLargeSegmentsForAnInterfaceThatCannot() throws Exception {
        try (TestNet net = new TestNet()) {
            Hub left = new Hub("left");
            Hub right = new Hub("right");
            Kernel a = net.boot("a");
            Kernel r = net.boot("router");
            Kernel b = net.boot("b");
            attach(a, "shmif0", left.attach(), "198.18.1.1/24");
            attach(r, "shmif0", left.attach(), "198.18.1.254/24");
            Ifnet out = attach(r, "shmif1", right.attach(), "198.18.2.254/24");
            attach(b, "shmif0", right.attach(), "198.18.2.1/24");
            RouterTest.defaultRoute(a, "198.18.1.254");
            RouterTest.defaultRoute(b, "198.18.2.254");
            r.syscalls().sysctlWrite("net.inet.ip.forwarding", "1");
            AtomicInteger largest = new AtomicInteger();
            AtomicLong bad = new AtomicLong();
            AtomicLong frames = new AtomicLong();
            BpfTap tap = (ifp, m, outbound) -> {
                if (!outbound) {
                    return;
                }
                byte[] f = MbufCopy.toBytes(m);
                frames.incrementAndGet();
                largest.accumulateAndGet(f.length, Math::max);
                if (isTcp(f) && !ChecksumOffloadTest.verifies(f, 0)) {
                    bad.incrementAndGet();
                }
            };
            out.addTap(tap);
            transfer(a, b, "198.18.2.1");
            out.removeTap(tap);
            assertTrue(largest.get() <= 1514, "largest frame the router sent " + largest.get());
            assertTrue(frames.get() > SIZE / 1448, frames.get() + " frames forwarded");
            assertEquals(0, bad.get(), "forwarded frames with a bad TCP checksum");
            assertEquals(0, TestNet.inet(r).ipStats().get("datagrams that can't be fragmented"),
                    "no large segment was refused as too big (DF): the router cut them");
        }
    }

    private static boolean isTcp(byte[] f) {
        return f.length >= 54 && f[12] == 0x08 && f[13] == 0x00 && f[23] == 6;
    }

    private static void transfer(Kernel a, Kernel b) throws Exception {
        transfer(a, b, "198.18.0.2");
    }

    /** SIZE random bytes from a to b at {@code bAddr}, then a's shutdown; b reads to the end: byte-exact. */
    static void transfer(Kernel a, Kernel b, String bAddr) throws Exception {
        Syscalls sa = a.syscalls();
        Syscalls sb = b.syscalls();
        int l = sb.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
        sb.bind(l, SockAddr.in("0.0.0.0", 5001));
        sb.listen(l, 5);
        int c = sa.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
        sa.connect(c, SockAddr.in(bAddr, 5001));
        int srv = sb.accept(l, null);
        byte[] data = new byte[SIZE];
        new SplittableRandom(11).nextBytes(data);
        Thread writer = new Thread(() -> {
            try {
                ByteBuffer src = ByteBuffer.wrap(data);
                while (src.hasRemaining()) {
                    ByteBuffer chunk = src.slice();
                    chunk.limit(Math.min(chunk.remaining(), 65536));
                    src.position(src.position() + sa.write(c, chunk));
                }
                sa.shutdown(c, SocketDefs.SHUT_WR);
            } catch (ErrnoException e) {
                throw new RuntimeException(e);
            }
        });
        writer.start();
        sb.setsockopt(srv, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 20_000);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        ByteBuffer buf = ByteBuffer.allocate(65536);
        long total = 0;
        try {
            for (;;) {
                buf.clear();
                int n = sb.read(srv, buf);
                if (n == 0) {
                    break;
                }
                md.update(buf.array(), 0, n);
                total += n;
            }
        } catch (ErrnoException e) {
            throw new AssertionError("after " + total + " bytes: " + e.getMessage() + "\n"
                    + sa.sysctlRead("net.inet.tcp.pcblist") + sb.sysctlRead("net.inet.tcp.pcblist"), e);
        }
        writer.join();
        assertEquals(SIZE, total);
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), md.digest());
        sa.close(c);
        sb.close(srv);
        sb.close(l);
    }

    private static long tcpStat(Kernel k, String description) throws ErrnoException {
        for (var e : k.syscalls().sysctlList("net.inet.tcp.stats")) {
            if (e.description().equals(description)) {
                return Long.parseLong(e.value().trim());
            }
        }
        throw new AssertionError("no TCP counter '" + description + "'");
    }
}
