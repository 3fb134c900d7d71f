package io.jrump.virtif;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HubTest {
    @Test
    void everyPortSeesEveryOtherPortsFramesAndNeverItsOwn() {
        Hub hub = new Hub("h0");
        EtherLink a = hub.attach();
        EtherLink b = hub.attach();
        EtherLink c = hub.attach();
        Recorder ra = new Recorder();
        Recorder rb = new Recorder();
        Recorder rc = new Recorder();
        a.setReceiver(ra);
        b.setReceiver(rb);
        c.setReceiver(rc);

        a.send(TestFrames.frame(TestFrames.MAC_A, 1, 60), 0, 60);
        b.send(TestFrames.frame(TestFrames.MAC_B, 2, 100), 0, 100);
        c.send(TestFrames.frame(TestFrames.MAC_C, 3, 1514), 0, 1514);

        assertEquals(List.of(2, 3), ra.tags());
        assertEquals(List.of(1, 3), rb.tags());
        assertEquals(List.of(1, 2), rc.tags());
        assertArrayEquals(TestFrames.frame(TestFrames.MAC_C, 3, 1514), rb.frames().get(1));

        assertEquals(new LinkStats(1, 60, 2, 1614, 0), a.stats());
        assertEquals(new LinkStats(1, 100, 2, 1574, 0), b.stats());
        assertEquals(new LinkStats(1, 1514, 2, 160, 0), c.stats());
        assertEquals(3, hub.portCount());
    }

    @Test
    void frameIsCopiedFromAnyOffsetAndTheSendersArrayIsNeverLent() {
        Hub hub = new Hub("h0");
        EtherLink a = hub.attach();
        EtherLink b = hub.attach();
        byte[] big = new byte[200];
        System.arraycopy(TestFrames.frame(TestFrames.MAC_A, 7, 64), 0, big, 50, 64);
        List<byte[]> lent = new ArrayList<>();
        b.setReceiver((f, off, len) -> {
            lent.add(f);
            assertEquals(64, len);
            assertEquals(7, TestFrames.tag(f, off));
        });
        a.send(big, 50, 64);
        assertEquals(1, lent.size());
        assertNotSame(big, lent.get(0));
        assertThrows(IndexOutOfBoundsException.class, () -> a.send(big, 190, 64));
    }

    @Test
    void runtsGiantsClosedPortsAndMissingReceiversAreDroppedAndCounted() {
        Hub hub = new Hub("h0", 1514);
        EtherLink a = hub.attach();
        EtherLink b = hub.attach();
        Recorder rb = new Recorder();
        b.setReceiver(rb);
        a.send(new byte[13], 0, 13);
        a.send(new byte[1515], 0, 1515);
        a.send(TestFrames.frame(TestFrames.MAC_A, 1, 1514), 0, 1514);
        assertEquals(1, rb.count());
        assertEquals(2, a.stats().drops());
        assertEquals(1, a.stats().framesSent());

        b.send(TestFrames.frame(TestFrames.MAC_B, 2, 60), 0, 60);
        assertEquals(3, a.stats().drops(), "a has no receiver: b's frame is dropped at a");

        b.close();
        assertEquals(1, hub.portCount());
        a.send(TestFrames.frame(TestFrames.MAC_A, 3, 60), 0, 60);
        assertEquals(1, rb.count());
        b.send(TestFrames.frame(TestFrames.MAC_B, 4, 60), 0, 60);
        assertEquals(1, b.stats().drops());
    }

    @Test
    void aReceiverMayAnswerFromInsideItsSink() {
        Hub hub = new Hub("h0");
        EtherLink a = hub.attach();
        EtherLink b = hub.attach();
        Recorder ra = new Recorder();
        a.setReceiver(ra);
        b.setReceiver((f, off, len) -> {
            byte[] reply = TestFrames.frame(TestFrames.MAC_B, TestFrames.tag(f, off) + 1000, len);
            b.send(reply, 0, len);
        });
        for (int i = 0; i < 10; i++) {
            a.send(TestFrames.frame(TestFrames.MAC_A, i, 80), 0, 80);
        }
        assertEquals(List.of(1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009), ra.tags());
    }

    @Test
    void aThrowingReceiverDoesNotKeepTheFrameFromOthers() {
        Hub hub = new Hub("h0");
        EtherLink a = hub.attach();
        EtherLink b = hub.attach();
        EtherLink c = hub.attach();
        b.setReceiver((f, off, len) -> {
            throw new IllegalStateException("broken receiver");
        });
        Recorder rc = new Recorder();
        c.setReceiver(rc);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> a.send(TestFrames.frame(TestFrames.MAC_A, 1, 60), 0, 60));
        assertEquals("broken receiver", e.getMessage());
        assertEquals(1, rc.count());
    }

    @Test
    void concurrentSendersAreAllDeliveredWhole() throws Exception {
        Hub hub = new Hub("h0");
        int senders = 4;
        int perSender = 2000;
        EtherLink[] ports = new EtherLink[senders];
        AtomicLong[] seen = new AtomicLong[senders];
        AtomicLong broken = new AtomicLong();
        for (int i = 0; i < senders; i++) {
            ports[i] = hub.attach();
            AtomicLong s = new AtomicLong();
            seen[i] = s;
            ports[i].setReceiver((f, off, len) -> {
                if (!TestFrames.intact(f, off, len)) {
                    broken.incrementAndGet();
                }
                s.incrementAndGet();
            });
        }
        Thread[] threads = new Thread[senders];
        for (int i = 0; i < senders; i++) {
            EtherLink p = ports[i];
            int id = i;
            threads[i] = new Thread(() -> {
                for (int k = 0; k < perSender; k++) {
                    int len = 60 + (k * 7 + id) % 1400;
                    p.send(TestFrames.frame(TestFrames.MAC_A + id, id * perSender + k, len), 0, len);
                }
            });
            threads[i].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        for (int i = 0; i < senders; i++) {
            assertEquals((long) (senders - 1) * perSender, seen[i].get());
            assertEquals((long) (senders - 1) * perSender, ports[i].stats().framesReceived());
            assertEquals(perSender, ports[i].stats().framesSent());
        }
        assertEquals(0, broken.get());
    }

    @Test
    void theHubPathAllocatesNothingPerFrame() {
        Hub hub = new Hub("h0");
        EtherLink a = hub.attach();
        EtherLink b = hub.attach();
        EtherLink c = hub.attach();
        long[] sum = new long[1];
        FrameSink count = (f, off, len) -> sum[0] += len;
        b.setReceiver(count);
        c.setReceiver(count);
        byte[] frame = TestFrames.frame(TestFrames.MAC_A, 1, 1514);
        for (int i = 0; i < 50_000; i++) {
            a.send(frame, 0, frame.length);
        }
        int frames = 200_000;
        long before = Allocation.ofCurrentThread();
        for (int i = 0; i < frames; i++) {
            a.send(frame, 0, frame.length);
        }
        long allocated = Allocation.ofCurrentThread() - before;
        assertTrue(allocated < frames / 10, "hub allocated " + allocated + " bytes for " + frames + " frames");
        assertEquals(2L * 1514 * (frames + 50_000), sum[0]);
    }

    @Test
    void nameAndLimitsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new Hub("h", 13));
        assertTrue(new Hub("lan0").toString().contains("lan0"));
        assertEquals(EtherLink.DEFAULT_MAX_FRAME, new Hub("h").attach().maxFrame());
    }
}
