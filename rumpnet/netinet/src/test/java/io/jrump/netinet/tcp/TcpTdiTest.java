package io.jrump.netinet.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.netinet.tdi.Tdi;
import io.jrump.netinet.tdi.TdiAddress;
import io.jrump.netinet.tdi.TdiConnection;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.wire.TcpFlags;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The transport driver interface ({@code io.jrump.netinet.tdi}) against a test-controlled peer: the
 * connect event at SYN time and the connection held back from the user's {@code accept}, declined
 * connections reaching {@code accept}, receive events for a request split over segments, send
 * completions exactly when the peer's ACK covers each request's last byte, completions with the
 * errno of a reset, disconnect events, and passing a connection with its unread bytes to the user.
 * Every kernel must halt clean, which the context checks.
 */
class TcpTdiTest {
    private static final String PEER = "198.18.0.2:";

    private int nextPort = TcpTestContext.REMOTE_PORT;

    /** The peer's SYN and the kernel's SYN,ACK; the caller sends the handshake's ACK. */
    private Peer synExchange(TcpTestContext ctx) {
        Peer p = new Peer(ctx, nextPort++, TcpTestContext.LOCAL_PORT, TcpTestContext.PeerOpts.MSS);
        p.peerIss = 0x10000000 + p.remotePort * 977;
        ctx.inject(syn(ctx, p));
        Sent synAck = ctx.expect(Expect.flags(TcpFlags.SYN | TcpFlags.ACK).ack(p.peerIss + 1).len(0));
        p.sndNxt = p.peerIss + 1;
        p.kernelIss = synAck.seq();
        p.rcvNxt = synAck.seq() + 1;
        return p;
    }

    private static Seg syn(TcpTestContext ctx, Peer p) {
        return p.opts.applyTo(ctx.seg().ports(p.remotePort, TcpTestContext.LOCAL_PORT).seq(p.peerIss)
                .flags(TcpFlags.SYN), p.tsClock, 0);
    }

    /** A connection the client took: SYN, SYN,ACK, ACK. */
    private Peer established(TcpTestContext ctx) {
        Peer p = synExchange(ctx);
        p.inject(p.ack());
        ctx.expectNothing("the handshake's ACK needs no answer");
        return p;
    }

    private static Tdi tdi(TcpTestContext ctx) {
        return ctx.kernel.service(Tdi.class);
    }

    private static Seg text(Peer p, String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        Seg seg = p.seg().flags(TcpFlags.ACK | TcpFlags.PSH).data(b);
        p.sndNxt += b.length;
        return seg;
    }

    private static void assertNoAccept(TcpTestContext ctx, int lfd) {
        ErrnoException e = assertThrows(ErrnoException.class, () -> ctx.sys.accept(lfd, null));
        assertEquals(Errno.EAGAIN, e.errno(), "accept sees no connection: " + e);
    }

    @Test
    void connectEventFiresAtSynAndTheAcceptedConnectionIsHeldFromTheUser() throws Exception {
        try (TcpTestContext ctx = new TcpTestContext()) {
            int lfd = ctx.listen(16);
            TdiClient client = new TdiClient();
            TdiAddress a = tdi(ctx).open(TcpTestContext.LOCAL_PORT, client);
            assertTrue(!a.ownsListener(), "the address attaches to the user's listener");
            Peer p = synExchange(ctx);
            assertEquals(List.of("connect " + PEER + p.remotePort), client.log, "the SYN fires the connect event");
            assertEquals(1, a.pendingAccepts());
            ctx.inject(syn(ctx, p));
            ctx.expect(Expect.flags(TcpFlags.SYN | TcpFlags.ACK).seq(p.kernelIss).ack(p.peerIss + 1));
            assertEquals(1, client.log.size(), "a retransmitted SYN is not a new connection: " + client.log);
            p.inject(p.ack());
            assertEquals(List.of("connect " + PEER + p.remotePort,
                    "accepted " + PEER + p.remotePort + " errno 0 ctx ctx-" + p.remotePort), client.log);
            assertNoAccept(ctx, lfd);
            assertEquals(1, a.listener().heldLen(), "held back from accept");
            assertEquals(0, a.listener().qlen());
            assertEquals(1, a.connectionCount());

            client.only().disconnect(false);
            ctx.settle();
            p.expect(Expect.flags(TcpFlags.FIN | TcpFlags.ACK).seq(p.rcvNxt).ack(p.sndNxt).len(0));
            p.inject(p.ack());
            p.inject(p.fin());
            p.expect(p.expectAck());
            assertEquals(0, a.listener().heldLen());
            assertEquals(0, a.connectionCount());
            assertEquals(2, client.log.size(), "no event after the client's own disconnect: " + client.log);
        }
    }

