package io.jrump.netinet.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.syscall.SocketDefs;
import io.jrump.netinet.NetTestContext;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.rumpnet.socket.Socket;
import io.jrump.wire.EthernetFrame;
import io.jrump.wire.InternetChecksum;
import io.jrump.wire.IpProtocol;
import io.jrump.wire.Ipv4Packet;
import io.jrump.wire.TcpFlags;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * Prebuilt frames on the wire ({@code MbufPool.getPrebuilt}, AFPA's cache objects, issue 17; seed
 * {@code 000_e72d5458a6362c1e}): a segment starting at a frame carries exactly that frame with a
 * checksum completed from the frame's precomputed sum, a frame too large for a segment is cut as any
 * data, the owner's bytes are never written, and each frame's free hook fires once, after its ACK.
 */
class TcpPrebuiltTest {
    private static final int HEADROOM = 54;

    /** Frames of the given payload sizes laid out in one buffer, each after {@link #HEADROOM} bytes. */
    private static final class Frames {
        final int[] sizes;
        final int[] offs;
        final byte[] buf;
        final AtomicIntegerArray freed;

        Frames(int... sizes) {
            this.sizes = sizes;
            this.offs = new int[sizes.length];
            int total = 0;
            for (int i = 0; i < sizes.length; i++) {
                offs[i] = total + HEADROOM;
                total += HEADROOM + sizes[i];
            }
            buf = NetTestContext.bytes(total, 11);
            freed = new AtomicIntegerArray(sizes.length);
        }

        byte[] payload(int i) {
            return Arrays.copyOfRange(buf, offs[i], offs[i] + sizes[i]);
        }

        /** Frame {@code i} as a prebuilt mbuf whose sum is {@code sumDelta} off the true one. */
        Mbuf mbuf(MbufPool pool, int i, int sumDelta) {
            int sum = InternetChecksum.sum(buf, offs[i], sizes[i]) + sumDelta;
            return pool.getPrebuilt(buf, offs[i], sizes[i], HEADROOM, sum,
                    (b, o, l, a) -> freed.incrementAndGet((Integer) a), i);
        }

        /** All frames as one chain. */
        Mbuf chain(MbufPool pool) {
            Mbuf head = null;
            Mbuf tail = null;
            for (int i = 0; i < sizes.length; i++) {
                Mbuf m = mbuf(pool, i, 0);
                if (head == null) {
                    head = m;
                } else {
                    tail.setNext(m);
                }
                tail = m;
            }
            return head;
        }

        int fired(int i) {
            return freed.get(i);
        }
    }

    private static int sendLocked(Socket so, Mbuf chain) {
        so.lock().enter();
        try {
            return so.sendLocked(chain);
        } finally {
            so.lock().exit();
        }
    }

