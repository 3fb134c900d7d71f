package io.jrump.afpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The accelerator attaches to the user-level server's listener, in both modes, and takes the very first
 * connection after it is configured: a {@code sysctl -w} that enables it on a port where a user-level
 * server listens attaches before the write returns, and a user-level server that starts listening on the
 * port later is found by its {@code listen(2)}, not by the once-a-second poll. It never takes the port for
 * itself: enabled before any server, it leaves the port to the server's {@code bind}, and a client meanwhile
 * is refused as it would be without the accelerator.
 */
class AfpaAttachTest {
    @ParameterizedTest
    @ValueSource(strings = {"hook", "tdi"})
    void enablingOverAListeningServerServesTheFirstRequest(String mode) throws Exception {
        try (AfpaNet net = new AfpaNet(mode)) {
            net.file("/a.txt", "aaa".getBytes());
            net.user(true);
            net.server.syscalls().sysctlWrite("net.afpa.enable", "1");
            assertFirstRequestAccelerated(net);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hook", "tdi"})
    void enabledBeforeAnyServerItLeavesThePortToTheServerWhoseListenItFinds(String mode) throws Exception {
        try (AfpaNet net = new AfpaNet(mode)) {
            net.file("/a.txt", "aaa".getBytes());
            net.server.syscalls().sysctlWrite("net.afpa.enable", "1");
            assertFalse(net.afpa.serving(), "no server on the port, nothing to attach to");
            assertEquals(Errno.ECONNREFUSED, connectErrno(net.client.syscalls()),
                    "a client is refused as without the accelerator");
            net.userListening(true);
            assertFirstRequestAccelerated(net);
        }
    }

    private static int connectErrno(Syscalls sys) throws ErrnoException {
        int fd = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
        try {
            sys.connect(fd, SockAddr.in(AfpaNet.SERVER, AfpaNet.PORT));
            return 0;
        } catch (ErrnoException e) {
            return e.errno();
        } finally {
            sys.close(fd);
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
