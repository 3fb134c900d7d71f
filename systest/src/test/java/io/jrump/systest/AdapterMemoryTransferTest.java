package io.jrump.systest;

import static io.jrump.systest.TcpStreamTest.tcp;
import static io.jrump.systest.TestNet.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.ManualClock;
import io.jrump.kern.Cred;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.net.IfIoctl;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.net.RtReq;
import io.jrump.netinet.Counters;
import io.jrump.rumpnet.socket.AdapterMemory;
import io.jrump.virtif.Hub;
import io.jrump.virtif.LinkEmulator;
import io.jrump.wire.Ipv4Address;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * DART adapter memory (seed 002) between two kernels over emulated links from fixed seeds, in virtual
 * time: the sender's interface has its own buffer memory, and 8 MB arrive byte-exact (a digest of the
 * whole stream, so nothing lost and nothing reordered) with it and without it, when it is too small for
 * the connection (writes fall back to kernel buffers), over a lossy link (the connection relocates its
 * data to kernel buffers while it recovers), and when the connection's route moves to an interface
 * without adapter memory in the middle of the transfer (its queued data is relocated); and on the receiving
 * side, where data waits in the adapter's memory until it is read, and a reader that falls behind sends it
 * to kernel buffers.
 */
class AdapterMemoryTransferTest {
    private static final int SIZE = 8 << 20;
    private static final String SENT_TO_ADAPTER = "times a connection's send data went to adapter memory";
    private static final String RELOCATED_FIT =
            "send buffers relocated to kernel memory (slow, blocked or lossy, or the adapter short)";
    private static final String RELOCATED_ROUTE = "send buffers relocated to kernel memory (route moved to another interface)";
    private static final String RECEIVED_TO_ADAPTER = "times a connection's received data went to adapter memory";
    private static final String RECEIVED_BYTES = "bytes received into adapter memory";
    private static final String RECEIVED_RELOCATED =
            "receive buffers relocated to kernel memory (slow, backlogged or lossy, the route moved, or the adapter short)";

