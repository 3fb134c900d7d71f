package io.jrump.hypercall;

import static io.jrump.hypercall.TestSupport.PATIENCE_SECONDS;
import static io.jrump.hypercall.TestSupport.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A host clock shared by many kernels: their timers fire as their own would, on one host thread. */
@Timeout(60)
class SharedClockTest {
    private static final long MS = 1_000_000L;

    @Test
    void timersOfManyKernelsFireInDeadlineOrderOnOneHostThread() throws Exception {
        HyperClock clock = HostHypercall.sharedClock();
        int n = 200;
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        CountDownLatch all = new CountDownLatch(n);
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        // the host thread is held in a first action while the others are armed, so that all of them are due at once
        HyperTimer first = clock.newTimer("first", () -> {
            busy.countDown();
            try {
                go.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        first.arm(clock.monotonicNanos());
        assertTrue(busy.await(PATIENCE_SECONDS, TimeUnit.SECONDS));
        List<HyperTimer> timers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int id = i;
            HyperTimer t = clock.newTimer("k" + i + "/hardclock", () -> {
                order.add(id);
                threads.add(Thread.currentThread());
                all.countDown();
            });
            timers.add(t);
        }
        // armed in reverse, each twice: what fires is each timer's last arming, earliest first
        long base = clock.monotonicNanos();
        for (int i = n - 1; i >= 0; i--) {
            timers.get(i).arm(base - 1);
            timers.get(i).arm(base + i);
        }
        timers.add(first);
        go.countDown();
        assertTrue(all.await(PATIENCE_SECONDS, TimeUnit.SECONDS));
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add(i);
        }
        assertEquals(expected, order);
        assertEquals(1, threads.size(), "one host thread for every kernel's timer");
        Thread host = threads.iterator().next();
        for (HyperTimer t : timers) {
            t.close();
        }
        eventually("the timer thread ends once no timer is left", () -> !host.isAlive());
    }

    @Test
    void aDisarmedOrClosedTimerDoesNotFireAndCloseWaitsForARunningAction() throws Exception {
        HyperClock clock = HostHypercall.sharedClock();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        HyperTimer slow = clock.newTimer("slow", () -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ran.add("slow");
        });
        HyperTimer disarmed = clock.newTimer("disarmed", () -> ran.add("disarmed"));
        HyperTimer closed = clock.newTimer("closed", () -> ran.add("closed"));
        long now = clock.monotonicNanos();
        disarmed.arm(now + 20 * MS);
        closed.arm(now + 20 * MS);
        disarmed.disarm();
        closed.close();
        slow.arm(now + 40 * MS);
        assertTrue(entered.await(PATIENCE_SECONDS, TimeUnit.SECONDS));
        Thread closer = new Thread(slow::close);
        closer.start();
        eventually("close waits for the running action", () -> closer.getState() == Thread.State.TIMED_WAITING);
        assertTrue(closer.isAlive());
        release.countDown();
        closer.join(TimeUnit.SECONDS.toMillis(PATIENCE_SECONDS));
        assertEquals(List.of("slow"), ran);
        disarmed.close();
    }

    @Test
    void kernelsBootedOnASharedClockRunTheirCalloutsWithoutAThreadEach() throws Exception {
        HyperClock clock = HostHypercall.sharedClock();
        HostHypercall a = HostHypercall.builder().environment(Map.of()).clock(clock).build();
        HostHypercall b = HostHypercall.builder().environment(Map.of()).clock(clock).build();
        assertTrue(a.clock() == b.clock());
        CountDownLatch both = new CountDownLatch(2);
        HyperTimer ta = a.clock().newTimer("a/hardclock", both::countDown);
        HyperTimer tb = b.clock().newTimer("b/hardclock", both::countDown);
        ta.arm(clock.monotonicNanos() + 10 * MS);
        tb.arm(clock.monotonicNanos() + 10 * MS);
        assertTrue(both.await(PATIENCE_SECONDS, TimeUnit.SECONDS));
        assertEquals(List.of(), a.threads().liveThreadNames(), "the timer thread is no kernel's");
        ta.close();
        tb.close();
    }
}
