package io.jrump.afpa;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Hook mode (the Linux seed) between two kernels: a first request misses and is answered by a service
 * thread once the object is built, the next is a hit answered from the softint; keep-alive and
 * pipelined requests are answered in order on one connection; what the accelerator does not serve
 * reaches the user-level server with every byte intact.
 */
class HookServeTest {
    String mode() {
        return "hook";
    }

    @Test
    void aMissThenAHitServeTheFileByteExact() throws Exception {
        try (AfpaNet net = new AfpaNet(mode())) {
            byte[] page = "<html>hello from the kernel</html>\n".getBytes(StandardCharsets.US_ASCII);
            net.file("/index.html", page);
            net.user();
            net.awaitServing();
            for (int i = 0; i < 2; i++) {
                try (HttpConn c = net.connect()) {
                    c.send("GET /index.html HTTP/1.0\r\n\r\n");
                    HttpConn.Response r = c.read();
                    assertEquals(200, r.status());
                    assertArrayEquals(page, r.body());
                    assertEquals("text/html", r.header("Content-Type"));
                    assertEquals(null, r.header("X-Server"), "the accelerator answered, not the user server");
                    assertTrue(c.closedByServer(), "HTTP/1.0 without keep-alive closes");
                }
            }
            assertEquals(1, net.stat("misses"));
            assertEquals(1, net.stat("hits"));
            assertEquals(0, net.stat("requests passed to user level"));
            assertTrue(net.stat("cache memory in use") > 0);
        }
    }

