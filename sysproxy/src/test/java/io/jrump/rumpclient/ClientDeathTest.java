package io.jrump.rumpclient;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.sysproxy.Probe;
import io.jrump.sysproxy.RumpServer;
import io.jrump.testkit.RumpKernel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that goes away while its lwps sleep in the kernel leaves nothing behind: its process is
 * gone, its descriptors closed, its lwps killed, and the server's threads for it ended. The kernel's
 * clean halt report, which {@link RumpKernel} checks after each test, covers threads and descriptors too.
 */
class ClientDeathTest {
    @Test
    @RumpKernel(components = "rumpnet_netinet")
    void closedWhileBlockedInRecvfrom(Kernel k, @TempDir Path dir) throws Exception {
        try (RumpServer s = RumpServer.start(k, "unix://" + dir.resolve("sock"))) {
            RumpClient c = RumpClient.connect(s.url(), "victim");
            int fd = c.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            c.bind(fd, SockAddr.in("127.0.0.1", 0));
            CompletableFuture<Integer> r1 = CompletableFuture.supplyAsync(() -> recv(c, fd));
            CompletableFuture<Integer> r2 = CompletableFuture.supplyAsync(() -> recv(c, fd));
            int pid = c.pid();
            Proc p = k.proc(pid);
            Probe.await(() -> Probe.asleep(p) == 2, "both lwps asleep in recvfrom");
            assertFalse(r1.isDone() || r2.isDone());
            assertEquals(1, p.files().openCount());
            assertTrue(s.threadCount() >= 3, "the acceptor and a thread per blocked lwp: " + s.threadCount());

            c.close();
            for (CompletableFuture<Integer> r : List.of(r1, r2)) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> r.get(10, TimeUnit.SECONDS));
                assertEquals(Errno.ENOTCONN, ((ErrnoException) e.getCause().getCause()).errno());
            }
            awaitClean(k, s, pid);
            assertTrue(p.exiting());
            assertEquals(0, p.files().openCount(), "descriptors closed");
            for (Lwp l : p.lwps()) {
                assertTrue(l.killed(), l + " killed");
                assertNull(l.cpu(), l + " holds no CPU");
            }
            try (RumpClient other = RumpClient.connect(s.url(), "survivor")) {
                assertEquals(other.pid(), other.getpid());
            }
        }
    }

    @Test
    @RumpKernel(components = "rumpnet_netinet")
    void killedClientProcessWhileBlocked(Kernel k, @TempDir Path dir) throws Exception {
        try (RumpServer s = RumpServer.start(k, "unix://" + dir.resolve("sock"))) {
            String cp = ChildJvm.classPath(java.nio.file.Files.createDirectory(dir.resolve("cp")));
            Process child = ChildJvm.probe(List.of(), cp, "block", s.url()).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertNotNull(line, "the probe said nothing");
            assertTrue(line.startsWith("READY "), line);
            int pid = Integer.parseInt(line.substring(6).trim());
            assertNotNull(k.proc(pid));
            Probe.await(() -> Probe.asleep(k.proc(pid)) == 1, "the probe's lwp asleep in recvfrom");
            assertTrue(child.isAlive());
            child.destroyForcibly();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            awaitClean(k, s, pid);
        }
    }

    private static int recv(RumpClient c, int fd) {
        try {
            return c.recvfrom(fd, ByteBuffer.allocate(16), 0, null);
        } catch (ErrnoException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the process and every server thread serving it are gone. */
    static void awaitClean(Kernel k, RumpServer s, int pid) {
        Probe.await(() -> k.proc(pid) == null && s.connectionCount() == 0 && s.threadCount() == 1,
                "process " + pid + " and its connection and server threads gone");
        assertNull(k.proc(pid), "process " + pid + " ended");
        assertEquals(List.of(0, 1), k.procs().stream().map(Proc::pid).toList());
        assertEquals(0, s.connectionCount());
        assertEquals(1, s.threadCount(), "only the accepting thread is left");
    }
}
