package io.jrump.virtif;

import static io.jrump.virtif.TestFrames.BROADCAST;
import static io.jrump.virtif.TestFrames.MAC_A;
import static io.jrump.virtif.TestFrames.MAC_B;
import static io.jrump.virtif.TestFrames.MAC_C;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.ManualClock;
import io.jrump.wire.EtherType;
import io.jrump.wire.MacAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** IEEE 802.1D learning, flooding and ageing, as the stations on a {@link LearningSwitch}'s ports see it. */
class LearningSwitchTest {
    private static final long SECOND = 1_000_000_000L;
    private final ManualClock clock = new ManualClock();
    private LearningSwitch sw;
    private EtherLink a;
    private EtherLink b;
    private EtherLink c;
    private Recorder ra;
    private Recorder rb;
    private Recorder rc;

    @BeforeEach
    void threePorts() {
        sw = new LearningSwitch("sw0", clock);
        a = sw.attach();
        b = sw.attach();
        c = sw.attach();
        ra = new Recorder();
        rb = new Recorder();
        rc = new Recorder();
        a.setReceiver(ra);
        b.setReceiver(rb);
        c.setReceiver(rc);
    }

    private static void send(EtherLink port, long dst, long src, int tag) {
        byte[] f = TestFrames.frame(dst, src, EtherType.IPV4, tag, 60);
        port.send(f, 0, f.length);
    }

    @Test
    void aLearnedStationGetsItsUnicastAloneAndTheFrameArrivesWhole() {
        send(a, BROADCAST, MAC_A, 1);
        send(b, BROADCAST, MAC_B, 2);
        byte[] f = TestFrames.frame(MAC_A, MAC_B, EtherType.IPV4, 3, 1514);
        b.send(f, 0, f.length);
        send(a, MAC_B, MAC_A, 4);

        assertEquals(List.of(2, 3), ra.tags());
        assertEquals(List.of(1, 4), rb.tags());
        assertEquals(List.of(1, 2), rc.tags(), "c sees the broadcasts only");
        assertArrayEquals(f, ra.frames().get(1));
        assertEquals(new SwitchStats(2, 2, 0, 0, 0, 2), sw.stats());
    }

    @Test
    void broadcastMulticastAndUnknownUnicastAreFloodedToEveryOtherPort() {
        long multicast = MacAddress.parse("01:00:5e:00:00:01");
        send(a, BROADCAST, MAC_A, 1);
        send(a, multicast, MAC_A, 2);
        send(a, MAC_B, MAC_A, 3);
        assertEquals(List.of(1, 2, 3), rb.tags());
        assertEquals(List.of(1, 2, 3), rc.tags());
        assertEquals(List.of(), ra.tags(), "never back out of the ingress port");

        send(b, BROADCAST, MAC_B, 4);
        send(a, MAC_B, MAC_A, 5);
        assertEquals(List.of(1, 2, 3, 4), rc.tags(), "once b is learned, c no longer sees a's frames to it");
        assertEquals(List.of(1, 2, 3, 5), rb.tags());
    }

    @Test
    void aGroupSourceIsNeverLearned() {
        long multicast = MacAddress.parse("01:00:5e:00:00:01");
        send(a, BROADCAST, multicast, 1);
        send(b, multicast, MAC_B, 2);
        assertEquals(List.of(2), ra.tags());
        assertEquals(List.of(1, 2), rc.tags());
        assertEquals(1, sw.stats().addresses(), "only b's address is in the table");
    }

    @Test
    void aFrameForAStationBehindItsOwnPortIsNotReflected() {
        send(a, BROADCAST, MAC_A, 1);
        send(a, MAC_A, MAC_C, 2);
        assertEquals(List.of(), ra.tags());
        assertEquals(List.of(1), rb.tags());
        assertEquals(List.of(1), rc.tags());
        assertEquals(1, sw.stats().filtered());
    }

    @Test
    void anAddressSilentForTheAgeingTimeIsForgottenAndFloodedTo() {
        send(a, BROADCAST, MAC_A, 1);
        clock.advance(300 * SECOND - 1);
        send(b, MAC_A, MAC_B, 2);
        assertEquals(List.of(2), ra.tags());
        assertEquals(List.of(1), rc.tags(), "299.99 s after a was heard, its frames still go to a alone");

        clock.advance(1);
        send(b, MAC_A, MAC_B, 3);
        assertEquals(List.of(2, 3), ra.tags());
        assertEquals(List.of(1, 3), rc.tags(), "after 300 s (802.1D's default) a is forgotten: flooded");

        send(a, MAC_B, MAC_A, 4);
        send(b, MAC_A, MAC_B, 5);
        assertEquals(List.of(1, 3), rc.tags(), "heard again, a is learned again");
        assertEquals(List.of(2, 3, 5), ra.tags());
    }

    @Test
    void theAgeingTimeCanBeShortened() {
        sw.setAgeingTime(10 * SECOND);
        assertEquals(10 * SECOND, sw.ageingTime());
        send(a, BROADCAST, MAC_A, 1);
        clock.advance(10 * SECOND);
        send(b, MAC_A, MAC_B, 2);
        assertEquals(List.of(1, 2), rc.tags());
        assertThrows(IllegalArgumentException.class, () -> sw.setAgeingTime(0));
    }