    @ParameterizedTest(name = "adapter memory {0}, {1}% loss, seed {2}")
    @CsvSource({"0, 0, 11", "16777216, 0, 11", "0, 1, 12", "16777216, 1, 12"})
    void transferArrivesByteExact(long adaptermem, int loss, long seed) throws Exception {
        ManualClock clock = new ManualClock();
        try (TestNet net = new TestNet(clock)) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            String emu = "loss=" + loss + "%,reorder=2%,reorder-delay=2ms,delay=5ms,limit=20000";
            Ifnet ia = attach(a, "shmif0", new LinkEmulator(a.hypercall(), hub.attach(), emu + ",seed=" + seed),
                    "198.18.0.1/24");
            attach(b, "shmif0", new LinkEmulator(b.hypercall(), hub.attach(), emu + ",seed=" + (seed + 50)),
                    "198.18.0.2/24");
            AdapterMemory am = adaptermem == 0 ? null : adapterMemory(a, "shmif0", adaptermem + "");
            Counters ta = inet(a).tcp().stats();
            transfer(clock, a, b, seed, "198.18.0.2", null);
            if (am != null) {
                assertTrue(am.allocs() > 0, "the connection's data went to adapter buffers");
                assertTrue(ta.get(SENT_TO_ADAPTER) >= 1, "the connection started in adapter memory");
                if (loss > 0) {
                    assertTrue(ta.get(RELOCATED_FIT) > 0, "a connection in loss recovery moved to kernel buffers");
                    assertTrue(am.relocatedBytes() > 0, "and its queued data with it");
                }
                assertEquals(0, am.used(), "every adapter buffer came back");
            } else {
                assertEquals(0, ta.get(SENT_TO_ADAPTER));
            }
            assertSame(am, ia.adapterMemory());
        }
    }

    /** 64 KB of adapter memory for a connection with a 256 KB send buffer: most writes go to kernel buffers. */
    @Test
    void exhaustedAdapterMemoryFallsBackToKernelBuffers() throws Exception {
        ManualClock clock = new ManualClock();
        try (TestNet net = new TestNet(clock)) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            attach(a, "shmif0", new LinkEmulator(a.hypercall(), hub.attach(), "delay=5ms,seed=3"), "198.18.0.1/24");
            attach(b, "shmif0", new LinkEmulator(b.hypercall(), hub.attach(), "delay=5ms,seed=4"), "198.18.0.2/24");
            AdapterMemory am = adapterMemory(a, "shmif0", "64k");
            transfer(clock, a, b, 5, "198.18.0.2", null);
            assertTrue(am.allocs() > 0, "what fit went to adapter buffers");
            assertTrue(am.fallbacks() > 0, "what did not fit went to kernel buffers");
            assertTrue(am.peak() <= am.quota());
            assertEquals(0, am.used());
        }
    }

    /**
     * The sender reaches the receiver's 198.18.0.2 over hub 1, through its adapter-memory interface; after
     * 2 MB a host route sends 198.18.0.2 through hub 2 and the other interface, which has none: the
     * connection relocates its queued data to kernel buffers, and the stream stays whole and in order.
     */
    @Test
    void routeMovedToAnotherInterfaceRelocatesTheSendBuffer() throws Exception {
        ManualClock clock = new ManualClock();
        try (TestNet net = new TestNet(clock)) {
            Hub hub1 = new Hub("h1");
            Hub hub2 = new Hub("h2");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            attach(a, "shmif0", new LinkEmulator(a.hypercall(), hub1.attach(), "delay=5ms,seed=21"), "198.18.0.1/24");
            attach(b, "shmif0", new LinkEmulator(b.hypercall(), hub1.attach(), "delay=5ms,seed=22"), "198.18.0.2/24");
            attach(a, "shmif1", new LinkEmulator(a.hypercall(), hub2.attach(), "delay=5ms,seed=23"), "198.18.1.1/24");
            attach(b, "shmif1", new LinkEmulator(b.hypercall(), hub2.attach(), "delay=5ms,seed=24"), "198.18.1.2/24");
            AdapterMemory am = adapterMemory(a, "shmif0", "16m");
            Counters ta = inet(a).tcp().stats();
            AtomicBoolean moved = new AtomicBoolean();
            // The route moves while the adapter holds the connection's data: a connection that a lagging
            // reader has window-blocked has already gone back to kernel buffers, with nothing left to move.
            transfer(clock, a, b, 9, "198.18.0.2", received -> {
                if (received >= (2 << 20) && am.used() > 0 && moved.compareAndSet(false, true)) {
                    try {
                        a.service(Interfaces.class).socketIoctl(IfIoctl.SIOCADDRT,
                                new RtReq(Ipv4Address.parse("198.18.0.2"), 32, Ipv4Address.parse("198.18.1.2")), Cred.ROOT);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }
            });
            assertTrue(moved.get());
            assertEquals(1, ta.get(RELOCATED_ROUTE), "the connection noticed its route moved");
            assertTrue(am.relocatedBytes() > 0, "its queued data left the adapter's buffers");
            assertEquals(0, am.used());
        }
    }

    /**
     * The receiver's interface has the adapter memory: received data waits there until the reader takes it
     * (seed 002: the memory "holds received data until the application accepts it"); with 64 KB, what does
     * not fit stays in kernel buffers. Either way the stream arrives whole and every buffer comes back.
     */
    @ParameterizedTest(name = "receiver adapter memory {0}")
    @CsvSource({"16m", "64k"})
    void receivedDataWaitsInAdapterMemory(String size) throws Exception {
        ManualClock clock = new ManualClock();
        try (TestNet net = new TestNet(clock)) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            attach(a, "shmif0", new LinkEmulator(a.hypercall(), hub.attach(), "delay=5ms,seed=31"), "198.18.0.1/24");
            attach(b, "shmif0", new LinkEmulator(b.hypercall(), hub.attach(), "delay=5ms,seed=32"), "198.18.0.2/24");
            AdapterMemory am = adapterMemory(b, "shmif0", size);
            Counters tb = inet(b).tcp().stats();
            transfer(clock, a, b, 13, "198.18.0.2", null);
            assertTrue(tb.get(RECEIVED_TO_ADAPTER) >= 1, "the connection received into adapter memory");
            assertTrue(tb.get(RECEIVED_BYTES) > 0 && am.allocs() > 0, "and data went there");
            if (size.equals("16m")) {
                // (a reader the virtual clock overtakes may look stopped for a moment and move its data out)
                assertTrue(tb.get(RECEIVED_BYTES) >= SIZE / 2, "a reader that keeps up keeps its data in the adapter: "
                        + tb.get(RECEIVED_BYTES));
            } else {
                assertTrue(am.fallbacks() > 0, "what did not fit stayed in kernel buffers");
                assertTrue(tb.get(RECEIVED_BYTES) < SIZE);
            }
            assertTrue(am.peak() <= am.quota());
            assertEquals(0, am.used(), "every adapter buffer came back once read");
        }
    }

    /**
     * A reader that stops for a while: its unread data passes half its buffer, and the connection moves that
     * data from the adapter to kernel buffers (seed 002: connections that are not moving data "will not be
     * significantly impacted by the copying overhead"); the stream still arrives whole and in order.
     */
    @Test
    void aReaderThatFallsBehindMovesItsDataToKernelBuffers() throws Exception {
        ManualClock clock = new ManualClock();
        try (TestNet net = new TestNet(clock)) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            attach(a, "shmif0", new LinkEmulator(a.hypercall(), hub.attach(), "delay=5ms,seed=33"), "198.18.0.1/24");
            attach(b, "shmif0", new LinkEmulator(b.hypercall(), hub.attach(), "delay=5ms,seed=34"), "198.18.0.2/24");
            AdapterMemory am = adapterMemory(b, "shmif0", "16m");
            Counters tb = inet(b).tcp().stats();
            AtomicBoolean paused = new AtomicBoolean();
            transfer(clock, a, b, 14, "198.18.0.2", received -> {
                if (received >= (1 << 20) && paused.compareAndSet(false, true)) {
                    // virtual time goes on while the reader sleeps: the sender fills the receive buffer
                    long until = clock.monotonicNanos() + 2_000_000_000L;
                    while (clock.monotonicNanos() < until) {
                        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                    }
                }
            });
            assertTrue(paused.get());
            assertTrue(tb.get(RECEIVED_RELOCATED) > 0, "the backlogged connection left the adapter");
            assertTrue(am.relocatedBytes() > 0, "with its unread data");
            assertEquals(0, am.used());
        }
    }

    private static AdapterMemory adapterMemory(Kernel k, String ifname, String size) throws Exception {
        io.jrump.net.IfReq r = new io.jrump.net.IfReq(ifname);
        r.value = size;
        k.service(Interfaces.class).ioctl(io.jrump.net.IfBufferIoctls.SIOCSIFADAPTERMEM, r, Cred.ROOT);
        return k.service(Interfaces.class).find(ifname).adapterMemory();
    }

    /** SIZE random bytes from a to b; fails unless every byte arrives in order. */
    private static void transfer(ManualClock clock, Kernel a, Kernel b, long seed, String to,
                                 java.util.function.LongConsumer onReceived) throws Exception {
        Syscalls sa = a.syscalls();
        Syscalls sb = b.syscalls();
        int l = tcp(sb);
        sb.bind(l, SockAddr.in("0.0.0.0", 5001));
        sb.listen(l, 5);
        byte[] data = new byte[SIZE];
        new SplittableRandom(seed).nextBytes(data);
        AtomicLong received = new AtomicLong();
        AtomicReference<byte[]> digest = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                int srv = sb.accept(l, null);
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                ByteBuffer buf = ByteBuffer.allocate(65536);
                for (;;) {
                    buf.clear();
                    int n = sb.read(srv, buf);
                    if (n == 0) {
                        break;
                    }
                    md.update(buf.array(), 0, n);
                    if (onReceived != null) {
                        onReceived.accept(received.addAndGet(n));
                    } else {
                        received.addAndGet(n);
                    }
                }
                digest.set(md.digest());
                sb.close(srv);
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "reader");
        Thread writer = new Thread(() -> {
            try {
                int c = tcp(sa);
                sa.connect(c, SockAddr.in(to, 5001));
                ByteBuffer src = ByteBuffer.wrap(data);
                while (src.hasRemaining()) {
                    sa.write(c, src);
                }
                sa.close(c);
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "writer");
        reader.start();
        writer.start();
        Counters ta = inet(a).tcp().stats();
        Counters tb = inet(b).tcp().stats();
        TcpLossyTransferTest.runVirtualTime(clock, List.of(a, b), reader, () -> failure.get() != null,
                () -> ta.get("packets sent") + tb.get("packets sent") + received.get(), reader, writer);
        writer.join(10_000);
        if (failure.get() != null) {
            fail("transfer failed after " + received.get() + " bytes", failure.get());
        }
        assertEquals(SIZE, received.get());
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), digest.get(), "the stream arrived whole, in order");
        sb.close(l);
        clock.advance(130_000_000_000L);
    }
}
