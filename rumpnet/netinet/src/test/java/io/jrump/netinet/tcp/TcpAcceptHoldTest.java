package io.jrump.netinet.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.KFile;
import io.jrump.rumpnet.socket.Socket;
import io.jrump.wire.TcpFlags;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * TCP connections held back from {@code accept} by a kernel consumer ({@code SoAcceptHook}, the AFPA
 * accelerator's pass-through, issue 17): what the peer sees on the wire while the connection is held,
 * after it is released to the user's listener, and when the consumer or the listener lets go of it.
 */
class TcpAcceptHoldTest {
    private static final int PORT = 48000;

    static Socket socketOf(TcpTestContext c, int fd) throws ErrnoException {
        KFile fp = c.kernel.proc1().files().get(fd);
        try {
            return (Socket) fp.data();
        } finally {
            c.kernel.proc1().files().put(fp);
        }
    }

    /** Listens with a hook that holds every connection; returns where the hook leaves the last one. */
    private static AtomicReference<Socket> holdAll(TcpTestContext c) throws ErrnoException {
        int l = c.listen(4);
        AtomicReference<Socket> held = new AtomicReference<>();
        socketOf(c, l).setAcceptHook((lis, conn) -> {
            held.set(conn);
            return true;
        });
        return held;
    }

    /** SYN, SYN-ACK and the handshake's ACK carrying {@code data} from {@code port}; the SYN-ACK. */
    private static Sent handshake(TcpTestContext c, int port, byte[] data) {
        c.inject(c.seg().ports(port, TcpTestContext.LOCAL_PORT).seq(port * 1000).flags(TcpFlags.SYN).mss(1460));
        Sent sa = c.expect(Expect.flags(TcpFlags.SYN | TcpFlags.ACK));
        c.inject(c.seg().ports(port, TcpTestContext.LOCAL_PORT).seq(port * 1000 + 1).ack(sa.seq() + 1)
                .flags(TcpFlags.ACK | (data.length > 0 ? TcpFlags.PSH : 0)).data(data));
        return sa;
    }

    @Test
    void aReleasedConnectionIsAcceptedWithTheBytesReceivedWhileHeld() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            AtomicReference<Socket> held = holdAll(c);
            byte[] request = TcpTestContext.bytes(100, 7);
            Sent sa = handshake(c, PORT, request);
            c.expect(Expect.flags(TcpFlags.ACK).seq(sa.seq() + 1).ack(PORT * 1000 + 101).len(0));
            assertNotNull(held.get());
            ErrnoException e = assertThrows(ErrnoException.class, () -> c.sys.accept(c.listenFd(), null));
            assertEquals(Errno.EAGAIN, e.errno(), "a held connection is invisible to accept");
            assertEquals(0, held.get().releaseToAccept());
            int fd = c.sys.accept(c.listenFd(), null);
            assertArrayEquals(request, c.read(fd, 1000));
            c.expectNothing("releasing sends nothing");
            c.sys.close(fd);
            c.expect(Expect.flags(TcpFlags.FIN | TcpFlags.ACK).seq(sa.seq() + 1));
        }
    }

    @Test
    void releasingAfterTheListenerClosedResetsThePeer() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            AtomicReference<Socket> held = holdAll(c);
            Sent sa = handshake(c, PORT + 1, new byte[0]);
            c.sys.close(c.listenFd());
            c.expectNothing("a held connection outlives its listener");
            assertEquals(Errno.ECONNABORTED, held.get().releaseToAccept());
            c.expect(Expect.flags(TcpFlags.RST | TcpFlags.ACK).seq(sa.seq() + 1).ack((PORT + 1) * 1000 + 1));
            assertTrue(held.get().isFreed());
            assertEquals(0, c.tcp.connections().size(), "no connection left");
        }
    }

    @Test
    void theConsumerClosesGracefullyWithAFinAndAbortivelyWithARst() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            AtomicReference<Socket> held = holdAll(c);
            Sent sa = handshake(c, PORT + 2, new byte[0]);
            held.get().closeByKernel();
            c.settle();
            c.expect(Expect.flags(TcpFlags.FIN | TcpFlags.ACK).seq(sa.seq() + 1));
            c.inject(c.seg().ports(PORT + 2, TcpTestContext.LOCAL_PORT).seq((PORT + 2) * 1000 + 1).ack(sa.seq() + 2)
                    .flags(TcpFlags.ACK | TcpFlags.FIN));
            c.expect(Expect.flags(TcpFlags.ACK).seq(sa.seq() + 2).ack((PORT + 2) * 1000 + 2));
            assertEquals(Errno.EINVAL, held.get().releaseToAccept(), "a closed connection is no longer held");

            Sent sb = handshake(c, PORT + 3, new byte[0]);
            held.get().abortByKernel();
            c.settle();
            c.expect(Expect.flags(TcpFlags.RST | TcpFlags.ACK).seq(sb.seq() + 1));
            assertEquals(0, socketOf(c, c.listenFd()).heldLen());
        }
    }

    @Test
    void aHeldConnectionResetByThePeerIsFreed() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            AtomicReference<Socket> held = holdAll(c);
            handshake(c, PORT + 4, new byte[0]);
            c.inject(c.seg().ports(PORT + 4, TcpTestContext.LOCAL_PORT).seq((PORT + 4) * 1000 + 1).flags(TcpFlags.RST));
            assertTrue(held.get().isFreed());
            assertEquals(0, socketOf(c, c.listenFd()).heldLen());
            assertEquals(Errno.ECONNABORTED, held.get().releaseToAccept());
            c.expectNothing("a RST is not answered");
        }
    }
}