    @Test
    void aStationThatMovesToAnotherPortIsRelearnedThere() {
        send(a, BROADCAST, MAC_A, 1);
        send(b, MAC_A, MAC_B, 2);
        assertEquals(List.of(2), ra.tags());
        send(c, BROADCAST, MAC_A, 3);
        send(b, MAC_A, MAC_B, 4);
        assertEquals(List.of(2, 3), ra.tags(), "a's old port gets the broadcast, not the unicast");
        assertEquals(List.of(1, 4), rc.tags());
    }

    @Test
    void aClosedPortsStationsAreFloodedToAndTheClosedPortGetsNothing() {
        send(a, BROADCAST, MAC_A, 1);
        a.close();
        send(b, MAC_A, MAC_B, 2);
        assertEquals(List.of(), ra.tags());
        assertEquals(List.of(1, 2), rc.tags());
        assertEquals(2, sw.portCount());
    }

    @Test
    void concurrentSendersKeepTheTableWhole() throws Exception {
        int senders = 4;
        int stations = 500;
        LearningSwitch s = new LearningSwitch("sw1", clock);
        EtherLink[] ports = new EtherLink[senders];
        AtomicLong[] got = new AtomicLong[senders];
        for (int i = 0; i < senders; i++) {
            ports[i] = s.attach();
            AtomicLong n = new AtomicLong();
            got[i] = n;
            ports[i].setReceiver((f, off, len) -> n.incrementAndGet());
        }
        // each port has stations of its own, all learned at once from several threads
        Thread[] threads = new Thread[senders];
        for (int i = 0; i < senders; i++) {
            int id = i;
            threads[i] = new Thread(() -> {
                for (int k = 0; k < stations; k++) {
                    send(ports[id], BROADCAST, station(id, k), k);
                }
            });
            threads[i].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        for (AtomicLong n : got) {
            n.set(0);
        }
        // then every station's unicast reaches its own port only
        for (int i = 0; i < senders; i++) {
            for (int k = 0; k < stations; k++) {
                send(ports[(i + 1) % senders], station(i, k), station((i + 1) % senders, k), k);
            }
        }
        for (int i = 0; i < senders; i++) {
            assertEquals(stations, got[i].get(), "port " + i);
        }
        assertEquals(senders * stations, s.stats().addresses());
    }

    private static long station(int port, int k) {
        return 0x0200_0000_0000L | (long) port << 16 | k;
    }

    @Test
    void learningAndForwardingAllocateNothingPerFrame() {
        long[] sum = new long[1];
        b.setReceiver((f, off, len) -> sum[0] += len);
        send(b, BROADCAST, MAC_B, 0);
        byte[] frame = TestFrames.frame(MAC_B, MAC_A, EtherType.IPV4, 1, 1514);
        int warm = 50_000;
        int frames = 200_000;
        long allocated = 0;
        for (int n : new int[] {warm, frames}) {
            long before = Allocation.ofCurrentThread();
            for (int i = 0; i < n; i++) {
                a.send(frame, 0, frame.length);
            }
            allocated = Allocation.ofCurrentThread() - before;
        }
        assertTrue(allocated < frames / 10, "switch allocated " + allocated + " bytes for " + frames + " frames");
        assertEquals(1514L * (warm + frames), sum[0]);
        assertEquals(1, rc.count(), "c got b's broadcast and nothing of a's unicast");
    }

    @Test
    void limitsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new LearningSwitch("s", clock, 13, 10));
        assertThrows(IllegalArgumentException.class, () -> new LearningSwitch("s", clock, 1514, 0));
        assertTrue(sw.toString().contains("sw0"));
        assertEquals(EtherLink.DEFAULT_MAX_FRAME, sw.attach().maxFrame());
    }

    @Test
    void pastItsAddressLimitTheSwitchFloodsWhatItCouldNotLearn() {
        LearningSwitch s = new LearningSwitch("small", clock, 1514, 2);
        EtherLink p = s.attach();
        EtherLink q = s.attach();
        EtherLink r = s.attach();
        Recorder rq = new Recorder();
        Recorder rr = new Recorder();
        q.setReceiver(rq);
        r.setReceiver(rr);
        send(q, BROADCAST, MAC_B, 1);
        send(r, BROADCAST, MAC_C, 2);
        send(p, BROADCAST, MAC_A, 3);
        send(r, MAC_A, MAC_C, 4);
        assertEquals(List.of(2, 3, 4), rq.tags(), "a was not learned: the table was full");
        send(p, MAC_B, MAC_A, 5);
        assertEquals(List.of(1, 3), rr.tags(), "b and c were learned and stay");
        clock.advance(300 * SECOND);
        send(p, BROADCAST, MAC_A, 6);
        send(r, MAC_A, MAC_C, 7);
        assertEquals(List.of(2, 3, 4, 5, 6), rq.tags(), "once the others aged out, a is learned");
    }
}
