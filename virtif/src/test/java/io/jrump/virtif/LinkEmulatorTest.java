package io.jrump.virtif;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.HostHypercall;
import io.jrump.hypercall.Hypercall;
import io.jrump.hypercall.ManualClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinkEmulatorTest {
    private static final long MS = 1_000_000L;

    private final ManualClock clock = new ManualClock();
    private final Hypercall hc = HostHypercall.builder().clock(clock).build();
    private final Hub hub = new Hub("h0");
    private final EtherLink peer = hub.attach();
    private final Recorder atPeer = new Recorder();

    LinkEmulatorTest() {
        peer.setReceiver(atPeer);
    }

    private LinkEmulator emulate(String config) {
        return new LinkEmulator(hc, hub.attach(), config);
    }

    private static void send(EtherLink l, int tag, int len) {
        l.send(TestFrames.frame(TestFrames.MAC_A, tag, len), 0, len);
    }

    @Test
    void aFrameNothingDelaysPassesSynchronously() {
        LinkEmulator e = emulate("none");
        send(e, 1, 60);
        assertEquals(List.of(1), atPeer.tags());
        assertEquals(0, e.egressStats().delayed());
    }

    @Test
    void aDelayedFrameArrivesOnlyWhenTimeIsAdvancedPastItsDelay() {
        LinkEmulator e = emulate("delay=5ms");
        send(e, 1, 60);
        clock.advance(2 * MS);
        send(e, 2, 60);
        assertEquals(0, atPeer.count());
        assertEquals(2, e.heldFrames());
        clock.advance(3 * MS - 1);
        assertEquals(0, atPeer.count());
        clock.advance(1);
        assertEquals(List.of(1), atPeer.tags());
        clock.advance(2 * MS);
        assertEquals(List.of(1, 2), atPeer.tags());
        assertEquals(2, e.egressStats().delayed());
        assertEquals(0, e.heldFrames());
    }

    @Test
    void ingressDelayHoldsWhatArrivesUntilTimeMoves() {
        LinkEmulator e = emulate("in.delay=2ms");
        Recorder got = new Recorder();
        e.setReceiver(got);
        send(peer, 9, 70);
        assertEquals(0, got.count());
        clock.advance(2 * MS);
        assertEquals(List.of(9), got.tags());
        assertEquals(1, e.ingressStats().delayed());
        assertEquals(new LinkStats(0, 0, 1, 70, 0), e.stats());
        send(e, 10, 60);
        assertEquals(List.of(10), atPeer.tags(), "egress is not impaired");
    }

    @Test
    void rateAddsSerialisationDelayAndQueuesABurst() {
        LinkEmulator e = emulate("rate=8mbit");
        for (int i = 0; i < 3; i++) {
            send(e, i, 1000);
        }
        clock.advance(MS - 1);
        assertEquals(0, atPeer.count());
        clock.advance(1);
        assertEquals(List.of(0), atPeer.tags());
        clock.advance(MS);
        assertEquals(List.of(0, 1), atPeer.tags());
        clock.advance(MS);
        assertEquals(List.of(0, 1, 2), atPeer.tags());
    }

    @Test
    void lossRateFromAFixedSeedIsNearTheConfiguredRateAndReplays() {
        List<Integer> first = lossRun(42);
        List<Integer> second = lossRun(42);
        List<Integer> other = lossRun(43);
        int lost = 10_000 - first.size();
        assertTrue(lost > 400 && lost < 600, "lost " + lost + " of 10000 at 5%");
        assertEquals(first, second, "the same seed loses the same frames");
        assertNotEquals(first, other, "another seed loses other frames");
    }

    private List<Integer> lossRun(long seed) {
        Hub h = new Hub("loss");
        EtherLink rx = h.attach();
        List<Integer> got = new ArrayList<>();
        rx.setReceiver((f, off, len) -> got.add(TestFrames.tag(f, off)));
        LinkEmulator e = new LinkEmulator(hc, h.attach(), "loss=5%,seed=" + seed);
        for (int i = 0; i < 10_000; i++) {
            send(e, i, 60);
        }
        assertEquals(10_000 - got.size(), e.egressStats().lost());
        assertEquals(e.egressStats().lost(), e.stats().drops());
        return got;
    }

    @Test
    void reorderingChangesTheOrderButLosesNothing() {
        LinkEmulator e = emulate("reorder=30%,reorder-delay=3ms,delay=1ms,seed=7");
        List<Integer> sent = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            send(e, i, 60);
            sent.add(i);
            clock.advance(MS / 10);
        }
        clock.advance(10 * MS);
        List<Integer> got = atPeer.tags();
        assertEquals(100, got.size());
        assertNotEquals(sent, got);
        assertEquals(sent, got.stream().sorted().toList());
        long reordered = e.egressStats().reordered();
        assertTrue(reordered > 10 && reordered < 50, "reordered " + reordered);
    }

    @Test
    void aReorderedFrameIsOvertakenEvenOnAnUndelayedLink() {
        LinkEmulator e = emulate("reorder=50%,seed=3");
        for (int i = 0; i < 20; i++) {
            send(e, i, 60);
        }
        int passed = atPeer.count();
        assertEquals(20 - e.egressStats().reordered(), passed);
        clock.advance(Impairments.DEFAULT_REORDER_DELAY_NANOS);
        assertEquals(20, atPeer.count());
        assertNotEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19), atPeer.tags());
    }

    @Test
    void duplicationDeliversFramesTwice() {
        LinkEmulator all = emulate("dup=100%");
        send(all, 5, 60);
        assertEquals(List.of(5, 5), atPeer.tags());

        Hub h = new Hub("dup");
        Recorder r = new Recorder();
        h.attach().setReceiver(r);
        LinkEmulator some = new LinkEmulator(hc, h.attach(), "dup=10%,delay=1ms,seed=11,limit=2000");
        for (int i = 0; i < 1000; i++) {
            send(some, i, 60);
        }
        clock.advance(MS);
        long dups = some.egressStats().duplicated();
        assertEquals(1000 + dups, r.count());
        assertTrue(dups > 50 && dups < 150, "duplicated " + dups);
        assertEquals(1000 + dups, some.egressStats().delayed());
    }

    @Test
    void corruptionFlipsExactlyOnePayloadBitAndLeavesTheSendersArrayAlone() {
        LinkEmulator e = emulate("corrupt=100%,seed=5");
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            byte[] f = TestFrames.frame(TestFrames.MAC_A, i, 60 + i);
            byte[] copy = f.clone();
            e.send(f, 0, f.length);
            assertArrayEquals(copy, f);
            sent.add(f);
        }
        List<byte[]> got = atPeer.frames();
        assertEquals(200, got.size());
        for (int i = 0; i < 200; i++) {
            byte[] a = sent.get(i);
            byte[] b = got.get(i);
            int bits = 0;
            for (int k = 0; k < a.length; k++) {
                bits += Integer.bitCount((a[k] ^ b[k]) & 0xff);
                if (k < EtherLink.HEADER_LEN) {
                    assertEquals(a[k], b[k], "the Ethernet header is spared");
                }
            }
            assertEquals(1, bits, "frame " + i);
        }
        assertEquals(200, e.egressStats().corrupted());
    }

    @Test
    void ingressCorruptionDoesNotReachOtherReceiversOfTheSameFrame() {
        Hub h = new Hub("corrupt");
        EtherLink sender = h.attach();
        Recorder clean = new Recorder();
        h.attach().setReceiver(clean);
        LinkEmulator e = new LinkEmulator(hc, h.attach(), "in.corrupt=100%");
        Recorder dirty = new Recorder();
        e.setReceiver(dirty);
        byte[] f = TestFrames.frame(TestFrames.MAC_A, 1, 100);
        sender.send(f, 0, f.length);
        assertArrayEquals(f, clean.frames().get(0));
        assertNotEquals(java.util.Arrays.toString(f), java.util.Arrays.toString(dirty.frames().get(0)));
        assertEquals(1, e.ingressStats().corrupted());
    }

    @Test
    void theQueueLimitDropsAndCountsInsteadOfGrowing() {
        LinkEmulator e = emulate("delay=1ms,limit=10");
        for (int i = 0; i < 25; i++) {
            send(e, i, 100);
        }
        assertEquals(10, e.heldFrames());
        assertEquals(15, e.egressStats().overflowed());
        assertEquals(15, e.egressStats().dropped());
        assertEquals(15, e.stats().drops());
        clock.advance(MS);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), atPeer.tags());
        for (int i = 0; i < 10; i++) {
            send(e, 100 + i, 100);
        }
        assertEquals(15, e.egressStats().overflowed(), "released room is used again");

        LinkEmulator bytes = emulate("delay=1ms,limit-bytes=1000");
        for (int i = 0; i < 25; i++) {
            send(bytes, i, 100);
        }
        assertEquals(10, bytes.heldFrames());
        assertEquals(15, bytes.egressStats().overflowed());
    }

    @Test
    void heldBuffersStayWithinTheByteLimitWhateverTheFrameSizes() {
        HeldFramePool pool = new HeldFramePool(100, 20_000);
        List<HeldFrame> held = new ArrayList<>();
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        for (int round = 0; round < 10_000; round++) {
            if (!held.isEmpty() && (r.nextBoolean() || held.size() == 100)) {
                pool.release(held.remove(r.nextInt(held.size())));
            } else {
                HeldFrame h = pool.acquire(14 + r.nextInt(3000));
                if (h != null) {
                    held.add(h);
                }
            }
            assertTrue(pool.busyBytes() <= 20_000);
            assertTrue(pool.allocatedBytes() <= 2 * 20_000 + 64 * 100, "allocated " + pool.allocatedBytes());
        }
    }

    @Test
    void closeDiscardsHeldFramesAndClosesTheWrappedLink() {
        EtherLink inner = hub.attach();
        LinkEmulator e = new LinkEmulator(hc, inner, "delay=1ms");
        send(e, 1, 60);
        e.close();
        clock.advance(2 * MS);
        assertEquals(0, atPeer.count());
        assertEquals(1, hub.portCount(), "the wrapped port is detached");
        send(e, 2, 60);
        assertEquals(0, atPeer.count());
    }

    @Test
    void invalidFramesAreDroppedBeforeTheEmulator() {
        LinkEmulator e = emulate("none");
        e.send(new byte[10], 0, 10);
        e.send(new byte[EtherLink.DEFAULT_MAX_FRAME + 1], 0, EtherLink.DEFAULT_MAX_FRAME + 1);
        assertEquals(2, e.stats().drops());
        assertEquals(0, atPeer.count());
    }

    @Test
    void heldFramesComeOutOnTheHostTimerUnderTheHostClock() throws Exception {
        Hypercall host = HostHypercall.create();
        Hub h = new Hub("host");
        Recorder r = new Recorder();
        h.attach().setReceiver(r);
        LinkEmulator e = new LinkEmulator(host, h.attach(), "delay=1ms");
        try {
            for (int i = 0; i < 5; i++) {
                send(e, i, 60);
            }
            assertTrue(r.await(5, 10));
            assertEquals(List.of(0, 1, 2, 3, 4), r.tags());
        } finally {
            e.close();
        }
    }

    @Test
    void theHeldPathAllocatesNothingPerFrameOnceWarm() {
        LinkEmulator e = emulate("delay=1ms,dup=1%,reorder=5%,corrupt=1%,seed=9");
        long[] sum = new long[1];
        peer.setReceiver((f, off, len) -> sum[0]++);
        byte[] frame = TestFrames.frame(TestFrames.MAC_A, 1, 1000);
        int batch = 400;
        for (int round = 0; round < 100; round++) {
            for (int i = 0; i < batch; i++) {
                e.send(frame, 0, frame.length);
            }
            clock.advance(2 * MS);
        }
        // The best of five windows: code the JIT has not finished compiling yet allocates what
        // escape analysis later removes, and a slow machine may still be compiling in the first.
        int rounds = 200;
        int windows = 5;
        long allocated = Long.MAX_VALUE;
        for (int w = 0; w < windows; w++) {
            long before = Allocation.ofCurrentThread();
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < batch; i++) {
                    e.send(frame, 0, frame.length);
                }
                clock.advance(2 * MS);
            }
            allocated = Math.min(allocated, Allocation.ofCurrentThread() - before);
        }
        int frames = rounds * batch;
        assertTrue(allocated < frames / 2, "emulator allocated " + allocated + " bytes for " + frames
                + " frames in its best window (the manual clock's own bookkeeping included)");
        assertEquals(0, e.egressStats().overflowed());
        assertEquals((100 + windows * rounds) * batch + e.egressStats().duplicated(), sum[0]);
    }
}
