package io.jrump.afpa;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/**
 * With {@code net.afpa.enable=0} the accelerator stays out of the way: the user-level server on the
 * port sees every connection and its bytes, as if the component were not loaded (issue 17).
 */
class AfpaDisabledTest {
    @Test
    void aDisabledAcceleratorLeavesEveryConnectionToTheUserServer() throws Exception {
        try (AfpaNet net = new AfpaNet("hook")) {
            net.server.syscalls().sysctlWrite("net.afpa.enable", "0");
            net.file("/index.html", "<p>kernel</p>".getBytes());
            UserServer user = net.user();
            try (HttpConn c = net.connect()) {
                String req = "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n";
                c.send(req);
                HttpConn.Response r = c.read();
                assertEquals(200, r.status());
                assertEquals("user", r.header("X-Server"));
                assertEquals(req, r.text());
            }
            assertEquals(0, net.stat("hits"));
            assertEquals(0, net.stat("requests passed to user level"));
        }
    }
}