    @Test
    void aDeclinedConnectionReachesTheUserAsUsual() throws Exception {
        try (TcpTestContext ctx = new TcpTestContext()) {
            int lfd = ctx.listen(16);
            TdiClient client = new TdiClient();
            client.accept = false;
            tdi(ctx).open(TcpTestContext.LOCAL_PORT, client);
            Peer p = established(ctx);
            p.inject(text(p, "hello"));
            p.expect(p.expectAck());
            int fd = ctx.sys.accept(lfd, null);
            assertArrayEquals("hello".getBytes(StandardCharsets.ISO_8859_1), ctx.read(fd, 100));
            assertEquals(List.of("connect " + PEER + p.remotePort), client.log, "no events for a declined connection");
            ctx.sys.close(fd);
        }
    }

    @Test
    void receiveEventsSeeARequestSplitOverSegmentsGrow() throws Exception {
        try (TcpTestContext ctx = new TcpTestContext()) {
            ctx.listen(16);
            TdiClient client = new TdiClient();
            tdi(ctx).open(TcpTestContext.LOCAL_PORT, client);
            Peer p = established(ctx);
            client.log.clear();
            for (String part : List.of("GET /a HT", "TP/1.0\r\n", "\r", "\nGET")) {
                p.inject(text(p, part));
                ctx.drain();
            }
            assertEquals(List.of("receive GET /a HT (indicated 0)", "receive TP/1.0\\r\\n (indicated 9)",
                    "receive \\r (indicated 17)", "receive \\nGET (indicated 18)"), client.log);
            assertEquals("GET /a HTTP/1.0\r\n\r\n", client.taken.toString(StandardCharsets.ISO_8859_1));
            TcpCb tp = p.tcb();
            tp.so.lock().enter();
            try {
                assertEquals(3, tp.so.rcv.cc(), "what the client left stays in the receive buffer");
            } finally {
                tp.so.lock().exit();
            }
            client.only().disconnect(true);
            ctx.settle();
            p.expect(Expect.flags(TcpFlags.RST | TcpFlags.ACK).seq(p.rcvNxt));
        }
    }

    @Test
    void aReceiveEventMaySendTheReplyAndDisconnect() throws Exception {
        try (TcpTestContext ctx = new TcpTestContext()) {
            ctx.listen(16);
            TdiClient client = new TdiClient();
            client.reply = "HTTP/1.0 200 OK\r\n\r\nhi";
            TdiAddress addr = tdi(ctx).open(TcpTestContext.LOCAL_PORT, client);
            Peer p = established(ctx);
            client.log.clear();
            p.inject(text(p, "GET / HTTP/1.0\r\n\r\n"));
            List<Sent> out = ctx.drain();
            byte[] wire = new byte[0];
            for (Sent x : out) {
                assertEquals(p.rcvNxt + wire.length, x.seq(), "in order: " + out);
                assertEquals(p.sndNxt, x.ack(), "the request is acknowledged: " + out);
                wire = concat(wire, x.payload());
            }
            assertEquals(client.reply, new String(wire, StandardCharsets.ISO_8859_1));
            assertTrue(out.get(out.size() - 1).has(TcpFlags.FIN), "the FIN follows the reply: " + out);
            p.rcvNxt += wire.length + 1;
            p.inject(p.ack());
            p.inject(p.fin());
            p.expect(p.expectAck());
            assertEquals(List.of("receive GET / HTTP/1.0\\r\\n\\r\\n (indicated 0)", "reply queued errno 0",
                    "sent reply errno 0"), client.log);
            assertEquals(0, addr.connectionCount());
        }
    }

