package io.jrump.netinet.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrump.kern.file.Poll;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.socket.Socket;
import io.jrump.wire.TcpFlags;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A TCP connection served from its data-arrival upcall with the socket lock held, as AFPA's hook mode
 * does (issue 17): the upcall takes the request with {@code receiveLocked} and answers with
 * {@code sendLocked}, which appends to the send buffer and runs TCP output at once.
 */
class TcpLockedIoTest {
    @Test
    void anUpcallEchoesEachSegmentInOneSegmentCarryingTheAck() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(TcpTestContext.PeerOpts.MSS);
            Socket so = TcpAcceptHoldTest.socketOf(c, p.fd);
            AtomicInteger errors = new AtomicInteger();
            so.setUpcall((s, ev) -> {
                if ((ev & Poll.POLLIN) == 0) {
                    return;
                }
                Mbuf m = s.receiveLocked(s.snd.space());
                if (m != null && s.sendLocked(m) != 0) {
                    errors.incrementAndGet();
                }
            });
            for (int i = 0; i < 3; i++) {
                byte[] request = TcpTestContext.bytes(200 + i, i);
                p.inject(p.seg().flags(TcpFlags.ACK | TcpFlags.PSH).data(request));
                p.sndNxt += request.length;
                Sent echo = p.expect(Expect.flags(TcpFlags.ACK | TcpFlags.PSH).seq(p.rcvNxt).ack(p.sndNxt)
                        .len(request.length));
                assertArrayEquals(request, echo.payload(), "segment " + i + " echoed from the upcall");
                p.inject(p.ack());
                c.expectNothing("the echo carried the ACK");
            }
            assertEquals(0, errors.get());
            assertEquals(0, so.rcv.cc());
            c.sys.close(p.fd);
            c.expect(Expect.flags(TcpFlags.FIN | TcpFlags.ACK).seq(p.rcvNxt));
        }
    }

    /**
     * A held connection answered and closed from its data-arrival upcall, as AFPA answers a request with
     * {@code Connection: close}: the answer and the FIN go out, and the connection ends cleanly.
     */
    @Test
    void anUpcallAnswersAndClosesAHeldConnection() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            int l = c.listen(4);
            byte[] answer = TcpTestContext.bytes(300, 9);
            TcpAcceptHoldTest.socketOf(c, l).setAcceptHook((lis, conn) -> {
                conn.setUpcall((s, ev) -> {
                    if ((ev & Poll.POLLIN) != 0 && s.rcv.cc() >= 10) {
                        s.mbufs().freeChain(s.receiveLocked(10));
                        s.sendLocked(io.jrump.rumpnet.mbuf.MbufCopy.fromBytes(s.mbufs(), answer, 0, answer.length));
                        s.closeByKernel();
                    }
                });
                return true;
            });
            int port = 48100;
            c.inject(c.seg().ports(port, TcpTestContext.LOCAL_PORT).seq(port * 1000).flags(TcpFlags.SYN).mss(1460));
            Sent sa = c.expect(Expect.flags(TcpFlags.SYN | TcpFlags.ACK));
            c.inject(c.seg().ports(port, TcpTestContext.LOCAL_PORT).seq(port * 1000 + 1).ack(sa.seq() + 1)
                    .flags(TcpFlags.ACK | TcpFlags.PSH).data(TcpTestContext.bytes(10, 1)));
            Sent out = c.poll();
            assertEquals(300, out.payload().length, "the answer: " + out);
            assertArrayEquals(answer, out.payload());
            int fin = out.has(TcpFlags.FIN) ? out.seq() + 300 : c.expect(Expect.flags(TcpFlags.FIN | TcpFlags.ACK)).seq();
            c.inject(c.seg().ports(port, TcpTestContext.LOCAL_PORT).seq(port * 1000 + 11).ack(fin + 1)
                    .flags(TcpFlags.ACK | TcpFlags.FIN));
            c.expect(Expect.flags(TcpFlags.ACK).ack(port * 1000 + 12));
            assertEquals(0, TcpAcceptHoldTest.socketOf(c, l).heldLen());
        }
    }

    /** An upcall that resets its held connection when data arrives: a RST goes out and nothing is left. */
    @Test
    void anUpcallAbortsAHeldConnection() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            int l = c.listen(4);
            TcpAcceptHoldTest.socketOf(c, l).setAcceptHook((lis, conn) -> {
                conn.setUpcall((s, ev) -> {
                    if ((ev & Poll.POLLIN) != 0 && s.rcv.cc() > 0) {
                        s.abortByKernel();
                    }
                });
                return true;
            });
            int port = 48200;
            c.inject(c.seg().ports(port, TcpTestContext.LOCAL_PORT).seq(port * 1000).flags(TcpFlags.SYN).mss(1460));
            Sent sa = c.expect(Expect.flags(TcpFlags.SYN | TcpFlags.ACK));
            c.inject(c.seg().ports(port, TcpTestContext.LOCAL_PORT).seq(port * 1000 + 1).ack(sa.seq() + 1)
                    .flags(TcpFlags.ACK | TcpFlags.PSH).data(TcpTestContext.bytes(10, 1)));
            c.expect(Expect.flags(TcpFlags.RST | TcpFlags.ACK).seq(sa.seq() + 1));
            c.expectNothing("nothing after the reset");
            assertEquals(1, c.tcp.connections().size(), "only the listener is left");
        }
    }
}
