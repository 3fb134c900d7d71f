package io.jrump.afpa;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.afpa.cache.CacheObject;
import io.jrump.testkit.Probes;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cache objects through either mode: large objects in 64 KB chunks over a link that loses and reorders
 * frames (fixed seeds, byte-exact), clients fetching one object at once (they share the frames still in
 * flight, read-only: {@link FrameChains} says why that is safe where the seed copies), a file changed on
 * disk served new, and a small cache that evicts.
 */
class AfpaObjectsTest {
    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @ValueSource(strings = {"hook", "tdi"})
    void largeObjectsArriveByteExactOverALossyReorderingLink(String mode) throws Exception {
        String emu = "loss=2%,reorder=5%,reorder-delay=2ms,delay=1ms,limit=4000";
        try (AfpaNet net = new AfpaNet(mode, emu, 11)) {
            byte[] big = random(1 << 20, 5);
            byte[] odd = random(3 * 65536 + 1001, 6);
            net.file("/big.bin", big);
            net.file("/odd.bin", odd);
            net.user();
            net.awaitServing();
            try (HttpConn c = net.connect()) {
                for (int i = 0; i < 2; i++) {
                    c.send(HttpConn.get("/big.bin"));
                    assertArrayEquals(big, c.read().body());
                    c.send(HttpConn.get("/odd.bin"));
                    assertArrayEquals(odd, c.read().body());
                }
            }
            assertEquals(2, net.stat("misses"));
            assertEquals(2, net.stat("hits"));
            assertTrue(net.stat("chunks sent") >= 2 * (16 + 4), "chunks: " + net.stat("chunks sent"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hook", "tdi"})
    void requestsForAnObjectInFlightShareItsFrames(String mode) throws Exception {
        try (AfpaNet net = new AfpaNet(mode)) {
            byte[] big = random(600_000, 9);
            net.file("/big.bin", big);
            net.user();
            net.awaitServing();
            try (HttpConn warm = net.connect()) {
                warm.send(HttpConn.get("/big.bin"));
                assertArrayEquals(big, warm.read().body());
            }
            List<Thread> threads = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<HttpConn> conns = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                HttpConn c = net.connect();
                conns.add(c);
                c.send(HttpConn.get("/big.bin"));
            }
            for (HttpConn c : conns) {
                Thread t = new Thread(() -> {
                    try {
                        assertArrayEquals(big, c.read().body());
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                t.join();
            }
            conns.forEach(HttpConn::close);
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertEquals(0, net.stat("frames copied because still in flight"),
                    "three requests sent before any reply share frames in flight, read-only");
        }
    }

    /**
     * Two responses hold the same frame in flight at once (neither client reads until both are under way,
     * so their frames sit in the server's send buffers and the clients' receive buffers), and each arrives
     * byte-exact: the seed's reason to copy such a frame, a second send writing its headers into the
     * first one's buffer, does not arise, and nothing was copied.
     */
    @ParameterizedTest
    @ValueSource(strings = {"hook", "tdi"})
    void aFrameInFlightForTwoResponsesArrivesByteExactAtBoth(String mode) throws Exception {
        try (AfpaNet net = new AfpaNet(mode)) {
            byte[] big = random(300_000, 12);
            net.file("/big.bin", big);
            net.user();
            net.awaitServing();
            try (HttpConn warm = net.connect()) {
                warm.send(HttpConn.get("/big.bin"));
                assertArrayEquals(big, warm.read().body());
            }
            CacheObject o = net.afpa.cache().lookup("/big.bin");
            assertNotNull(o, "the object is cached");
            try (HttpConn a = net.connect(); HttpConn b = net.connect()) {
                a.send(HttpConn.get("/big.bin"));
                b.send(HttpConn.get("/big.bin"));
                Probes.await("a frame in flight for both responses", () -> {
                    for (int i = 0; i < o.frameCount(); i++) {
                        if (o.inFlight(i) >= 2) {
                            return true;
                        }
                    }
                    return false;
                });
                assertArrayEquals(big, a.read().body(), "the first response, byte-exact");
                assertArrayEquals(big, b.read().body(), "the second response, byte-exact");
            } finally {
                o.release();
            }
            assertEquals(0, net.stat("frames copied because still in flight"), "shared read-only, not copied");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hook", "tdi"})
    void aChangedFileIsServedNew(String mode) throws Exception {
        try (AfpaNet net = new AfpaNet(mode)) {
            net.server.syscalls().sysctlWrite("net.afpa.revalidate_ms", "0");
            net.file("/doc.txt", "first version".getBytes());
            net.user();
            net.awaitServing();
            try (HttpConn c = net.connect()) {
                c.send(HttpConn.get("/doc.txt"));
                assertEquals("first version", c.read().text());
                net.file("/doc.txt", "the second, longer version".getBytes());
                c.send(HttpConn.get("/doc.txt"));
                assertEquals("the second, longer version", c.read().text());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hook", "tdi"})
    void aSmallCacheEvictsTheLeastRecentlyUsed(String mode) throws Exception {
        try (AfpaNet net = new AfpaNet(mode)) {
            net.server.syscalls().sysctlWrite("net.afpa.cache_size", String.valueOf(512 << 10));
            List<byte[]> files = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                files.add(random(150_000, 100 + i));
                net.file("/f" + i + ".bin", files.get(i));
            }
            net.user();
            net.awaitServing();
            try (HttpConn c = net.connect()) {
                for (int round = 0; round < 2; round++) {
                    for (int i = 0; i < files.size(); i++) {
                        c.send(HttpConn.get("/f" + i + ".bin"));
                        assertArrayEquals(files.get(i), c.read().body(), "f" + i);
                    }
                }
            }
            assertTrue(net.stat("evictions") > 0);
            assertTrue(net.stat("cache memory in use") <= 512 << 10, "memory " + net.stat("cache memory in use"));
        }
    }
}