    @Test
    void aReceiveEventMayResetTheConnection() throws Exception {
        try (TcpTestContext ctx = new TcpTestContext()) {
            ctx.listen(16);
            TdiClient client = new TdiClient();
            client.reply = "no";
            client.abortAfterReply = true;
            tdi(ctx).open(TcpTestContext.LOCAL_PORT, client);
            Peer p = established(ctx);
            client.log.clear();
            p.inject(text(p, "GET / HTTP/1.0\r\n\r\n"));
            List<Sent> out = ctx.drain();
            assertTrue(out.get(out.size() - 1).has(TcpFlags.RST), "the connection is reset: " + out);
            assertEquals(List.of("receive GET / HTTP/1.0\\r\\n\\r\\n (indicated 0)", "reply queued errno 0",
                    "sent reply errno " + Errno.ECONNABORTED), client.log);
        }
    }

    @Test
    void sendsCompleteInOrderWhenTheAckCoversTheirLastByte() throws Exception {
        try (TcpTestContext ctx = new TcpTestContext()) {
            ctx.listen(16);
            TdiClient client = new TdiClient();
            tdi(ctx).open(TcpTestContext.LOCAL_PORT, client);
            Peer p = established(ctx);
            client.log.clear();
            TdiConnection c = client.only();
            byte[] a = TcpTestContext.bytes(1000, 1);
            byte[] b = TcpTestContext.bytes(2000, 2);
            byte[] d = TcpTestContext.bytes(500, 3);
            int start = p.rcvNxt;
            assertEquals(0, c.send(MbufCopy.fromBytes(ctx.inet.mbufs(), a, 0, a.length), client::sendDone, "a"));
            assertEquals(0, c.send(MbufCopy.fromBytes(ctx.inet.mbufs(), b, 0, b.length), client::sendDone, "b"));
            assertEquals(0, c.send(MbufCopy.fromBytes(ctx.inet.mbufs(), d, 0, d.length), client::sendDone, "d"));
            ctx.settle();
            byte[][] wire = {new byte[0]};
            Runnable collect = () -> {
                for (Sent s : ctx.drain()) {
                    assertEquals(start + wire[0].length, s.seq(), "in order: " + s);
                    wire[0] = concat(wire[0], s.payload());
                }
            };
            collect.run();
            assertEquals(3, c.pendingSends());
            assertEquals(List.of(), client.log, "nothing completes before an ACK");
            p.inject(p.seg().ack(start + 999));
            collect.run();
            assertEquals(List.of(), client.log, "one byte short of the first request's end");
            p.inject(p.seg().ack(start + 1000));
            collect.run();
            assertEquals(List.of("sent a errno 0"), client.log);
            p.inject(p.seg().ack(start + 2999));
            collect.run();
            assertEquals(List.of("sent a errno 0"), client.log);
            assertArrayEquals(concat(concat(a, b), d), wire[0], "the requests go out byte-exact, in order");
            p.rcvNxt = start + wire[0].length;
            p.inject(p.seg().ack(start + 3500));
            assertEquals(List.of("sent a errno 0", "sent b errno 0", "sent d errno 0"), client.log,
                    "one ACK completes every request it covers, in order, each once");
            p.inject(p.seg().ack(start + 3500));
            assertEquals(3, client.log.size(), "a duplicate ACK completes nothing again");
            assertEquals(0, c.pendingSends());
            c.disconnect(true);
            ctx.settle();
        }
    }

