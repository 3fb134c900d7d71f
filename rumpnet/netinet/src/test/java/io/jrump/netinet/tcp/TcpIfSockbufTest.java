package io.jrump.netinet.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.net.IfSockbufQuota;
import io.jrump.netinet.NetTestContext;
import io.jrump.wire.TcpFlags;
import org.junit.jupiter.api.Test;

/**
 * DART's {@code if_sockbuf} (seed 002, "Socket Buffering and Flow Control") seen from the peer: an
 * interface whose quota lies above {@code kern.sbmax} (256 KB) gives the socket made at SYN arrival, and
 * the connecting socket, that buffer, and the window scale in the SYN,ACK or SYN (the option's bytes on
 * the wire, RFC 7323 section 2.2) is the one that lets the peer see the whole of it.
 */
class TcpIfSockbufTest {
    private static final int FOUR_MB = 4 << 20;
    /** 65535 << 6 is just short of 4 MB: scale 7 is the smallest that covers it. */
    private static final int FOUR_MB_SCALE = 7;

    @Test
    void synAckOffersTheScaleOfTheRaisedBufferAndTheSocketGetsIt() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            c.ifp.setSockbufHook(IfSockbufQuota.parse(c.ifp, "4m"));
            c.listen(4);
            int peerIss = 0x1000;
            c.inject(c.seg().ports(TcpTestContext.REMOTE_PORT, TcpTestContext.LOCAL_PORT).seq(peerIss)
                    .flags(TcpFlags.SYN).mss(1460).wscale(2));
            byte[] synAck = nextTcpFrame(c);
            assertArrayEquals(new byte[] {3, 3, FOUR_MB_SCALE}, option(synAck, 3),
                    "SYN,ACK window scale option: kind 3, length 3, shift for 4 MB");
            int kernelIss = u32(synAck, tcpOff(synAck) + 4);
            c.inject(c.seg().ports(TcpTestContext.REMOTE_PORT, TcpTestContext.LOCAL_PORT).seq(peerIss + 1)
                    .ack(kernelIss + 1).flags(TcpFlags.ACK).window(65535));
            int fd = c.sys.accept(c.listenFd(), null);
            assertEquals(FOUR_MB, c.sys.getsockopt(fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVBUF),
                    "the accepted socket's receive buffer is the interface's quota, above kern.sbmax");
            assertEquals(FOUR_MB, c.sys.getsockopt(fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_SNDBUF));
            // The first scaled window announces the whole buffer.
            Sent upd = c.expect(Expect.flags(TcpFlags.ACK).ack(peerIss + 1).window(FOUR_MB >> FOUR_MB_SCALE));
            assertNotNull(upd);
            assertEquals(256 * 1024, Integer.parseInt(c.sys.sysctlRead("kern.sbmax").trim()),
                    "kern.sbmax, which bounds SO_RCVBUF, is not what allowed it");
        }
    }

    @Test
    void connectAsksForTheScaleOfTheRaisedBuffer() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            c.ifp.setSockbufHook(IfSockbufQuota.parse(c.ifp, "4m"));
            int fd = c.socket();
            try {
                c.sys.connect(fd, SockAddr.in(NetTestContext.REMOTE, TcpTestContext.REMOTE_PORT));
                fail("non-blocking connect");
            } catch (ErrnoException e) {
                assertEquals(Errno.EINPROGRESS, e.errno());
            }
            c.settle();
            byte[] syn = nextTcpFrame(c);
            assertArrayEquals(new byte[] {3, 3, FOUR_MB_SCALE}, option(syn, 3));
            assertEquals(FOUR_MB, c.sys.getsockopt(fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVBUF));
            assertEquals(FOUR_MB, c.sys.getsockopt(fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_SNDBUF));
        }
    }

    /**
     * {@code auto}: twice the rate times the round trip the handshake measured (SYN,ACK to ACK). 800 Mbit/s
     * over 20 ms is 2,000,000 bytes, twice that 4,000,000; the window scale was chosen for the quota's most, 16 MB (scale 9).
     */
    @Test
    void autoQuotaIsRateTimesTheMeasuredRoundTrip() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            c.ifp.setSockbufHook(IfSockbufQuota.parse(c.ifp, "auto rate 800mbit"));
            c.listen(4);
            int peerIss = 0x2000;
            c.inject(c.seg().ports(TcpTestContext.REMOTE_PORT, TcpTestContext.LOCAL_PORT).seq(peerIss)
                    .flags(TcpFlags.SYN).mss(1460).wscale(2));
            byte[] synAck = nextTcpFrame(c);
            assertArrayEquals(new byte[] {3, 3, 9}, option(synAck, 3), "scale for 16 MB");
            int kernelIss = u32(synAck, tcpOff(synAck) + 4);
            c.clock.advance(20_000_000L);
            c.inject(c.seg().ports(TcpTestContext.REMOTE_PORT, TcpTestContext.LOCAL_PORT).seq(peerIss + 1)
                    .ack(kernelIss + 1).flags(TcpFlags.ACK).window(65535));
            int fd = c.sys.accept(c.listenFd(), null);
            assertEquals(4_000_000, c.sys.getsockopt(fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVBUF));
        }
    }

    /** Without a quota nothing changes: the default buffer and its scale (3 for 256 KB). */
    @Test
    void withoutAQuotaTheDefaultsStay() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            c.listen(4);
            c.inject(c.seg().ports(TcpTestContext.REMOTE_PORT, TcpTestContext.LOCAL_PORT).seq(0x3000)
                    .flags(TcpFlags.SYN).mss(1460).wscale(2));
            byte[] synAck = nextTcpFrame(c);
            assertArrayEquals(new byte[] {3, 3, TcpTestContext.RCV_SCALE}, option(synAck, 3));
        }
    }

    @Test
    void badQuotaIsRefusedWithEinval() {
        for (String bad : new String[] {"lots", "auto rate", "auto rtt 40", "-1", "2g", "4m extra"}) {
            try {
                IfSockbufQuota.parse(null, bad);
                fail("accepted " + bad);
            } catch (ErrnoException e) {
                assertEquals(Errno.EINVAL, e.errno(), bad);
                assertTrue(e.getMessage().contains("sockbuf"), e.getMessage());
            }
        }
    }

    // ---- raw frames: the option bytes as they left

    private static byte[] nextTcpFrame(TcpTestContext c) {
        for (NetTestContext.Frame f = c.nextFrame(); f != null; f = c.nextFrame()) {
            byte[] b = f.bytes();
            if (b.length > 34 && (b[12] & 0xff) == 0x08 && b[13] == 0 && b[23] == 6) {
                return b;
            }
        }
        fail("the kernel sent no TCP segment");
        return null;
    }

    private static int tcpOff(byte[] f) {
        return 14 + (f[14] & 0x0f) * 4;
    }

    private static int u32(byte[] b, int o) {
        return (b[o] & 0xff) << 24 | (b[o + 1] & 0xff) << 16 | (b[o + 2] & 0xff) << 8 | b[o + 3] & 0xff;
    }

    /** The bytes of the first TCP option of {@code kind} in frame {@code f}, kind and length included. */
    private static byte[] option(byte[] f, int kind) {
        int t = tcpOff(f);
        int end = t + ((f[t + 12] & 0xf0) >> 4) * 4;
        for (int i = t + 20; i < end; ) {
            int k = f[i] & 0xff;
            if (k == 0) {
                break;
            }
            if (k == 1) {
                i++;
                continue;
            }
            int len = f[i + 1] & 0xff;
            if (k == kind) {
                return java.util.Arrays.copyOfRange(f, i, i + len);
            }
            i += Math.max(2, len);
        }
        fail("no option " + kind);
        return null;
    }
}