    @Test
    void keepAliveAndPipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (AfpaNet net = new AfpaNet(mode())) {
            byte[] big = new byte[200_000];
            new SplittableRandom(7).nextBytes(big);
            net.file("/a.txt", "aaa".getBytes());
            net.file("/big.bin", big);
            net.file("/c.txt", "ccccc".getBytes());
            net.user();
            net.awaitServing();
            try (HttpConn c = net.connect()) {
                c.send(HttpConn.get("/a.txt"));
                assertEquals("aaa", c.read().text());
                c.send(HttpConn.get("/a.txt") + HttpConn.get("/big.bin") + "HEAD /c.txt HTTP/1.1\r\nHost: t\r\n\r\n"
                        + HttpConn.get("/nothing") + HttpConn.get("/c.txt"));
                assertEquals("aaa", c.read().text());
                HttpConn.Response b = c.read();
                assertEquals(200, b.status());
                assertArrayEquals(big, b.body());
                HttpConn.Response h = c.read(true);
                assertEquals("5", h.header("Content-Length"));
                assertEquals(404, c.read().status());
                assertEquals("ccccc", c.read().text());
            }
            assertTrue(net.stat("chunks sent") >= 4, "200 KB leave in 64 KB chunks: " + net.stat("chunks sent"));
        }
    }

    @Test
    void rangesConditionalsAndHeadAreAnsweredAsRfc9110Asks() throws Exception {
        try (AfpaNet net = new AfpaNet(mode())) {
            byte[] doc = new byte[150_000];
            new SplittableRandom(4).nextBytes(doc);
            net.file("/doc.bin", doc);
            net.user();
            net.awaitServing();
            try (HttpConn c = net.connect()) {
                c.send(HttpConn.get("/doc.bin"));
                HttpConn.Response full = c.read();
                assertArrayEquals(doc, full.body());
                String lastModified = full.header("Last-Modified");
                assertNotNull(lastModified);
                c.send("GET /doc.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=70000-70009\r\n\r\n");
                HttpConn.Response part = c.read();
                assertEquals(206, part.status());
                assertEquals("bytes 70000-70009/150000", part.header("Content-Range"));
                assertArrayEquals(java.util.Arrays.copyOfRange(doc, 70000, 70010), part.body());
                c.send("GET /doc.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=200000-\r\n\r\n");
                assertEquals(416, c.read().status());
                c.send("GET /doc.bin HTTP/1.1\r\nHost: t\r\nIf-Modified-Since: " + lastModified + "\r\n\r\n");
                assertEquals(304, c.read().status());
                c.send("HEAD /doc.bin HTTP/1.1\r\nHost: t\r\n\r\n");
                HttpConn.Response head = c.read(true);
                assertEquals(200, head.status());
                assertEquals("150000", head.header("Content-Length"));
                c.send(HttpConn.get("/doc.bin"));
                assertArrayEquals(doc, c.read().body(), "the connection is still in step");
            }
            assertEquals(1, net.stat("not modified responses"));
        }
    }

    @Test
    void aRestartedUserServerIsAcceleratedAgain() throws Exception {
        try (AfpaNet net = new AfpaNet(mode())) {
            net.file("/a.txt", "aaa".getBytes());
            UserServer first = net.user();
            net.awaitServing();
            first.close();
            io.jrump.testkit.Probes.await("the accelerator to notice", () -> !net.afpa.serving());
            UserServer second = net.user();
            io.jrump.testkit.Probes.await("the accelerator on the new listener",
                    () -> net.afpa.serving());
            try (HttpConn c = net.connect()) {
                c.send(HttpConn.get("/a.txt"));
                HttpConn.Response r = c.read();
                assertEquals("aaa", r.text());
                assertNull(r.header("X-Server"));
            }
            assertEquals(1, net.stat("connections"));
            assertEquals(0, second.accepted.get());
        }
    }

    /**
     * The user-level server goes away while the accelerator is answering on a keep-alive connection: the
     * response under way is finished, and the request behind it that only a user-level server could answer
     * gets a 503 with a body, then the connection closes, the same in both modes.
     */
    @Test
    void whenTheUserServerHasGoneWhatItWouldPassIsAnswered503() throws Exception {
        try (AfpaNet net = new AfpaNet(mode())) {
            byte[] big = new byte[1 << 20];
            new SplittableRandom(17).nextBytes(big);
            net.file("/big.bin", big);
            UserServer user = net.user();
            net.awaitServing();
            try (HttpConn c = net.connect()) {
                c.send(HttpConn.get("/big.bin"));
                assertArrayEquals(big, c.read().body());
                // a response that cannot leave before the client reads, and behind it a DELETE
                c.send(HttpConn.get("/big.bin") + "DELETE /big.bin HTTP/1.1\r\nHost: t\r\n\r\n");
                user.close();
                assertArrayEquals(big, c.read().body(), "the response under way is finished");
                HttpConn.Response r = c.read();
                assertEquals(503, r.status());
                assertTrue(r.body().length > 0, "a 503 with a body");
                assertTrue(c.closedByServer());
            }
            assertEquals(0, net.stat("requests passed to user level"));
        }
    }

    @Test
    void whatItDoesNotServeReachesTheUserServerWithItsBytes() throws Exception {
        try (AfpaNet net = new AfpaNet(mode())) {
            net.file("/a.txt", "aaa".getBytes());
            UserServer user = net.user();
            net.awaitServing();
            String post = "POST /form HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nx=1&y";
            try (HttpConn c = net.connect()) {
                c.send(post);
                HttpConn.Response r = c.read();
                assertEquals("user", r.header("X-Server"));
                assertEquals(post, r.text());
            }
            String tail = "PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok";
            try (HttpConn c = net.connect()) {
                c.send(HttpConn.get("/a.txt"));
                assertEquals("aaa", c.read().text());
                c.send(tail);
                HttpConn.Response r = c.read();
                assertEquals("user", r.header("X-Server"));
                assertEquals(tail, r.text(), "after a served request the user server sees the next one whole");
            }
            assertEquals(2, net.stat("requests passed to user level"));
            assertEquals(2, user.accepted.get());
        }
    }

    @Test
    void pathsAskedInTurnOnOneConnectionAndTheNextGetTheirOwnFiles() throws Exception {
        try (AfpaNet net = new AfpaNet("hook")) {
            net.file("/a.txt", "aaa".getBytes());
            net.file("/b.txt", "bbbb".getBytes());
            net.file("/index.html", "home".getBytes());
            net.user();
            net.awaitServing();
            try (HttpConn c = net.connect()) {
                for (String p : new String[] {"/a.txt", "/b.txt", "/a.txt", "/", "/a.txt"}) {
                    c.send(HttpConn.get(p));
                    assertEquals(p.equals("/") ? "home" : p.equals("/a.txt") ? "aaa" : "bbbb", c.read().text(), p);
                }
            }
            try (HttpConn c = net.connect()) {
                c.send(HttpConn.get("/b.txt"));
                assertEquals("bbbb", c.read().text(), "a connection that reuses the last one's buffers");
            }
            assertEquals(0, net.stat("requests passed to user level"));
        }
    }
}
