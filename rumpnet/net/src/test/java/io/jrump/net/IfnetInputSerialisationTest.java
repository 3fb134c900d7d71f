package io.jrump.net;

import static io.jrump.net.NetTestSupport.MAC_A;
import static io.jrump.net.NetTestSupport.MAC_B;
import static io.jrump.net.NetTestSupport.TYPE_TEST;
import static io.jrump.net.NetTestSupport.frame;
import static io.jrump.net.NetTestSupport.ifs;
import static io.jrump.net.NetTestSupport.mbuf;
import static io.jrump.net.NetTestSupport.upEther;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.HyperThread;
import io.jrump.kern.Kernel;
import io.jrump.kern.intr.Softints;
import io.jrump.net.NetTestSupport.RecordingDriver;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.testkit.Probes;
import io.jrump.testkit.RumpKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The receive path's rule ({@link Ifnet#input(Mbuf)}): two receive threads that deliver to one interface at
 * once, each running the input softint at its own interrupt tail on its own virtual CPU, never run the
 * interface's input at the same time, and every frame of each thread's flow reaches the protocol once, in
 * the order it was sent.
 */
@RumpKernel(components = "rumpnet_net", ncpu = 2)
class IfnetInputSerialisationTest {
    static final int FRAMES = 3000;
    /** Frames a receive thread delivers before it runs its interrupt tail, as a driver's burst. */
    static final int BURST = 4;

    /** The protocol: how many of its input calls overlapped another, and each flow's sequence numbers. */
    static final class Probe implements EtherTypeHandler {
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        final AtomicInteger handled = new AtomicInteger();
        final List<List<Integer>> flows = List.of(new ArrayList<>(), new ArrayList<>());

        @Override
        public void input(Ifnet ifp, Mbuf m, boolean linkBroadcast) {
            if (inside.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
            }
            try {
                byte[] b = m.buf();
                int o = m.off();
                int flow = b[o];
                int seq = (b[o + 1] & 0xff) << 8 | b[o + 2] & 0xff;
                // gives the other receive thread a chance to enter while this call is inside
                Thread.yield();
                synchronized (flows) {
                    flows.get(flow).add(seq);
                }
            } finally {
                inside.decrementAndGet();
                ifp.mbufs().freeChain(m);
                handled.incrementAndGet();
            }
        }
    }

    @Test
    void twoReceiveThreadsNeverRunOneInterfacesInputAtOnceAndEachFlowArrivesWholeAndInOrder(Kernel k)
            throws Exception {
        Ifnet eth0 = upEther(k, "eth0", MAC_A, new RecordingDriver());
        Probe probe = new Probe();
        ifs(k).ether().register(TYPE_TEST, probe);
        CountDownLatch go = new CountDownLatch(1);
        List<HyperThread> rx = new ArrayList<>();
        for (int flow = 0; flow < 2; flow++) {
            int f = flow;
            rx.add(k.hypercall().threads().create("rx" + f, () -> deliver(k, eth0, f, go)));
        }
        go.countDown();
        for (HyperThread t : rx) {
            assertTrue(t.join(TimeUnit.SECONDS.toNanos(60)), "a receive thread finished");
        }
        Probes.await("every frame handed up", () -> probe.handled.get() == 2 * FRAMES);
        assertEquals(0, probe.overlaps.get(), "input calls that ran while another was inside");
        List<Integer> sent = IntStream.range(0, FRAMES).boxed().toList();
        synchronized (probe.flows) {
            assertEquals(sent, probe.flows.get(0), "flow 0, in order, none lost");
            assertEquals(sent, probe.flows.get(1), "flow 1, in order, none lost");
        }
        assertEquals(2L * FRAMES, eth0.stats().ipackets());
    }

    /** A driver's receive thread: frames of flow {@code flow}, its softints run at its tail after each burst. */
    private static void deliver(Kernel k, Ifnet ifp, int flow, CountDownLatch go) {
        Softints.InterruptTail tail = k.softints().interruptTail("rx " + flow);
        try {
            go.await();
            for (int seq = 0; seq < FRAMES; seq++) {
                byte[] f = frame(MAC_A, MAC_B, TYPE_TEST, 46);
                f[14] = (byte) flow;
                f[15] = (byte) (seq >>> 8);
                f[16] = (byte) seq;
                ifp.input(mbuf(k, f));
                if (seq % BURST == BURST - 1) {
                    tail.run();
                }
            }
            tail.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            tail.close();
        }
    }
}
