package io.jrump.netinet.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrump.kern.syscall.SocketDefs;
import io.jrump.netinet.NetTestContext;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.socket.Socket;
import io.jrump.wire.EthernetFrame;
import io.jrump.wire.InternetChecksum;
import io.jrump.wire.IpProtocol;
import io.jrump.wire.Ipv4Packet;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A run of prebuilt frames in one mbuf ({@code MbufPool.getPrebuiltRun}, AFPA's back-to-back cache frames,
 * issue 17; seed {@code 000_e72d5458a6362c1e}): TCP cutting its own segments cuts at each frame's end and
 * completes each segment's checksum from that frame's own precomputed sum, not from the bytes; the run's
 * free hook fires once, after the last frame's ACK.
 */
class TcpPrebuiltRunTest {
    private static final int HEADROOM = 40;

    @Test
    void segmentsFollowTheFramesOfARunEachSummedFromItsOwnSum() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(TcpTestContext.PeerOpts.MSS);
            Socket so = TcpAcceptHoldTest.socketOf(c, p.fd);
            int[] sizes = {1001, 1400, 1400, 500};
            int total = Arrays.stream(sizes).sum();
            byte[] buf = NetTestContext.bytes(HEADROOM + total, 5);
            byte[] before = buf.clone();
            int[] sums = new int[sizes.length];
            for (int i = 0, o = HEADROOM; i < sizes.length; o += sizes[i], i++) {
                sums[i] = InternetChecksum.sum(buf, o, sizes[i]);
            }
            sums[2] += 1; // frame 2's sum one off: its segment, and only its, must come out one off
            AtomicInteger fired = new AtomicInteger();
            c.settle();
            Mbuf run = so.mbufs().getPrebuiltRun(buf, HEADROOM, total, HEADROOM, sizes[0], sums[0], 1400, sums, 0,
                    (b, o, l, a) -> fired.incrementAndGet(), null);
            so.lock().enter();
            try {
                assertEquals(0, so.sendLocked(run));
            } finally {
                so.lock().exit();
            }
            c.settle();
            List<NetTestContext.Frame> frames = new ArrayList<>(c.takeFrames());
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            List<Integer> lens = new ArrayList<>();
            List<Boolean> verified = new ArrayList<>();
            for (NetTestContext.Frame fr : frames) {
                byte[] b = fr.bytes();
                Ipv4Packet ip = new Ipv4Packet().wrap(b, EthernetFrame.HEADER_LEN, b.length - EthernetFrame.HEADER_LEN);
                if (ip.protocol() != IpProtocol.TCP) {
                    continue;
                }
                int off = EthernetFrame.HEADER_LEN + ip.headerLength();
                int len = ip.totalLength() - ip.headerLength();
                int thlen = ((b[off + 12] & 0xff) >> 4) * 4;
                if (len == thlen) {
                    continue;
                }
                lens.add(len - thlen);
                stream.write(b, off + thlen, len - thlen);
                int sum = InternetChecksum.add(
                        InternetChecksum.pseudoHeaderSum(NetTestContext.LOCAL, NetTestContext.REMOTE, IpProtocol.TCP, len),
                        InternetChecksum.sum(b, off, len));
                verified.add(sum == 0xffff);
            }
            assertEquals(List.of(1001, 1400, 1400, 500), lens, "one segment per frame of the run");
            assertEquals(List.of(true, true, false, true), verified,
                    "each segment's checksum comes from its frame's sum: the one off is off, the others verify");
            assertArrayEquals(Arrays.copyOfRange(buf, HEADROOM, HEADROOM + total), stream.toByteArray());
            assertEquals(0, fired.get(), "nothing acknowledged yet");
            p.rcvNxt += total;
            p.inject(p.seg().ack(p.rcvNxt));
            assertEquals(1, fired.get(), "the run's hook fires once, after the ACK of its last frame");
            assertArrayEquals(before, buf, "the owner's bytes were never written");
            c.sys.setsockopt(p.fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_LINGER, 0);
            c.sys.close(p.fd);
            c.takeFrames();
        }
    }
}
