package io.jrump.sysproxy;

import io.jrump.hypercall.sp.SpUrl;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.kern.Kernel;
import io.jrump.rumpclient.RumpClient;
import io.jrump.testkit.RumpKernel;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a server listens: URL forms, socket files that are stale, live or not sockets, and TCP. */
class ServerAddressTest {
    @Test
    void urls() {
        assertEquals(new SpUrl(true, "/tmp/s", null, 0), SpUrl.parse("unix:///tmp/s"));
        assertEquals(new SpUrl(true, "rel/s", null, 0), SpUrl.parse("unix://rel/s"));
        assertEquals(new SpUrl(false, null, "127.0.0.1", 1234), SpUrl.parse("tcp://127.0.0.1:1234"));
        assertEquals(new SpUrl(false, null, "::1", 99), SpUrl.parse("tcp://[::1]:99"));
        assertEquals("tcp://[::1]:99", SpUrl.parse("tcp://[::1]:99").toString());
        for (String bad : new String[] {"", "unix://", "tcp://host", "tcp://:80", "tcp://h:70000", "tcp://::1:5",
                "http://x", "/tmp/s", "unix://" + "x".repeat(200)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpUrl.parse(bad), bad);
            assertFalse(e.getMessage().isEmpty());
        }
    }

    @Test
    @RumpKernel
    void relativePathAndRemovalOnClose(Kernel k) throws Exception {
        Path rel = Path.of("target", "sp-rel-" + ProcessHandle.current().pid() + ".sock");
        try (RumpServer s = RumpServer.start(k, "unix://" + rel)) {
            assertEquals("unix://" + rel, s.url());
            assertTrue(Files.exists(rel));
            try (RumpClient c = RumpClient.connect(s.url(), "rel")) {
                assertEquals(c.pid(), c.getpid());
            }
        }
        assertFalse(Files.exists(rel), "socket file removed on close");
    }

    @Test
    @RumpKernel
    void staleSocketIsReplacedLiveOneIsInUse(Kernel k, @TempDir Path dir) throws Exception {
        Path sock = dir.resolve("sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(sock));
        }
        assertTrue(Files.exists(sock), "a stale socket file is left behind");
        try (RumpServer s = RumpServer.start(k, "unix://" + sock)) {
            IOException e = assertThrows(IOException.class, () -> RumpServer.start(k, "unix://" + sock));
            assertTrue(e.getMessage().contains("address in use"), e.getMessage());
            try (RumpClient c = RumpClient.connect(s.url(), "still")) {
                assertEquals(c.pid(), c.getpid(), "the live server was not disturbed");
            }
        }
    }

    @Test
    @RumpKernel
    void aFileThatIsNotASocketIsLeftAlone(Kernel k, @TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("notes"), "keep me");
        IOException e = assertThrows(IOException.class, () -> RumpServer.start(k, "unix://" + file));
        assertTrue(e.getMessage().contains("not a socket"), e.getMessage());
        assertEquals("keep me", Files.readString(file));
    }

    @Test
    @RumpKernel
    void tcpOnLoopback(Kernel k) throws Exception {
        try (RumpServer s = RumpServer.start(k, "tcp://127.0.0.1:0")) {
            assertTrue(s.url().matches("tcp://127\\.0\\.0\\.1:[1-9][0-9]*"), s.url());
            try (RumpClient a = RumpClient.connect(s.url(), "tcpA"); RumpClient b = RumpClient.connect(s.url(), "tcpB")) {
                assertNotEquals(a.getpid(), b.getpid());
                assertEquals(0, a.getuid(), "a loopback peer is the server's own user");
                assertEquals("NetBSD", b.sysctlRead("kern.ostype"));
            }
            IOException e = assertThrows(IOException.class, () -> RumpServer.start(k, s.url()));
            assertTrue(e.getMessage().contains("cannot listen"), e.getMessage());
        }
    }
}
