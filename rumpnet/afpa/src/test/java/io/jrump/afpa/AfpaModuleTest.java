package io.jrump.afpa;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.testkit.Probes;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code modunload rumpnet_afpa} and {@code modload} again while clients keep fetching (issue 17: "the
 * module loaded and unloaded under load without losing a connection"): every request gets its file
 * byte-exact, from the accelerator or from the user-level server, and no client sees a reset.
 */
class AfpaModuleTest {
    @ParameterizedTest
    @ValueSource(strings = {"hook", "tdi"})
    void unloadingAndLoadingUnderLoadLosesNoConnection(String mode) throws Exception {
        try (AfpaNet net = new AfpaNet(mode)) {
            List<byte[]> files = new ArrayList<>();
            int[] sizes = {100, 5000, 70_000, 300_000};
            for (int i = 0; i < sizes.length; i++) {
                byte[] b = new byte[sizes[i]];
                new SplittableRandom(i).nextBytes(b);
                files.add(b);
                net.file("/f" + i, b);
            }
            UserServer user = net.user(true);
            net.awaitServing();
            AtomicInteger answered = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> clients = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int seed = t;
                Thread c = new Thread(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    try {
                        HttpConn conn = null;
                        for (int n = 0; n < 60 && failure.get() == null; n++) {
                            if (conn == null) {
                                conn = net.connect();
                            }
                            int f = rnd.nextInt(files.size());
                            conn.send(HttpConn.get("/f" + f));
                            HttpConn.Response r = conn.read();
                            assertEquals(200, r.status());
                            assertArrayEquals(files.get(f), r.body(), "f" + f);
                            answered.incrementAndGet();
                            if ("close".equals(r.header("Connection"))) {
                                conn.close();
                                conn = null;
                            }
                        }
                        if (conn != null) {
                            conn.close();
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }, "client " + t);
                c.start();
                clients.add(c);
            }
            for (int round = 0; round < 2; round++) {
                int seen = answered.get();
                Probes.await("requests answered", () -> answered.get() >= seen + 15 || failure.get() != null);
                net.server.modules().unload("rumpnet_afpa");
                assertNull(net.server.service(Afpa.class));
                int after = answered.get();
                Probes.await("requests answered without the accelerator",
                        () -> answered.get() >= after + 10 || failure.get() != null);
                net.server.modules().load("rumpnet_afpa");
                Afpa again = net.server.service(Afpa.class);
                net.configure(mode);
                Probes.await("the reloaded accelerator to serve", again::serving);
            }
            for (Thread c : clients) {
                c.join();
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertEquals(180, answered.get());
            assertTrue(user.accepted.get() > 0, "the user server answered while the accelerator was away");
            assertTrue(user.failures.isEmpty(), user.failures.toString());
        }
    }
}
