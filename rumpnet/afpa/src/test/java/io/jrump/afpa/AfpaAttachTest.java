package io.jrump.afpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The accelerator takes the very first connection after it is configured: a {@code sysctl -w} that
 * enables it on a port where a user-level server listens attaches before the write returns, and a
 * user-level server that starts listening on the port later is found by its {@code listen(2)}, not by
 * the once-a-second poll.
 */
class AfpaAttachTest {
    @Test
    void enablingOverAListeningServerServesTheFirstRequest() throws Exception {
        try (AfpaNet net = new AfpaNet("hook")) {
            net.file("/a.txt", "aaa".getBytes());
            net.user(true);
            net.server.syscalls().sysctlWrite("net.afpa.enable", "1");
            assertFirstRequestAccelerated(net);
        }
    }

    @Test
    void aServerListeningAfterEnableIsFoundByItsListen() throws Exception {
        try (AfpaNet net = new AfpaNet("hook")) {
            net.file("/a.txt", "aaa".getBytes());
            net.server.syscalls().sysctlWrite("net.afpa.enable", "1");
            net.userListening(true);
            assertFirstRequestAccelerated(net);
        }
    }

    private static void assertFirstRequestAccelerated(AfpaNet net) throws Exception {
        assertTrue(net.afpa.serving(), "the accelerator serves the port once the call returned");
        try (HttpConn c = net.connect()) {
            c.send(HttpConn.get("/a.txt"));
            HttpConn.Response r = c.read();
            assertEquals("aaa", r.text());
            assertNull(r.header("X-Server"), "answered by the accelerator, not the user-level server");
        }
        assertEquals(1, net.stat("misses"));
        assertEquals(0, net.stat("requests passed to user level"));
    }
}
