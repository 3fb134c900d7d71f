package io.jrump.rumpnet.socket;

import static io.jrump.hypercall.Errno.EPIPE;
import static io.jrump.rumpnet.socket.Sk.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jrump.kern.Kernel;
import io.jrump.kern.file.Poll;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.testkit.RumpKernel;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The locked calls a kernel consumer makes from inside an upcall ({@link SoLocked}): an echo served
 * entirely in the data-arrival upcall, which {@code sosend} would deadlock on the socket lock.
 */
@RumpKernel(components = "rumpnet")
class LockedIoTest {
    @Test
    void anUpcallEchoesWhatArrivesAndPeeksWithoutTaking(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int[] p = streamPair(s, 70);
        Socket server = socketOf(k, p[2]);
        CopyOnWriteArrayList<String> peeked = new CopyOnWriteArrayList<>();
        server.setUpcall((so, ev) -> {
            if ((ev & Poll.POLLIN) == 0) {
                return;
            }
            byte[] b = new byte[16];
            int n = so.peekLocked(1, b, 0, b.length);
            peeked.add(new String(b, 0, n));
            Mbuf m;
            // three bytes at a time: whole mbufs move, a cut one is split
            while ((m = so.receiveLocked(3)) != null) {
                assertEquals(0, so.sendLocked(m));
            }
        });
        assertEquals(7, s.write(p[1], bytes("echo me")));
        assertEquals("echo me", new String(readFully(s, p[1], 7)));
        assertEquals("cho me", peeked.get(0), "a peek from offset 1 sees the bytes before they are taken");
        assertEquals(0, server.rcv.cc(), "the upcall took everything");
        s.close(p[0]);
        s.close(p[1]);
        s.close(p[2]);
    }

    @Test
    void sendingOnAShutSocketIsEpipeAndTheChainIsFreed(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int[] p = streamPair(s, 71);
        Socket server = socketOf(k, p[2]);
        s.shutdown(p[2], io.jrump.kern.syscall.SocketDefs.SHUT_WR);
        server.lock().enter();
        try {
            assertEquals(EPIPE, server.sendLocked(MbufCopy.fromBytes(server.mbufs(), new byte[10], 0, 10)));
            assertNull(server.receiveLocked(10));
            assertEquals(0, server.peekLocked(0, new byte[4], 0, 4));
        } finally {
            server.lock().exit();
        }
        assertThrows(IllegalStateException.class, () -> server.receiveLocked(1), "the lock must be held");
        s.close(p[0]);
        s.close(p[1]);
        s.close(p[2]);
    }
}