    @Test
    void segmentsFollowFrameBoundariesWithCorrectChecksumsAndHooksFireAfterTheAck() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            c.sys.sysctlWrite("net.inet.tcp.init_win", "0");
            Peer p = c.passiveOpen(TcpTestContext.PeerOpts.MSS);
            Socket so = TcpAcceptHoldTest.socketOf(c, p.fd);
            Frames f = new Frames(1000, 1460, 1, 300, 3000, 700);
            byte[] before = f.buf.clone();
            assertEquals(0, sendLocked(so, f.chain(so.mbufs())));
            int base = p.rcvNxt;
            // Frames that fit go one per segment, never merged with the next; the 3000-byte frame is cut
            // at the MSS; the congestion window (RFC 5681's three segments' worth at first, init_win 0) stops the rest.
            int[] firstLens = {1000, 1460, 1, 300, 1460};
            java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < firstLens.length; i++) {
                Sent s = p.expect(Expect.flags(TcpFlags.ACK).seq(base + stream.size()).len(firstLens[i]));
                stream.write(s.payload());
            }
            c.expectNothing("the congestion window is full");
            byte[] all = new byte[6461];
            int[] ends = new int[6];
            for (int i = 0, o = 0; i < 6; o += f.sizes[i], ends[i] = o, i++) {
                System.arraycopy(f.payload(i), 0, all, o, f.sizes[i]);
            }
            assertArrayEquals(Arrays.copyOf(all, stream.size()), stream.toByteArray());
            // ACK frame 0, then frames 1 and 2, then whatever was sent last, until all went out
            for (int step = 0; step < 10 && stream.size() < all.length; step++) {
                int acked = step == 0 ? 1000 : step == 1 ? 2461 : stream.size();
                p.inject(p.seg().ack(base + acked));
                for (int i = 0; i < 6; i++) {
                    assertEquals(ends[i] <= acked ? 1 : 0, f.fired(i), "frame " + i + "'s hook after ACK of " + acked);
                }
                for (Sent s : c.drain()) {
                    assertEquals(base + stream.size(), s.seq(), "in order, no retransmission");
                    stream.write(s.payload());
                    p.saw(s);
                }
            }
            assertEquals(all.length, stream.size(), "everything sent");
            assertArrayEquals(all, stream.toByteArray(), "byte-exact, every checksum verified by the parser");
            p.inject(p.seg().ack(p.rcvNxt));
            for (int i = 0; i < 6; i++) {
                assertEquals(1, f.fired(i), "each hook fires exactly once: frame " + i);
            }
            assertArrayEquals(before, f.buf, "the owner's bytes, headroom included, were never written");
            c.sys.close(p.fd);
        }
    }

    @Test
    void theChecksumComesFromTheFramesSumNotFromItsBytes() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(TcpTestContext.PeerOpts.MSS);
            Socket so = TcpAcceptHoldTest.socketOf(c, p.fd);
            Frames f = new Frames(999, 1000);
            c.settle();
            assertEquals(0, sendLocked(so, f.mbuf(so.mbufs(), 0, 0)));
            c.settle();
            assertTrue(tcpChecksumVerifies(c.nextFrame()), "an odd-length frame with its true sum verifies");
            p.inject(p.seg().ack(p.rcvNxt + 999));
            assertEquals(0, sendLocked(so, f.mbuf(so.mbufs(), 1, 1)));
            c.settle();
            assertFalse(tcpChecksumVerifies(c.nextFrame()),
                    "a sum one off gives a checksum one off: the payload was not summed again");
            c.sys.setsockopt(p.fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_LINGER, 0);
            c.sys.close(p.fd);
            c.takeFrames();
        }
    }

    private static boolean tcpChecksumVerifies(NetTestContext.Frame fr) {
        byte[] b = fr.bytes();
        Ipv4Packet ip = new Ipv4Packet().wrap(b, EthernetFrame.HEADER_LEN, b.length - EthernetFrame.HEADER_LEN);
        int off = EthernetFrame.HEADER_LEN + ip.headerLength();
        int len = ip.totalLength() - ip.headerLength();
        int sum = InternetChecksum.add(
                InternetChecksum.pseudoHeaderSum(NetTestContext.LOCAL, NetTestContext.REMOTE, IpProtocol.TCP, len),
                InternetChecksum.sum(b, off, len));
        return sum == 0xffff;
    }

    /**
     * A retransmission of a frame is built from the same read-only bytes while an earlier copy may still
     * be queued in a driver (here a copy the test keeps): the retransmitted segment is byte-exact, the
     * owner's bytes are untouched, and the hook waits for both the ACK and the last copy.
     */
    @Test
    void aRetransmissionNeverCorruptsAFrameStillInFlight() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(TcpTestContext.PeerOpts.MSS);
            Socket so = TcpAcceptHoldTest.socketOf(c, p.fd);
            Frames f = new Frames(1200);
            byte[] before = f.buf.clone();
            assertEquals(0, sendLocked(so, f.mbuf(so.mbufs(), 0, 0)));
            Sent first = p.expect(Expect.flags(TcpFlags.ACK | TcpFlags.PSH).len(1200));
            Mbuf inDriver;
            so.lock().enter();
            try {
                inDriver = MbufCopy.copym(so.snd.first(), 0, 1200);
            } finally {
                so.lock().exit();
            }
            Sent again = c.awaitSegment(5 * TcpTestContext.SEC);
            assertTrue(again != null && again.seq() == first.seq() && again.payload().length == 1200,
                    "the frame is retransmitted whole: " + again);
            assertArrayEquals(f.payload(0), again.payload());
            assertArrayEquals(before, f.buf);
            p.inject(p.seg().ack(first.seq() + 1200));
            assertEquals(0, f.fired(0), "a copy is still in the driver");
            assertArrayEquals(f.payload(0), MbufCopy.toBytes(inDriver), "the driver's copy is intact");
            so.mbufs().freeChain(inDriver);
            assertEquals(1, f.fired(0), "released once with its last copy");
            c.sys.close(p.fd);
        }
    }
}
