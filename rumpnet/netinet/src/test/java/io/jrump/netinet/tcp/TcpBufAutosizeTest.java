package io.jrump.netinet.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.netinet.tcp.TcpTestContext.PeerOpts;
import org.junit.jupiter.api.Test;

/**
 * Receive-buffer autosizing (NetBSD's {@code net.inet.tcp.recvbuf_auto}), seen from the peer: a peer that
 * fills most of the buffer within one round trip, measured by the timestamps it echoes (RFC 7323 section
 * 4.3), gets a bigger buffer and so a bigger window; a slow peer or a user-sized buffer does not.
 */
class TcpBufAutosizeTest {
    private static final int PAYLOAD = 1448;
    private static final int INC = 16 * 1024;

    /** RFC 7323 section 2.2: the scale is fixed at the SYN, so it covers the largest automatic buffer (2 MB). */
    @Test
    void synAckOffersTheScaleOfTheLargestBuffer() throws Exception {
        try (TcpTestContext c = new TcpTestContext(1, true)) {
            Peer p = c.passiveOpen(PeerOpts.ALL);
            assertEquals(6, p.kernelShift, "65535 << 6 covers 2 MB");
        }
    }

    @Test
    void fastPeerGrowsTheReceiveBuffer() throws Exception {
        try (TcpTestContext c = new TcpTestContext(1, true)) {
            Peer p = c.passiveOpen(PeerOpts.ALL);
            int sent = roundTrip(c, p, TcpTestContext.RCVBUF / 8 * 7 + PAYLOAD);
            assertEquals(TcpTestContext.RCVBUF + INC, rcvbuf(c, p), "grown by net.inet.tcp.recvbuf_inc");
            assertEquals(sent, drain(c, p), "every byte arrives");
        }
    }

    @Test
    void slowPeerKeepsTheBuffer() throws Exception {
        try (TcpTestContext c = new TcpTestContext(1, true)) {
            Peer p = c.passiveOpen(PeerOpts.ALL);
            roundTrip(c, p, 64 * 1024);
            assertEquals(TcpTestContext.RCVBUF, rcvbuf(c, p));
        }
    }

    @Test
    void userSizedBufferIsKept() throws Exception {
        try (TcpTestContext c = new TcpTestContext(1, true)) {
            Peer p = c.passiveOpen(PeerOpts.ALL);
            c.sys.setsockopt(p.fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVBUF, TcpTestContext.RCVBUF);
            roundTrip(c, p, TcpTestContext.RCVBUF / 8 * 7 + PAYLOAD);
            assertEquals(TcpTestContext.RCVBUF, rcvbuf(c, p), "SO_RCVBUF turns autosizing off");
        }
    }

    @Test
    void sysctlOffKeepsTheBuffer() throws Exception {
        try (TcpTestContext c = new TcpTestContext(1, true)) {
            Peer p = c.passiveOpen(PeerOpts.ALL);
            c.sys.sysctlWrite("net.inet.tcp.recvbuf_auto", "0");
            roundTrip(c, p, TcpTestContext.RCVBUF / 8 * 7 + PAYLOAD);
            assertEquals(TcpTestContext.RCVBUF, rcvbuf(c, p));
        }
    }

    /**
     * Send side: a peer with a large window that acknowledges everything quickly lets the congestion window
     * outgrow the send buffer; from then on the buffer, kept full by the writer, is what limits the
     * connection, and it grows by {@code net.inet.tcp.sendbuf_inc}.
     */
    @Test
    void sendBufferGrowsWhenItLimitsAFastPath() throws Exception {
        try (TcpTestContext c = new TcpTestContext(1, true)) {
            Peer p = c.passiveOpen(PeerOpts.ALL);
            int grownAfter = pumpUntilSndbufGrows(c, p, 400);
            assertTrue(grownAfter > 0, "SO_SNDBUF still " + sndbuf(c, p) + " after 400 round trips");
            assertTrue(sndbuf(c, p) > TcpTestContext.RCVBUF);
        }
    }

    @Test
    void userSizedSendBufferIsKept() throws Exception {
        try (TcpTestContext c = new TcpTestContext(1, true)) {
            Peer p = c.passiveOpen(PeerOpts.ALL);
            c.sys.setsockopt(p.fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_SNDBUF, TcpTestContext.RCVBUF);
            assertEquals(-1, pumpUntilSndbufGrows(c, p, 100));
            assertEquals(TcpTestContext.RCVBUF, sndbuf(c, p), "SO_SNDBUF turns autosizing off");
        }
    }

    /**
     * Round trips of: fill the send buffer, acknowledge everything the kernel sent. Returns the round trip
     * after which SO_SNDBUF had grown, or -1.
     */
    private static int pumpUntilSndbufGrows(TcpTestContext c, Peer p, int rounds) throws ErrnoException {
        byte[] chunk = new byte[64 * 1024];
        for (int i = 1; i <= rounds; i++) {
            try {
                while (true) {
                    c.write(p.fd, chunk);
                }
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EAGAIN) {
                    throw e;
                }
            }
            for (Sent s : c.drain()) {
                p.saw(s);
            }
            p.inject(p.ack());
            if (sndbuf(c, p) > TcpTestContext.RCVBUF) {
                return i;
            }
        }
        return -1;
    }

    private static int sndbuf(TcpTestContext c, Peer p) throws ErrnoException {
        return c.sys.getsockopt(p.fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_SNDBUF);
    }

    /**
     * Sends at least {@code bytes} echoing the kernel's current TSval, lets the kernel's clock move on and
     * its next ACK carry a newer TSval, and sends one more segment echoing that: the end of one measured
     * round trip. Returns the bytes sent.
     */
    private static int roundTrip(TcpTestContext c, Peer p, int bytes) throws ErrnoException {
        int sent = 0;
        while (sent < bytes) {
            p.inject(p.data(PAYLOAD));
            sent += PAYLOAD;
            for (Sent s : c.drain()) {
                p.saw(s);
            }
        }
        c.advance(20 * TcpTestContext.MS);
        p.inject(p.data(PAYLOAD));
        sent += PAYLOAD;
        c.advance(300 * TcpTestContext.MS);
        for (Sent s : c.drain()) {
            p.saw(s);
        }
        p.inject(p.data(10));
        sent += 10;
        c.drain();
        return sent;
    }

    private static int rcvbuf(TcpTestContext c, Peer p) throws ErrnoException {
        return c.sys.getsockopt(p.fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVBUF);
    }

    /** Reads what the non-blocking socket holds, until EAGAIN. */
    private static int drain(TcpTestContext c, Peer p) throws ErrnoException {
        int n = 0;
        while (true) {
            try {
                n += c.read(p.fd, 1 << 20).length;
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EAGAIN) {
                    return n;
                }
                throw e;
            }
        }
    }
}
