package io.jrump.rumpnio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a program sees of how the hub hands one kernel's frames to another: a frame a system call sends is
 * taken in by the receiving kernel on the sender's thread before that call returns to the program
 * ({@code IfnetSink}, {@code Lwp.runAtReturn}), and traffic both ways at once, with writers blocked on full
 * buffers, still flows.
 */
class HubDeliveryTest {
    @Test
    void aDatagramIsReadableAtTheReceiverAsSoonAsItsSendReturns() throws Exception {
        try (HubNet net = new HubNet()) {
            io.jrump.kern.Kernel ka = net.boot();
            RumpSelectorProvider a = RumpSelectorProvider.of(ka);
            RumpSelectorProvider b = RumpSelectorProvider.of(net.boot());
            try (DatagramChannel rx = a.openDatagramChannel(); DatagramChannel tx = b.openDatagramChannel()) {
                rx.bind(new InetSocketAddress(HubNet.address(1), 9000));
                InetSocketAddress to = new InetSocketAddress(HubNet.address(1), 9000);
                ByteBuffer in = ByteBuffer.allocate(64);
                // the first waits for ARP; the receiver blocks for it
                tx.send(ByteBuffer.wrap(new byte[] {-1}), to);
                assertNotNull(rx.receive(in));
                rx.configureBlocking(false);
                // The sender takes a frame in on its own thread only while the receiving kernel is idle (the
                // rule under test): let the ARP exchange's and the first datagram's work there finish first.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!ka.scheduler().idle() && System.nanoTime() < until) {
                    Thread.sleep(1);
                }
                for (int i = 0; i < 500; i++) {
                    tx.send(ByteBuffer.wrap(new byte[] {(byte) i, (byte) (i >> 8)}), to);
                    in.clear();
                    assertNotNull(rx.receive(in), "datagram " + i + " not there when send returned");
                    in.flip();
                    assertArrayEquals(new byte[] {(byte) i, (byte) (i >> 8)}, java.util.Arrays.copyOf(in.array(),
                            in.limit()));
                }
            }
        }
    }

    @Test
    void twoKernelsWritingToEachOtherAtOnceBothGetEverything() throws Exception {
        int total = 8 << 20;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (HubNet net = new HubNet()) {
            io.jrump.kern.Kernel ka = net.boot();
            RumpSelectorProvider a = RumpSelectorProvider.of(ka);
            RumpSelectorProvider b = RumpSelectorProvider.of(net.boot());
            try (ServerSocketChannel l = a.openServerSocketChannel()) {
                l.bind(new InetSocketAddress(HubNet.address(1), 0));
                try (SocketChannel cb = b.openSocketChannel()) {
                    cb.connect(l.getLocalAddress());
                    try (SocketChannel ca = l.accept()) {
                        Future<?> wa = pool.submit(() -> write(ca, total, 1));
                        Future<?> wb = pool.submit(() -> write(cb, total, 2));
                        Future<Long> ra = pool.submit(() -> read(ca, total, 2));
                        Future<Long> rb = pool.submit(() -> read(cb, total, 1));
                        wa.get(120, TimeUnit.SECONDS);
                        wb.get(120, TimeUnit.SECONDS);
                        assertEquals(total, ra.get(120, TimeUnit.SECONDS));
                        assertEquals(total, rb.get(120, TimeUnit.SECONDS));
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Writes {@code total} bytes of the pattern seeded {@code seed} in blocking writes of 100,000. */
    private static Void write(SocketChannel c, int total, int seed) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(100_000);
        for (int sent = 0; sent < total; ) {
            buf.clear();
            int n = Math.min(buf.capacity(), total - sent);
            for (int i = 0; i < n; i++) {
                buf.put(pattern(sent + i, seed));
            }
            buf.flip();
            while (buf.hasRemaining()) {
                c.write(buf);
            }
            sent += n;
        }
        return null;
    }

    /** Reads {@code total} bytes and checks each against the pattern seeded {@code seed}; returns the count. */
    private static long read(SocketChannel c, int total, int seed) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(65536);
        long got = 0;
        while (got < total) {
            buf.clear();
            int n = c.read(buf);
            if (n < 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                if (buf.get(i) != pattern(got + i, seed)) {
                    throw new AssertionError("byte " + (got + i) + " differs");
                }
            }
            got += n;
        }
        return got;
    }

    private static byte pattern(long i, int seed) {
        return (byte) (i * 31 + seed + (i >> 11));
    }
}
