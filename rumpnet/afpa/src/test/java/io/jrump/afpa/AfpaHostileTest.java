package io.jrump.afpa;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.testkit.Probes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hostile-request suite of issue 17: traversal in every encoding and through a symlink never shows a
 * file outside the docroot; oversized request lines and headers are refused; a request split at every
 * byte is answered as a whole one; a client that stops half-way is closed after the keep-alive timeout;
 * clients that drop mid-response leave nothing behind (no connection, no cache hold; the halt's leak
 * check covers mbufs and kernel memory).
 */
class AfpaHostileTest {
    static final String SECRET = "TOP SECRET, outside the docroot";

    @ParameterizedTest
    @ValueSource(strings = {"hook", "tdi"})
    void noEncodingOfATraversalReachesOutsideTheDocroot(String mode) throws Exception {
        try (AfpaNet net = new AfpaNet(mode)) {
            int fd = net.server.syscalls().open("/secret.txt", Fcntl.O_WRONLY | Fcntl.O_CREAT, 0644);
            net.server.syscalls().write(fd, ByteBuffer.wrap(SECRET.getBytes()));
            net.server.syscalls().close(fd);
            net.file("/ok.txt", "fine".getBytes());
            net.server.syscalls().symlink("/secret.txt", AfpaNet.DOCROOT + "/link.txt");
            net.user();
            net.awaitServing();
            List<String> targets = List.of("/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt",
                    "/..%2fsecret.txt", "/..%5csecret.txt", "/..\\secret.txt", "/%00/../secret.txt",
                    "/%c0%ae%c0%ae/secret.txt", "/%e0%80%ae%e0%80%ae/secret.txt", "/ok.txt/../../secret.txt",
                    "//../secret.txt", "/./../secret.txt", "/%252e%252e/secret.txt", "http://h/../secret.txt",
                    "/link.txt");
            for (String t : targets) {
                try (HttpConn c = net.connect()) {
                    c.send("GET " + t + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
                    HttpConn.Response r = c.read();
                    assertFalse(r.text().contains("TOP SECRET"), t + " showed the secret: " + r.status());
                    assertFalse(r.status() == 200 && r.header("X-Server") == null, t + " answered 200 by the accelerator");
                }
            }
            try (HttpConn c = net.connect()) {
                c.send(HttpConn.get("/ok.txt"));
                assertEquals("fine", c.read().text(), "the accelerator still serves");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hook", "tdi"})
    void oversizedRequestLinesAndHeadersAreRefused(String mode) throws Exception {
        try (AfpaNet net = new AfpaNet(mode)) {
            net.user();
            net.awaitServing();
            try (HttpConn c = net.connect()) {
                c.send("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: h\r\n\r\n");
                assertEquals(414, c.read().status());
                assertTrue(c.closedByServer());
            }
            try (HttpConn c = net.connect()) {
                StringBuilder h = new StringBuilder("GET / HTTP/1.1\r\nHost: h\r\n");
                for (int i = 0; i < 40; i++) {
                    h.append("X-Filler-").append(i).append(": ").append("b".repeat(500)).append("\r\n");
                }
                c.send(h.append("\r\n").toString());
                assertEquals(431, c.read().status());
                assertTrue(c.closedByServer());
            }
            try (HttpConn c = net.connect()) {
                c.send("GET / HTTP/1.1\r\nHost: h\r\nBad Header\r\n\r\n");
                assertEquals(400, c.read().status());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hook", "tdi"})
    void aRequestSplitAtEveryByteIsAnsweredWhole(String mode) throws Exception {
        try (AfpaNet net = new AfpaNet(mode)) {
            net.file("/s.txt", "split".getBytes());
            net.user();
            net.awaitServing();
            byte[] req = "GET /s.txt HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            try (HttpConn c = net.connect()) {
                net.client.syscalls().setsockopt(c.fd, SocketDefs.IPPROTO_TCP, SocketDefs.TCP_NODELAY, 1);
                for (int split = 1; split < req.length; split++) {
                    c.send(java.util.Arrays.copyOfRange(req, 0, split));
                    c.send(java.util.Arrays.copyOfRange(req, split, req.length));
                    assertEquals("split", c.read().text(), "split at " + split);
                }
                for (byte b : req) {
                    c.send(new byte[] {b});
                }
                assertEquals("split", c.read().text(), "one byte at a time");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hook", "tdi"})
    void aClientThatStopsHalfWayIsClosedAfterTheTimeout(String mode) throws Exception {
        try (AfpaNet net = new AfpaNet(mode)) {
            net.server.syscalls().sysctlWrite("net.afpa.keepalive_timeout", "1");
            net.user();
            net.awaitServing();
            try (HttpConn c = net.connect()) {
                c.send("GET /s.txt HTTP/1.1\r\nHo");
                assertTrue(c.closedByServer(), "the server closes a request that never completes");
            }
            assertEquals(1, net.stat("idle keep-alive connections closed"));
            Probes.await("no connection held", () -> net.afpa.connections() == 0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hook", "tdi"})
    void clientsDroppingMidResponseLeaveNothingBehind(String mode) throws Exception {
        try (AfpaNet net = new AfpaNet(mode)) {
            byte[] big = new byte[2 << 20];
            new SplittableRandom(3).nextBytes(big);
            net.file("/big.bin", big);
            net.user();
            net.awaitServing();
            try (HttpConn c = net.connect()) {
                c.send(HttpConn.get("/big.bin"));
                assertArrayEquals(big, c.read().body());
            }
            for (int i = 0; i < 4; i++) {
                HttpConn c = net.connect();
                c.send(HttpConn.get("/big.bin"));
                net.client.syscalls().setsockopt(c.fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_LINGER, 0);
                c.close();
            }
            Probes.await("every dropped connection let go", () -> net.afpa.connections() == 0);
            Probes.await("every frame given back", () -> {
                net.afpa.cache().flush();
                return net.afpa.cache().memoryInUse() == 0;
            });
        }
    }
}
