package io.jrump.rumpclient;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.sysproxy.Probe;
import io.jrump.sysproxy.RumpServer;
import io.jrump.testkit.RumpKernel;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many clients at once, and many lwps of one client blocked at once. */
class ConcurrencyTest {
    @Test
    @RumpKernel(components = "rumpnet_netinet", ncpu = 2)
    void severalClientsAtOnce(Kernel k, @TempDir Path dir) throws Exception {
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try (RumpServer s = RumpServer.start(k, "unix://" + dir.resolve("sock"))) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < n; t++) {
                String name = "client" + t;
                results.add(pool.submit(() -> {
                    try (RumpClient c = RumpClient.connect(s.url(), name)) {
                        int fd = c.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
                        c.bind(fd, SockAddr.in("127.0.0.1", 0));
                        SockAddr me = new SockAddr();
                        c.getsockname(fd, me);
                        ByteBuffer in = ByteBuffer.allocate(64);
                        for (int i = 0; i < 200; i++) {
                            assertEquals(c.pid(), c.getpid());
                            assertEquals("NetBSD", c.sysctlRead("kern.ostype"));
                            byte[] msg = (name + ":" + i).getBytes();
                            c.sendto(fd, ByteBuffer.wrap(msg), 0, me);
                            in.clear();
                            int got = c.recvfrom(fd, in, 0, null);
                            assertEquals(name + ":" + i, new String(in.array(), 0, got));
                        }
                        return c.pid();
                    }
                }));
            }
            Set<Integer> pids = new HashSet<>();
            for (Future<Integer> f : results) {
                pids.add(f.get(60, TimeUnit.SECONDS));
            }
            assertEquals(n, pids.size(), "every client is a process of its own");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @RumpKernel(components = "rumpnet_netinet")
    void oneClientManyThreads(Kernel k, @TempDir Path dir) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (RumpServer s = RumpServer.start(k, "unix://" + dir.resolve("sock"));
             RumpClient c = RumpClient.connect(s.url(), "threads")) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        assertEquals(c.pid(), c.getpid());
                        assertEquals("10.0", c.sysctlRead("kern.osrelease"));
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @RumpKernel(components = "rumpnet_netinet")
    void twoLwpsBlockedAtOnceAnswerOutOfOrder(Kernel k, @TempDir Path dir) throws Exception {
        try (RumpServer s = RumpServer.start(k, "unix://" + dir.resolve("sock"));
             RumpClient c = RumpClient.connect(s.url(), "lwps")) {
            int s1 = c.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            int s2 = c.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            c.bind(s1, SockAddr.in("127.0.0.1", 0));
            c.bind(s2, SockAddr.in("127.0.0.1", 0));
            SockAddr a1 = new SockAddr();
            SockAddr a2 = new SockAddr();
            c.getsockname(s1, a1);
            c.getsockname(s2, a2);
            CompletableFuture<String> r1 = CompletableFuture.supplyAsync(() -> receive(c, s1));
            CompletableFuture<String> r2 = CompletableFuture.supplyAsync(() -> receive(c, s2));
            Probe.await(() -> Probe.asleep(k.proc(c.pid())) == 2, "both lwps asleep in recvfrom");
            assertFalse(r1.isDone() || r2.isDone(), "both lwps are blocked in recvfrom");
            assertEquals(c.pid(), c.getpid(), "a third lwp still gets through");

            int tx = c.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            c.sendto(tx, ByteBuffer.wrap("second".getBytes()), 0, a2);
            assertEquals("second", r2.get(10, TimeUnit.SECONDS));
            assertFalse(r1.isDone(), "the first is still blocked after the second returned");
            c.sendto(tx, ByteBuffer.wrap("first".getBytes()), 0, a1);
            assertEquals("first", r1.get(10, TimeUnit.SECONDS));
        }
    }

    private static String receive(RumpClient c, int fd) {
        try {
            ByteBuffer in = ByteBuffer.allocate(32);
            int n = c.recvfrom(fd, in, 0, new SockAddr());
            return new String(in.array(), 0, n);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
