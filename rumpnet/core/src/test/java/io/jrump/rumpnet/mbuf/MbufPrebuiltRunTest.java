package io.jrump.rumpnet.mbuf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.jrump.kern.Kernel;
import io.jrump.testkit.RumpKernel;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A run of prebuilt frames in one mbuf ({@link MbufPool#getPrebuiltRun}, AFPA's back-to-back cache frames,
 * issue 17): where each frame starts and what its sum is, as TCP asks, also after the socket buffer trimmed
 * acknowledged bytes off the head; and a peer kernel on an in-memory wire is lent the run, not a copy, the
 * owner's free hook firing once when the last reference, the peer's, is gone.
 */
@RumpKernel
class MbufPrebuiltRunTest {
    private static final int[] SUMS = {0x1111, 0x2222, 0x3333, 0x4444};

    private static Mbuf run(MbufPool pool, byte[] buf, AtomicInteger freed) {
        // frames of 100, 300, 300 and 50 bytes at buf[16, 766)
        return pool.getPrebuiltRun(buf, 16, 750, 16, 100, SUMS[0], 300, SUMS, 0,
                (b, o, l, a) -> freed.incrementAndGet(), null);
    }

    @Test
    void framesAreFoundAtTheirStartsOnlyAndCarryTheirOwnSums(Kernel k) {
        MbufPool pool = new MbufPool(k);
        AtomicInteger freed = new AtomicInteger();
        Mbuf m = run(pool, new byte[800], freed);
        int[] starts = {0, 100, 400, 700};
        int[] lens = {100, 300, 300, 50};
        for (int i = 0; i < 4; i++) {
            assertEquals(lens[i], m.prebuiltFrameLen(starts[i]), "frame " + i);
            assertEquals(SUMS[i], m.prebuiltFrameSum(starts[i]), "frame " + i);
        }
        for (int at : new int[] {1, 99, 101, 399, 699, 750, -1}) {
            assertEquals(0, m.prebuiltFrameLen(at), "no frame starts at " + at);
        }
        // acknowledged bytes trimmed off the head: the frames keep their places in the storage
        MbufChain.adj(m, 100);
        assertEquals(300, m.prebuiltFrameLen(0));
        assertEquals(SUMS[1], m.prebuiltFrameSum(0));
        assertEquals(50, m.prebuiltFrameLen(600));
        MbufChain.adj(m, 150);
        assertEquals(0, m.prebuiltFrameLen(0), "half a frame is no frame");
        assertEquals(300, m.prebuiltFrameLen(150));
        // a tail trimmed off: the last frame no longer lies wholly in the mbuf
        MbufChain.adj(m, -10);
        assertEquals(0, m.prebuiltFrameLen(450));
        pool.free(m);
        assertEquals(1, freed.get());
    }

    @Test
    void aPeerKernelIsLentTheRunAndTheHookFiresAfterItsLastReference(Kernel k) {
        MbufPool from = new MbufPool(k);
        MbufPool to = new MbufPool(k);
        byte[] buf = new byte[3100];
        for (int i = 0; i < buf.length; i++) {
            buf[i] = (byte) (i * 7);
        }
        AtomicInteger freed = new AtomicInteger();
        Mbuf hdr = from.getPacketHeader();
        hdr.setLen(54);
        // three frames of 1000 bytes: more than a frame's worth past the headers is worth lending
        Mbuf queued = from.getPrebuiltRun(buf, 16, 3000, 16, 1000, SUMS[0], 1000, SUMS, 0,
                (b, o, l, a) -> freed.incrementAndGet(), null);
        Mbuf data = MbufCopy.copym(queued, 0, 3000);
        hdr.setNext(data);
        hdr.pkthdr().setLen(54 + 3000);
        Mbuf lent = MbufCopy.lendPacket(to, hdr, 54 + 3000);
        assertEquals(0, to.stats().clustersInUse(), "the run was lent, not copied into the peer's clusters");
        assertFalse(MbufChain.last(lent).writable(), "lent prebuilt bytes are read-only for the peer");
        from.freeChain(hdr);
        from.free(queued);
        assertEquals(0, freed.get(), "the peer still has the bytes");
        assertArrayEquals(Arrays.copyOfRange(buf, 16, 3016), Arrays.copyOfRange(MbufCopy.toBytes(lent), 54, 3054));
        to.freeChain(lent);
        assertEquals(1, freed.get(), "once, with the last reference");
    }
}
