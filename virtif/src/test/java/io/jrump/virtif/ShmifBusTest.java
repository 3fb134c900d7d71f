package io.jrump.virtif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import io.jrump.hypercall.HostHypercall;
import io.jrump.hypercall.HyperError;
import io.jrump.hypercall.Hypercall;
import io.jrump.testkit.Probes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShmifBusTest {
    private final Hypercall hc = HostHypercall.create();
    private final List<ShmifBus> open = new ArrayList<>();

    @TempDir
    Path dir;

    private ShmifBus attach(String name, ShmifOptions options) {
        ShmifBus b = ShmifBus.open(hc, dir.resolve(name).toString(), options);
        open.add(b);
        return b;
    }

    private ShmifBus attach(String name) {
        return attach(name, ShmifOptions.DEFAULT);
    }

    @AfterEach
    void closeAll() {
        for (ShmifBus b : open) {
            b.close();
        }
    }

    private static void send(EtherLink l, long mac, int tag, int len) {
        l.send(TestFrames.frame(mac, tag, len), 0, len);
    }

    @Test
    void twoAttachmentsExchangeFramesBothWays() throws Exception {
        ShmifBus a = attach("bus");
        ShmifBus b = attach("bus");
        Recorder ra = new Recorder();
        Recorder rb = new Recorder();
        a.setReceiver(ra);
        b.setReceiver(rb);
        assertNotEquals(a.senderId(), b.senderId());
        for (int i = 0; i < 20; i++) {
            send(a, TestFrames.MAC_A, i, 60 + i * 70);
            send(b, TestFrames.MAC_B, 100 + i, 1514 - i * 70);
        }
        assertTrue(rb.await(20, 20));
        assertTrue(ra.await(20, 20));
        for (int i = 0; i < 20; i++) {
            byte[] atB = rb.frames().get(i);
            assertEquals(i, TestFrames.tag(atB, 0));
            assertEquals(60 + i * 70, atB.length);
            assertEquals(TestFrames.MAC_A, TestFrames.src(atB, 0));
            assertTrue(TestFrames.intact(atB, 0, atB.length));
            byte[] atA = ra.frames().get(i);
            assertEquals(100 + i, TestFrames.tag(atA, 0));
            assertEquals(TestFrames.MAC_B, TestFrames.src(atA, 0));
        }
        assertEquals(20, a.stats().framesSent());
        assertEquals(20, a.stats().framesReceived());
        assertEquals(ShmifLayout.DEFAULT_RING, a.header().ringSize());
        assertEquals(40, a.header().nextSequence());
        assertFalse(a.header().locked());
    }

    @Test
    void threeAttachmentsAllSeeEachOtherAndNeverThemselves() throws Exception {
        ShmifBus[] links = {attach("bus"), attach("bus"), attach("bus")};
        Recorder[] rec = {new Recorder(), new Recorder(), new Recorder()};
        for (int i = 0; i < 3; i++) {
            links[i].setReceiver(rec[i]);
        }
        for (int round = 0; round < 10; round++) {
            for (int i = 0; i < 3; i++) {
                send(links[i], TestFrames.MAC_A + i, i * 1000 + round, 100);
            }
        }
        for (int i = 0; i < 3; i++) {
            assertTrue(rec[i].await(20, 20), "link " + i + " got " + rec[i].count());
            Set<Integer> senders = new HashSet<>();
            for (int tag : rec[i].tags()) {
                senders.add(tag / 1000);
            }
            assertFalse(senders.contains(i), "link " + i + " got its own frames");
            assertEquals(2, senders.size());
        }
    }

    @Test
    void aFrameNeverComesBackToItsSender() throws Exception {
        ShmifBus a = attach("bus");
        ShmifBus b = attach("bus");
        Recorder ra = new Recorder();
        Recorder rb = new Recorder();
        a.setReceiver(ra);
        b.setReceiver(rb);
        for (int i = 0; i < 50; i++) {
            send(a, TestFrames.MAC_A, i, 80);
        }
        send(b, TestFrames.MAC_B, 999, 80);
        assertTrue(ra.await(1, 20), "a reads in order, so once it has b's marker it has passed its own frames");
        assertTrue(rb.await(50, 20));
        assertEquals(List.of(999), ra.tags());
    }

    @Test
    void aStalledReaderIsLappedResynchronisesAndCountsWhatItLost() throws Exception {
        ShmifOptions small = ShmifOptions.DEFAULT.withRingSize(8192);
        ShmifBus writer = attach("bus", small);
        ShmifBus reader = attach("bus", small);
        Recorder got = new Recorder();
        reader.setReceiver(got);
        reader.stallReceiver(true);
        int lapping = 300;
        for (int i = 0; i < lapping; i++) {
            send(writer, TestFrames.MAC_A, i, 100);
        }
        reader.stallReceiver(false);
        Probes.await("the lapped reader counting lost frames", () -> reader.lostFrames() > 0);
        assertTrue(reader.lostFrames() >= lapping - 1, "lost " + reader.lostFrames());
        int after = 5;
        for (int i = 0; i < after; i++) {
            send(writer, TestFrames.MAC_A, 10_000 + i, 100);
        }
        Probes.await("every frame delivered or counted lost",
                () -> got.count() + reader.lostFrames() >= lapping + after);
        assertEquals(lapping + after, got.count() + reader.lostFrames(), "every frame is either delivered or counted lost");
        assertTrue(reader.lostFrames() > 0);
        assertTrue(reader.resyncs() > 0);
        List<Integer> tags = got.tags();
        assertEquals(List.of(10_000, 10_001, 10_002, 10_003, 10_004), tags.subList(tags.size() - after, tags.size()));
        for (byte[] f : got.frames()) {
            assertTrue(TestFrames.intact(f, 0, f.length));
        }
        assertTrue(writer.header().first() > 0, "the oldest frames were overwritten");
    }

    @Test
    void concurrentWritersNeverDeliverATornFrame() throws Exception {
        ShmifOptions small = ShmifOptions.DEFAULT.withRingSize(16384);
        ShmifBus w1 = attach("bus", small);
        ShmifBus w2 = attach("bus", small);
        ShmifBus r = attach("bus", small);
        AtomicLong delivered = new AtomicLong();
        AtomicLong torn = new AtomicLong();
        r.setReceiver((f, off, len) -> {
            if (!TestFrames.intact(f, off, len) || len != 60 + TestFrames.tag(f, off) % 1400) {
                torn.incrementAndGet();
            }
            delivered.incrementAndGet();
        });
        int each = 5000;
        Thread t1 = new Thread(() -> blast(w1, TestFrames.MAC_A, 0, each));
        Thread t2 = new Thread(() -> blast(w2, TestFrames.MAC_B, 1_000_000, each));
        t1.start();
        t2.start();
        t1.join();
        t2.join();
        Probes.await("every frame delivered or counted lost", () -> delivered.get() + r.lostFrames() >= 2L * each);
        assertEquals(0, torn.get());
        assertEquals(2L * each, delivered.get() + r.lostFrames());
        assertEquals(2L * each, r.header().nextSequence());
    }

    private static void blast(EtherLink l, long mac, int base, int n) {
        for (int i = 0; i < n; i++) {
            int tag = base + i;
            int len = 60 + tag % 1400;
            l.send(TestFrames.frame(mac, tag, len), 0, len);
        }
    }

    @Test
    void aLockLeftByADeadWriterIsBrokenAfterTheTimeout() throws Exception {
        ShmifOptions quick = ShmifOptions.DEFAULT.withLockTimeout(TimeUnit.MILLISECONDS.toNanos(50));
        ShmifBus a = attach("bus", quick);
        ShmifBus b = attach("bus", quick);
        Recorder rb = new Recorder();
        b.setReceiver(rb);
        a.forceLockWord(0xdead_0000_0001L);
        assertTrue(a.header().locked());
        send(a, TestFrames.MAC_A, 1, 60);
        assertEquals(1, a.lockBreaks());
        assertEquals(1, a.header().lockBreaks());
        assertFalse(a.header().locked());
        for (int i = 2; i <= 5; i++) {
            send(a, TestFrames.MAC_A, i, 60);
        }
        assertTrue(rb.await(5, 20));
        assertEquals(List.of(1, 2, 3, 4, 5), rb.tags());
        assertEquals(1, a.lockBreaks());
    }

    @Test
    void anotherProcessSharesTheBus() throws Exception {
        ShmifBus parent = attach("bus");
        Recorder got = new Recorder();
        parent.setReceiver(got);
        int n = 300;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = dir.resolve("child.log");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ShmifChildSender.class.getName(), parent.path(), Integer.toString(n))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child did not finish");
            assertEquals(0, child.exitValue(), () -> "child failed: " + read(log));
            assertTrue(got.await(n, 30), "got " + got.count() + " of " + n);
        } finally {
            child.destroyForcibly();
        }
        List<Integer> tags = got.tags();
        for (int i = 0; i < n; i++) {
            assertEquals(i, tags.get(i));
        }
        for (byte[] f : got.frames()) {
            assertEquals(TestFrames.MAC_C, TestFrames.src(f, 0));
            assertTrue(TestFrames.intact(f, 0, f.length));
        }
        assertEquals(0, parent.lostFrames());
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    @Test
    void anExistingBusKeepsItsRingSize() {
        ShmifBus a = attach("bus", ShmifOptions.DEFAULT.withRingSize(8192));
        ShmifBus b = attach("bus");
        assertEquals(8192, b.header().ringSize());
        assertEquals(8192 - ShmifLayout.FRAME_HEADER, b.maxFrame());
        b.send(new byte[8192], 0, 8192);
        assertEquals(1, b.stats().drops());
        assertEquals(8192, a.header().ringSize());
    }

    @Test
    void filesThatAreNotABusAreRefusedWithAReason() throws Exception {
        Path text = Files.writeString(dir.resolve("notes"), "this is not a bus, just some text long enough".repeat(10));
        HyperError e = assertThrows(HyperError.class, () -> ShmifBus.open(hc, text.toString()));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("not a shmif bus"), e.getMessage());

        Path empty = Files.createFile(dir.resolve("empty"));
        assertEquals(Errno.EINVAL, assertThrows(HyperError.class, () -> ShmifBus.open(hc, empty.toString())).errno());
        assertEquals(Errno.EISDIR, assertThrows(HyperError.class, () -> ShmifBus.open(hc, dir.toString())).errno());
        assertEquals(Errno.ENOENT, assertThrows(HyperError.class,
                () -> ShmifBus.open(hc, dir.resolve("no/such/dir/bus").toString())).errno());
    }

    @Test
    void closeStopsTheReceiveThreadAndLaterSendsAreDropped() throws Exception {
        ShmifBus a = attach("bus");
        a.close();
        assertFalse(hc.threads().liveThreadNames().stream().anyMatch(n -> n.contains(dir.toString())));
        send(a, TestFrames.MAC_A, 1, 60);
        assertEquals(1, a.stats().drops());
        assertEquals(0, a.header().nextSequence());
    }

    @Test
    void sendingAndReceivingAllocateNothingPerFrame() throws Exception {
        ShmifBus a = attach("bus");
        ShmifBus b = attach("bus");
        AtomicLong frames = new AtomicLong();
        AtomicLong rxThread = new AtomicLong(-1);
        b.setReceiver((f, off, len) -> {
            rxThread.compareAndSet(-1, Thread.currentThread().getId());
            frames.incrementAndGet();
        });
        byte[] frame = TestFrames.frame(TestFrames.MAC_A, 1, 1514);
        int warm = 20_000;
        for (int i = 0; i < warm; i++) {
            a.send(frame, 0, frame.length);
        }
        // A receiver that fell a whole ring behind skips to the writer and counts the skipped frames
        // as lost, so the warm-up burst alone may deliver none. Once every frame is accounted for, the
        // receiver stands at the writer, and the next frame is delivered.
        awaitAccounted(b, frames, warm);
        while (rxThread.get() < 0) {
            a.send(frame, 0, frame.length);
            awaitAccounted(b, frames, ++warm);
        }
        int n = 50_000;
        long rxBefore = Allocation.ofThread(rxThread.get());
        long before = Allocation.ofCurrentThread();
        for (int i = 0; i < n; i++) {
            a.send(frame, 0, frame.length);
        }
        long sendAllocated = Allocation.ofCurrentThread() - before;
        awaitAccounted(b, frames, warm + n);
        long rxAllocated = Allocation.ofThread(rxThread.get()) - rxBefore;
        assertTrue(sendAllocated < n / 10, "send allocated " + sendAllocated + " bytes for " + n + " frames");
        assertTrue(rxAllocated < n / 10, "receive allocated " + rxAllocated + " bytes for " + n + " frames");
    }

    private static void awaitAccounted(ShmifBus b, AtomicLong frames, long n) throws Exception {
        Probes.await(n + " frames delivered or counted lost", () -> frames.get() + b.lostFrames() >= n);
        assertEquals(n, frames.get() + b.lostFrames());
    }
}
