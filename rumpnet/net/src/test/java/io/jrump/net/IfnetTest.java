package io.jrump.net;

import static io.jrump.net.NetTestSupport.BROADCAST;
import static io.jrump.net.NetTestSupport.MAC_A;
import static io.jrump.net.NetTestSupport.MAC_B;
import static io.jrump.net.NetTestSupport.TYPE_TEST;
import static io.jrump.net.NetTestSupport.assertErrno;
import static io.jrump.net.NetTestSupport.frame;
import static io.jrump.net.NetTestSupport.ifs;
import static io.jrump.net.NetTestSupport.mbuf;
import static io.jrump.net.NetTestSupport.pool;
import static io.jrump.net.NetTestSupport.upEther;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Kernel;
import io.jrump.net.NetTestSupport.RecordingDriver;
import io.jrump.net.NetTestSupport.RecordingHandler;
import io.jrump.net.NetTestSupport.RecordingTap;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.testkit.RumpKernel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@RumpKernel(components = "rumpnet_net")
class IfnetTest {
    /** A protocol whose first delivery blocks until released, holding the softint, so input can pile up. */
    static final class BlockingHandler implements EtherTypeHandler {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<byte[]> got = new ArrayList<>();

        @Override
        public void input(Ifnet ifp, Mbuf m, boolean linkBroadcast) {
            byte[] b = MbufCopy.toBytes(m);
            ifp.mbufs().freeChain(m);
            synchronized (this) {
                got.add(b);
            }
            if (entered.getCount() > 0) {
                entered.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        synchronized List<byte[]> got() {
            return new ArrayList<>(got);
        }
    }

    private static byte[] tagged(int tag) {
        byte[] f = frame(BROADCAST, MAC_B, TYPE_TEST, 46);
        f[14] = (byte) tag;
        return f;
    }

    @Test
    void outputOnADownInterfaceIsEnetdownAndFreesTheFrame(Kernel k) throws Exception {
        RecordingDriver d = new RecordingDriver();
        Ifnet eth0 = ifs(k).attach("eth0", Ifnet.IFT_ETHER, 1500, MAC_A, Ifnet.IFF_BROADCAST, d);
        long before = pool(k).stats().mbufsInUse();
        Mbuf m = mbuf(k, frame(MAC_B, MAC_A, TYPE_TEST, 1500));
        assertErrno(Errno.ENETDOWN, () -> eth0.output(m));
        assertEquals(before, pool(k).stats().mbufsInUse(), "the refused frame was freed");
        assertEquals(0, pool(k).stats().clustersInUse());
        assertTrue(d.frames().isEmpty());
        IfStats s = eth0.stats();
        assertEquals(1, s.oerrors());
        assertEquals(0, s.opackets());
        assertEquals(0, s.obytes());
    }

    @Test
    void outputOnAnUpInterfaceReachesTheDriverAndIsCounted(Kernel k) throws Exception {
        RecordingDriver d = new RecordingDriver();
        Ifnet eth0 = upEther(k, "eth0", MAC_A, d);
        byte[] small = frame(MAC_B, MAC_A, TYPE_TEST, 46);
        byte[] full = frame(MAC_B, MAC_A, TYPE_TEST, 1500);
        byte[] jumbo = frame(MAC_B, MAC_A, TYPE_TEST, 5000); // a chain of several clusters
        eth0.output(mbuf(k, small));
        eth0.output(mbuf(k, full));
        eth0.output(mbuf(k, jumbo));
        List<byte[]> sent = d.frames();
        assertEquals(3, sent.size());
        assertArrayEquals(small, sent.get(0));
        assertArrayEquals(full, sent.get(1));
        assertArrayEquals(jumbo, sent.get(2));
        IfStats s = eth0.stats();
        assertEquals(3, s.opackets());
        assertEquals(60 + 1514 + 5014, s.obytes());
        assertEquals(0, s.oerrors());
        assertEquals(0, s.ipackets());
    }

    @Test
    void outputAfterGoingDownIsRefused(Kernel k) throws Exception {
        RecordingDriver d = new RecordingDriver();
        Ifnet eth0 = upEther(k, "eth0", MAC_A, d);
        eth0.output(mbuf(k, frame(MAC_B, MAC_A, TYPE_TEST, 46)));
        eth0.setFlags(eth0.flags() & ~Ifnet.IFF_UP);
        assertErrno(Errno.ENETDOWN, () -> eth0.output(mbuf(k, frame(MAC_B, MAC_A, TYPE_TEST, 46))));
        assertEquals(1, d.frames().size());
        ifs(k).detach(eth0);
        assertErrno(Errno.ENETDOWN, () -> eth0.output(mbuf(k, frame(MAC_B, MAC_A, TYPE_TEST, 46))));
        assertEquals(1, d.frames().size());
    }

    @Test
    void inputOnAnUpInterfaceReachesTheProtocolAndIsCounted(Kernel k) throws Exception {
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        RecordingHandler h = new RecordingHandler();
        ifs(k).ether().register(TYPE_TEST, h);
        byte[] f = frame(MAC_A, MAC_B, TYPE_TEST, 100);
        byte[] buf = new byte[f.length + 20];
        System.arraycopy(f, 0, buf, 7, f.length);
        eth0.input(MbufCopy.fromBytes(eth0.mbufs(), buf, 7, f.length));
        k.softints().drain();
        assertEquals(1, h.received().size());
        assertEquals(eth0.index(), h.received().get(0).rcvif());
        assertArrayEquals(Arrays.copyOfRange(f, 14, f.length), h.received().get(0).bytes());
        IfStats s = eth0.stats();
        assertEquals(1, s.ipackets());
        assertEquals(114, s.ibytes());
        assertEquals(0, s.iqdrops());
        assertEquals(0, s.ierrors());
    }

    @Test
    void inputOnADownInterfaceIsDroppedAndCounted(Kernel k) throws Exception {
        Ifnet eth0 = ifs(k).attach("eth0", Ifnet.IFT_ETHER, 1500, MAC_A, Ifnet.IFF_BROADCAST, new RecordingDriver());
        RecordingHandler h = new RecordingHandler();
        ifs(k).ether().register(TYPE_TEST, h);
        RecordingTap tap = new RecordingTap();
        eth0.addTap(tap);
        eth0.input(mbuf(k, frame(MAC_A, MAC_B, TYPE_TEST, 46)));
        byte[] f = frame(BROADCAST, MAC_B, TYPE_TEST, 46);
        eth0.input(MbufCopy.fromBytes(eth0.mbufs(), f, 0, f.length));
        k.softints().drain();
        assertTrue(h.received().isEmpty());
        assertTrue(tap.seen().isEmpty(), "a down interface captures nothing");
        IfStats s = eth0.stats();
        assertEquals(2, s.iqdrops());
        assertEquals(0, s.ipackets());
        assertEquals(0, s.ibytes());
        assertEquals(0, eth0.inputQueue().length());
    }

    @Test
    void aFullInputQueueDropsAtTheInterface(Kernel k) throws Exception {
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        RecordingHandler h = new RecordingHandler();
        ifs(k).ether().register(TYPE_TEST, h);
        assertEquals(Ifnet.IFQ_MAXLEN, eth0.inputQueue().maxLength());
        eth0.inputQueue().setMaxLength(0);
        for (int i = 0; i < 3; i++) {
            eth0.input(mbuf(k, tagged(i)));
        }
        k.softints().drain();
        assertTrue(h.received().isEmpty());
        assertEquals(3, eth0.inputQueue().drops());
        assertEquals(0, eth0.inputQueue().length());
        assertTrue(eth0.stats().iqdrops() >= 3);
    }

    @Test
    void aFullInputQueueDropCountsOnceInStats(Kernel k) throws Exception {
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        eth0.inputQueue().setMaxLength(0);
        for (int i = 0; i < 3; i++) {
            eth0.input(mbuf(k, tagged(i)));
        }
        k.softints().drain();
        assertEquals(3, eth0.stats().iqdrops());
    }

    @Test
    void inputBeyondTheQueueLengthWhileTheSoftintIsBusyIsDropped(Kernel k) throws Exception {
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        BlockingHandler h = new BlockingHandler();
        ifs(k).ether().register(TYPE_TEST, h);
        eth0.inputQueue().setMaxLength(2);
        eth0.input(mbuf(k, tagged(0)));
        assertTrue(h.entered.await(60, TimeUnit.SECONDS), "first frame reached the protocol");
        // the softint is busy with frame 0: these queue up to the limit, the rest are dropped
        for (int i = 1; i <= 5; i++) {
            eth0.input(mbuf(k, tagged(i)));
        }
        assertEquals(2, eth0.inputQueue().length());
        assertEquals(3, eth0.inputQueue().drops());
        h.release.countDown();
        k.softints().drain();
        List<Integer> tags = h.got().stream().map(b -> (int) b[0]).toList();
        assertEquals(List.of(0, 1, 2), tags);
        assertEquals(0, eth0.inputQueue().length());
    }

    @Test
    void detachFreesInputStillQueued(Kernel k) throws Exception {
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        BlockingHandler h = new BlockingHandler();
        ifs(k).ether().register(TYPE_TEST, h);
        eth0.input(mbuf(k, tagged(0)));
        assertTrue(h.entered.await(60, TimeUnit.SECONDS));
        eth0.input(mbuf(k, tagged(1)));
        eth0.input(mbuf(k, tagged(2)));
        assertEquals(2, eth0.inputQueue().length());
        ifs(k).detach(eth0);
        assertEquals(0, eth0.inputQueue().length());
        h.release.countDown();
        k.softints().drain();
        assertEquals(1, h.got().size(), "nothing is delivered from a detached interface");
        // input after detach is dropped; the clean halt shows nothing leaked
        eth0.input(mbuf(k, tagged(3)));
        k.softints().drain();
        assertEquals(1, h.got().size());
    }

    @Test
    void tapsSeeInboundAndOutboundFramesWithTheirLinkHeader(Kernel k) throws Exception {
        RecordingDriver d = new RecordingDriver();
        Ifnet eth0 = upEther(k, "eth0", MAC_A, d);
        RecordingHandler h = new RecordingHandler();
        ifs(k).ether().register(TYPE_TEST, h);
        RecordingTap tap = new RecordingTap();
        eth0.addTap(tap);
        byte[] in = frame(BROADCAST, MAC_B, TYPE_TEST, 46);
        byte[] out = frame(MAC_B, MAC_A, TYPE_TEST, 1000);
        eth0.input(mbuf(k, in));
        eth0.output(mbuf(k, out));
        k.softints().drain();

        List<RecordingTap.Seen> seen = tap.seen();
        assertEquals(2, seen.size());
        assertArrayEquals(in, seen.get(0).bytes());
        assertFalse(seen.get(0).outbound());
        assertArrayEquals(out, seen.get(1).bytes());
        assertTrue(seen.get(1).outbound());
        assertEquals("eth0", seen.get(0).ifname());
        // the tap did not consume or change what it saw
        assertEquals(1, h.received().size());
        assertArrayEquals(out, d.frames().get(0));

        eth0.removeTap(tap);
        eth0.output(mbuf(k, out));
        assertEquals(2, tap.seen().size());
        assertEquals(2, d.frames().size());
    }

    @Test
    void aThrowingTapDoesNotStopDeliveryOrOtherTaps(Kernel k) throws Exception {
        RecordingDriver d = new RecordingDriver();
        Ifnet eth0 = upEther(k, "eth0", MAC_A, d);
        RecordingHandler h = new RecordingHandler();
        ifs(k).ether().register(TYPE_TEST, h);
        eth0.addTap((ifp, m, outbound) -> {
            throw new IllegalStateException("capture file gone");
        });
        RecordingTap tap = new RecordingTap();
        eth0.addTap(tap);
        eth0.input(mbuf(k, frame(MAC_A, MAC_B, TYPE_TEST, 46)));
        eth0.output(mbuf(k, frame(MAC_B, MAC_A, TYPE_TEST, 46)));
        k.softints().drain();
        assertEquals(1, h.received().size());
        assertEquals(1, d.frames().size());
        assertEquals(2, tap.seen().size());
        IfStats s = eth0.stats();
        assertEquals(0, s.ierrors());
        assertEquals(0, s.oerrors());
        assertEquals(1, s.ipackets());
        assertEquals(1, s.opackets());
    }

    @Test
    void aThrowingProtocolCountsAnInputErrorAndTheNextFrameStillArrives(Kernel k) throws Exception {
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        RecordingHandler h = new RecordingHandler();
        ifs(k).ether().register(NetTestSupport.TYPE_OTHER, (ifp, m, b) -> {
            ifp.mbufs().freeChain(m);
            throw new IllegalStateException("protocol bug");
        });
        ifs(k).ether().register(TYPE_TEST, h);
        eth0.input(mbuf(k, frame(MAC_A, MAC_B, NetTestSupport.TYPE_OTHER, 46)));
        k.softints().drain();
        eth0.input(mbuf(k, frame(MAC_A, MAC_B, TYPE_TEST, 46)));
        k.softints().drain();
        assertEquals(1, h.received().size());
        assertEquals(1, eth0.stats().ierrors());
    }
}
