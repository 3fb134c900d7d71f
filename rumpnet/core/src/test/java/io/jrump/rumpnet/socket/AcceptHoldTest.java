package io.jrump.rumpnet.socket;

import static io.jrump.hypercall.Errno.EAGAIN;
import static io.jrump.hypercall.Errno.ECONNABORTED;
import static io.jrump.hypercall.Errno.ECONNRESET;
import static io.jrump.hypercall.Errno.EINVAL;
import static io.jrump.rumpnet.socket.Sk.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.Kernel;
import io.jrump.testkit.RumpKernel;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Accept hold-back ({@link SoAcceptHook}): a kernel consumer takes a listener's new connections before
 * {@code accept} and hands the ones it does not serve to the user's server with what they already
 * received (AFPA's pass-through, issue 17), or closes them itself.
 */
@RumpKernel(components = "rumpnet")
class AcceptHoldTest {
    private record Held(Syscalls s, int lis, int client, AtomicReference<Socket> conn) {
    }

    /** A listener on {@code port} whose hook holds every connection, and a client connected to it. */
    private static Held holdOne(Kernel k, int port) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int lis = s.socket(AF, STREAM | SocketDefs.SOCK_NONBLOCK, 0);
        s.bind(lis, port(port));
        s.listen(lis, 5);
        AtomicReference<Socket> held = new AtomicReference<>();
        socketOf(k, lis).setAcceptHook((l, c) -> {
            held.set(c);
            return true;
        });
        int c = s.socket(AF, STREAM, 0);
        s.connect(c, port(port));
        assertNotNull(held.get(), "the hook saw the connection");
        return new Held(s, lis, c, held);
    }

    @Test
    void aHeldConnectionIsAcceptedOnlyOnceReleasedWithItsBytesIntact(Kernel k) throws Exception {
        Held h = holdOne(k, 90);
        Syscalls s = h.s();
        Socket lso = socketOf(k, h.lis());
        assertEquals(1, lso.heldLen());
        assertEquals(0, lso.qlen(), "a held connection is not on the accept queue");
        assertErrno(EAGAIN, () -> s.accept(h.lis(), null));
        assertEquals(5, s.write(h.client(), bytes("hello")));
        assertEquals(0, h.conn().get().releaseToAccept());
        assertEquals(0, lso.heldLen());
        int a = s.accept(h.lis(), null);
        assertEquals("hello", new String(readFully(s, a, 5)), "the bytes received while held are read after accept");
        assertEquals(3, s.write(a, bytes("bye")));
        assertEquals("bye", new String(readFully(s, h.client(), 3)));
        assertEquals(EINVAL, h.conn().get().releaseToAccept(), "an accepted connection is no longer held");
        s.close(a);
        s.close(h.client());
        s.close(h.lis());
    }

    @Test
    void releasingAfterTheListenerClosedResetsThePeer(Kernel k) throws Exception {
        Held h = holdOne(k, 91);
        Syscalls s = h.s();
        s.close(h.lis());
        Socket conn = h.conn().get();
        assertFalse(conn.isFreed(), "closing the listener leaves a held connection to its consumer");
        assertEquals(ECONNABORTED, conn.releaseToAccept());
        assertTrue(conn.isFreed());
        assertErrno(ECONNRESET, () -> s.read(h.client(), ByteBuffer.allocate(4)));
        s.close(h.client());
    }

    @Test
    void theConsumerClosesAHeldConnectionGracefullyOrAbortively(Kernel k) throws Exception {
        Held h = holdOne(k, 92);
        Syscalls s = h.s();
        Socket first = h.conn().get();
        first.closeByKernel();
        assertEquals(0, s.read(h.client(), ByteBuffer.allocate(4)), "a graceful close is end of stream");
        assertTrue(first.isFreed());
        assertEquals(EINVAL, first.releaseToAccept(), "a closed connection is no longer held");
        int c2 = s.socket(AF, STREAM, 0);
        s.connect(c2, port(92));
        Socket second = h.conn().get();
        assertTrue(second != first);
        second.abortByKernel();
        assertErrno(ECONNRESET, () -> s.read(c2, ByteBuffer.allocate(4)));
        assertEquals(0, socketOf(k, h.lis()).heldLen());
        s.close(c2);
        s.close(h.client());
        s.close(h.lis());
    }

    @Test
    void aHookThatDeclinesLeavesTheConnectionToAccept(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int lis = s.socket(AF, STREAM, 0);
        s.bind(lis, port(93));
        s.listen(lis, 5);
        AtomicReference<Socket> seen = new AtomicReference<>();
        socketOf(k, lis).setAcceptHook((l, c) -> {
            seen.set(c);
            return false;
        });
        int c = s.socket(AF, STREAM, 0);
        s.connect(c, port(93));
        int a = s.accept(lis, null);
        assertTrue(socketOf(k, a) == seen.get());
        s.close(a);
        s.close(c);
        s.close(lis);
    }
}
