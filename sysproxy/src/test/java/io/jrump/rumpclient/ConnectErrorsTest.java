package io.jrump.rumpclient;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.mem.Pool;
import io.jrump.sysproxy.RumpServer;
import io.jrump.testkit.RumpKernel;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a program is told when there is no server, the wrong server, or a server that goes away. */
class ConnectErrorsTest {
    @Test
    void rumpServerUnset() {
        IOException e = assertThrows(IOException.class, () -> RumpClient.fromEnvironment(Map.of(), "tool"));
        assertTrue(e.getMessage().startsWith("RUMP_SERVER is not set"), e.getMessage());
    }

    @Test
    void nobodyListening(@TempDir Path dir) {
        String url = "unix://" + dir.resolve("nothing");
        IOException e = assertThrows(IOException.class,
                () -> RumpClient.fromEnvironment(Map.of("RUMP_SERVER", url), "tool"));
        assertTrue(e.getMessage().contains("cannot connect to rump server " + url), e.getMessage());
        assertTrue(e.getMessage().contains("is rump_server running"), e.getMessage());
        IOException bad = assertThrows(IOException.class, () -> RumpClient.connect("ftp://x", "tool"));
        assertTrue(bad.getMessage().contains("unix://PATH or tcp://ADDR:PORT"), bad.getMessage());
    }

    @Test
    @RumpKernel
    void fromEnvironmentConnects(Kernel k, @TempDir Path dir) throws Exception {
        try (RumpServer s = RumpServer.start(k, "unix://" + dir.resolve("sock"));
             RumpClient c = RumpClient.fromEnvironment(Map.of("RUMP_SERVER", s.url()), "envtool")) {
            assertEquals(c.pid(), c.getpid());
            assertEquals(s.url(), c.url());
        }
    }

    @Test
    void otherProtocolVersion(@TempDir Path dir) throws Exception {
        assertBannerRefused(dir, "RUMPSP-JRUMP-99\n", "speaks sysproxy protocol version 99, this client speaks version " + io.jrump.kern.syscall.sp.Protocol.VERSION);
        assertBannerRefused(dir, "SSH-2.0-OpenSSH_9.2\r\n", "is not a jrump rump server");
    }

    private static void assertBannerRefused(Path dir, String banner, String message) throws Exception {
        Path sock = dir.resolve("fake" + banner.length());
        try (ServerSocketChannel fake = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            fake.bind(UnixDomainSocketAddress.of(sock));
            Thread t = new Thread(() -> {
                try (SocketChannel c = fake.accept()) {
                    c.write(ByteBuffer.wrap(banner.getBytes()));
                    c.read(ByteBuffer.allocate(64));
                } catch (IOException ignored) {
                    // the client hung up
                }
            });
            t.start();
            IOException e = assertThrows(IOException.class, () -> RumpClient.connect("unix://" + sock, "old"));
            assertTrue(e.getMessage().contains(message), e.getMessage());
            t.join(5000);
        }
    }

    @Test
    @RumpKernel
    void serverGoesAway(Kernel k, @TempDir Path dir) throws Exception {
        RumpServer s = RumpServer.start(k, "unix://" + dir.resolve("sock"));
        try (RumpClient c = RumpClient.connect(s.url(), "orphan")) {
            assertEquals(c.pid(), c.getpid());
            s.close();
            ErrnoException e = assertThrows(ErrnoException.class, c::getpid);
            assertEquals(Errno.ENOTCONN, e.errno());
            assertTrue(e.getMessage().contains("rump server " + s.url()), e.getMessage());
            assertFalse(c.isOpen());
            assertThrows(ErrnoException.class, c::getpid, "and every later call");
        }
    }

    /**
     * A client's process is kernel memory: with the limit taken, the connection is refused with ENOMEM
     * rather than the process being made past the limit, and once memory is free again clients connect.
     */
    @Test
    void noMemoryForTheClientsProcessRefusesTheConnection(@TempDir Path dir) throws Exception {
        Kernel k = Kernel.boot(KernelConfig.builder().ncpu(1).memoryLimit(256 * 1024).build());
        try (RumpServer s = RumpServer.start(k, "unix://" + dir.resolve("sock"))) {
            Pool<byte[]> hog = k.createPool("hog", 4096, () -> new byte[4096], null, Integer.MAX_VALUE);
            List<byte[]> held = new ArrayList<>();
            for (byte[] b; (b = hog.get()) != null; ) {
                held.add(b);
            }
            IOException e = assertThrows(IOException.class, () -> RumpClient.connect(s.url(), "starved"));
            assertTrue(e.getMessage().contains("ENOMEM"), e.getMessage());
            held.forEach(hog::put);
            try (RumpClient c = RumpClient.connect(s.url(), "fed")) {
                assertEquals(c.pid(), c.getpid(), "idle pool memory serves the next client's process");
            }
        } finally {
            k.halt();
        }
    }
}