    @Test
    void aResetFailsPendingSendsAndIsAnAbortiveDisconnect() throws Exception {
        try (TcpTestContext ctx = new TcpTestContext()) {
            ctx.listen(16);
            TdiClient client = new TdiClient();
            TdiAddress addr = tdi(ctx).open(TcpTestContext.LOCAL_PORT, client);
            Peer p = established(ctx);
            client.log.clear();
            TdiConnection c = client.only();
            byte[] a = TcpTestContext.bytes(300, 4);
            byte[] b = TcpTestContext.bytes(300, 5);
            assertEquals(0, c.send(MbufCopy.fromBytes(ctx.inet.mbufs(), a, 0, a.length), client::sendDone, "a"));
            assertEquals(0, c.send(MbufCopy.fromBytes(ctx.inet.mbufs(), b, 0, b.length), client::sendDone, "b"));
            ctx.settle();
            ctx.drain();
            p.inject(p.seg().ack(p.rcvNxt + 300));
            p.inject(p.seg().flags(TcpFlags.RST).ack(0));
            assertEquals(List.of("sent a errno 0", "sent b errno " + Errno.ECONNRESET, "disconnect abortive"),
                    client.log);
            assertEquals(0, addr.connectionCount());
            byte[] more = TcpTestContext.bytes(10, 6);
            assertEquals(Errno.ENOTCONN, c.send(MbufCopy.fromBytes(ctx.inet.mbufs(), more, 0, more.length),
                    client::sendDone, "late"), "a send on a reset connection fails at once");
            assertEquals(3, client.log.size(), "and calls no completion: " + client.log);
        }
    }

    @Test
    void thePeersFinIsAGracefulDisconnectAndTheClientMayStillSend() throws Exception {
        try (TcpTestContext ctx = new TcpTestContext()) {
            ctx.listen(16);
            TdiClient client = new TdiClient();
            tdi(ctx).open(TcpTestContext.LOCAL_PORT, client);
            Peer p = established(ctx);
            client.log.clear();
            TdiConnection c = client.only();
            p.inject(p.fin());
            p.expect(p.expectAck());
            assertEquals(List.of("disconnect graceful"), client.log);
            byte[] a = TcpTestContext.bytes(100, 7);
            assertEquals(0, c.send(MbufCopy.fromBytes(ctx.inet.mbufs(), a, 0, a.length), client::sendDone, "bye"));
            c.disconnect(false);
            ctx.settle();
            List<Sent> out = ctx.drain();
            Sent last = out.get(out.size() - 1);
            assertTrue(last.has(TcpFlags.FIN), "the FIN follows the data: " + out);
            p.rcvNxt += 101;
            p.inject(p.seg().ack(p.rcvNxt));
            assertEquals(List.of("disconnect graceful", "sent bye errno 0"), client.log,
                    "the send completes though the client has let go, and no further event comes");
        }
    }

    @Test
    void passToUserHandsTheUnreadBytesToAccept() throws Exception {
        try (TcpTestContext ctx = new TcpTestContext()) {
            int lfd = ctx.listen(16);
            TdiClient client = new TdiClient();
            client.passOnReceive = true;
            TdiAddress addr = tdi(ctx).open(TcpTestContext.LOCAL_PORT, client);
            Peer p = established(ctx);
            assertNoAccept(ctx, lfd);
            p.inject(text(p, "POST /form HTTP/1.1\r\n"));
            p.expect(p.expectAck());
            assertEquals(0, addr.connectionCount());
            int fd = ctx.sys.accept(lfd, null);
            p.inject(text(p, "Content-Length: 0\r\n\r\n"));
            p.expect(p.expectAck());
            assertEquals("POST /form HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
                    new String(ctx.read(fd, 1000), StandardCharsets.ISO_8859_1),
                    "the user reads every byte, the ones the client saw first");
            assertEquals(3, client.log.size(), "no event after the pass: " + client.log);
            ctx.write(fd, "HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            assertEquals("HTTP/1.1 204 No Content\r\n\r\n",
                    new String(p.expect(Expect.flags(TcpFlags.ACK | TcpFlags.PSH).seq(p.rcvNxt)).payload(),
                            StandardCharsets.ISO_8859_1));
            ctx.sys.close(fd);
        }
    }

    @Test
    void anAcceptRequestWhoseHandshakeNeverCompletesTimesOut() throws Exception {
        try (TcpTestContext ctx = new TcpTestContext()) {
            ctx.listen(16);
            TdiClient client = new TdiClient();
            TdiAddress addr = tdi(ctx).open(TcpTestContext.LOCAL_PORT, client);
            Peer p = synExchange(ctx);
            Peer q = synExchange(ctx);
            q.inject(q.seg().flags(TcpFlags.RST).seq(q.peerIss + 1).ack(0));
            assertEquals("accepted - errno " + Errno.ECONNRESET + " ctx ctx-" + q.remotePort, client.log.get(2),
                    "a reset of the embryonic connection fails its request: " + client.log);
            for (int i = 0; i < 30 && client.log.size() < 4; i++) {
                ctx.advance(TcpTestContext.SEC);
            }
            assertEquals("accepted - errno " + Errno.ETIMEDOUT + " ctx ctx-" + p.remotePort, client.log.get(3),
                    "SYN,ACKs nobody answers fail the request: " + client.log);
            assertEquals(0, addr.pendingAccepts());
            ctx.drain();
        }
    }

