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
}
