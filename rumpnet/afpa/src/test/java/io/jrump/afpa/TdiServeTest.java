package io.jrump.afpa;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/**
 * Tdi mode (the Windows 2000 seed) through the same scenarios as hook mode, and its own case: with no
 * user-level server on the port the accelerator listens by itself and answers 503 to what it would
 * otherwise pass on.
 */
class TdiServeTest extends HookServeTest {
    @Override
    String mode() {
        return "tdi";
    }

    @Test
    void withoutAUserServerWhatItDoesNotServeIsAnswered503() throws Exception {
        try (AfpaNet net = new AfpaNet(mode())) {
            net.file("/a.txt", "aaa".getBytes());
            net.awaitServing();
            try (HttpConn c = net.connect()) {
                c.send(HttpConn.get("/a.txt"));
                assertEquals("aaa", c.read().text());
                c.send("DELETE /a.txt HTTP/1.1\r\nHost: h\r\n\r\n");
                assertEquals(503, c.read().status());
                assertTrue(c.closedByServer());
            }
        }
    }
}