    @Test
    void anAddressListensItselfWhenNoUserServerDoes() throws Exception {
        try (TcpTestContext ctx = new TcpTestContext()) {
            TdiClient client = new TdiClient();
            TdiAddress addr = tdi(ctx).open(TcpTestContext.LOCAL_PORT, client);
            assertTrue(addr.ownsListener());
            ErrnoException busy = assertThrows(ErrnoException.class,
                    () -> tdi(ctx).open(TcpTestContext.LOCAL_PORT, new TdiClient()));
            assertEquals(Errno.EADDRINUSE, busy.errno());
            Peer p = established(ctx);
            p.inject(text(p, "GET / HTTP/1.0\r\n\r\n"));
            TdiConnection c = client.only();
            byte[] reply = "HTTP/1.0 200 OK\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
            c.send(MbufCopy.fromBytes(ctx.inet.mbufs(), reply, 0, reply.length), client::sendDone, "reply");
            c.disconnect(false);
            ctx.settle();
            List<Sent> out = ctx.drain();
            byte[] wire = new byte[0];
            for (Sent s : out) {
                wire = concat(wire, s.payload());
            }
            assertArrayEquals(reply, wire);
            p.rcvNxt += reply.length + 1;
            p.inject(p.seg().ack(p.rcvNxt));
            p.inject(p.fin());
            assertEquals("sent reply errno 0", client.log.get(client.log.size() - 1));
            addr.close();
            assertEquals(null, tdi(ctx).address(TcpTestContext.LOCAL_PORT));
            assertEquals(null, ctx.tcp.listener(TcpTestContext.LOCAL_PORT), "its listener is gone");
        }
    }

    @Test
    void closingTheAddressPassesHeldConnectionsToTheUser() throws Exception {
        try (TcpTestContext ctx = new TcpTestContext()) {
            int lfd = ctx.listen(16);
            TdiClient client = new TdiClient();
            client.takeRequests = false;
            TdiAddress addr = tdi(ctx).open(TcpTestContext.LOCAL_PORT, client);
            Peer p = established(ctx);
            Peer q = synExchange(ctx);
            p.inject(text(p, "GET /x"));
            p.expect(p.expectAck());
            TdiConnection c = client.only();
            byte[] a = TcpTestContext.bytes(10, 8);
            c.send(MbufCopy.fromBytes(ctx.inet.mbufs(), a, 0, a.length), client::sendDone, "a");
            ctx.settle();
            ctx.drain();
            addr.close();
            assertEquals(List.of("accepted - errno " + Errno.ECANCELED + " ctx ctx-" + q.remotePort,
                    "sent a errno " + Errno.ECANCELED),
                    client.log.subList(client.log.size() - 2, client.log.size()),
                    "the pending send and the request under way are cancelled");
            int fd = ctx.sys.accept(lfd, null);
            assertEquals("GET /x", new String(ctx.read(fd, 100), StandardCharsets.ISO_8859_1));
            q.inject(q.ack());
            int fd2 = ctx.sys.accept(lfd, null);
            SockAddr peer = new SockAddr();
            ctx.sys.getpeername(fd2, peer);
            assertEquals(q.remotePort, peer.port, "a handshake completing after the close goes to the user");
            int n = client.log.size();
            p.inject(text(p, " HTTP/1.0\r\n\r\n"));
            assertEquals(n, client.log.size(), "no callback after close: " + client.log);
            ctx.sys.close(fd);
            ctx.sys.close(fd2);
        }
    }

    static byte[] concat(byte[] x, byte[] y) {
        byte[] r = Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, r, x.length, y.length);
        return r;
    }
}
