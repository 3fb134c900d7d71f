package io.jrump.hypercall;

import static io.jrump.hypercall.TestSupport.PATIENCE_NANOS;
import static io.jrump.hypercall.TestSupport.PATIENCE_SECONDS;
import static io.jrump.hypercall.TestSupport.eventually;
import static io.jrump.hypercall.TestSupport.onOtherThread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class HostThreadsTest {
    private final BufferConsole console = new BufferConsole();
    private final HostHypercall hc = HostHypercall.builder().console(console).environment(Map.of()).build();
    private final HyperThreads threads = hc.threads();

    @AfterEach
    void unbind() {
        threads.setCurLwp(null);
    }

    @Test
    void createRunsTheBodyOnANamedThreadAndJoinWaitsForIt() throws Exception {
        AtomicReference<String> ranOn = new AtomicReference<>();
        HyperThread t = threads.create("lwp-worker", () -> ranOn.set(Thread.currentThread().getName()));
        assertEquals("lwp-worker", t.name());
        assertTrue(t.join(PATIENCE_NANOS));
        assertFalse(t.alive());
        assertEquals("lwp-worker", ranOn.get());
    }

    @Test
    void liveThreadNamesListsARunningThreadAndNotAnEndedOne() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        HyperThread t = threads.create("softint-7", () -> {
            started.countDown();
            awaitQuietly(release);
        });
        assertTrue(started.await(PATIENCE_SECONDS, TimeUnit.SECONDS));
        assertTrue(t.alive());
        assertTrue(threads.liveThreadNames().contains("softint-7"), threads.liveThreadNames().toString());

        release.countDown();
        assertTrue(t.join(PATIENCE_NANOS));
        assertFalse(threads.liveThreadNames().contains("softint-7"), threads.liveThreadNames().toString());
    }

    @Test
    void joinWithATimeoutReportsAThreadThatHasNotEnded() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HyperThread t = threads.create("blocked", () -> awaitQuietly(release));
        assertFalse(t.join(TimeUnit.MILLISECONDS.toNanos(20)), "join returns false while the thread still runs");
        assertTrue(t.alive());
        release.countDown();
        assertTrue(t.join(PATIENCE_NANOS));
    }

    @Test
    void interruptWakesABlockedThread() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        AtomicReference<Boolean> interrupted = new AtomicReference<>();
        HyperThread t = threads.create("sleeper", () -> {
            try {
                never.await();
                interrupted.set(false);
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        t.interrupt();
        assertTrue(t.join(PATIENCE_NANOS));
        assertEquals(Boolean.TRUE, interrupted.get());
    }

    @Test
    void aThreadThatDiesIsReportedOnTheConsoleAndNoLongerListed() throws Exception {
        HyperThread t = threads.create("doomed", () -> {
            throw new IllegalStateException("boom");
        });
        assertTrue(t.join(PATIENCE_NANOS));
        assertFalse(threads.liveThreadNames().contains("doomed"));
        eventually("the death is reported", () -> console.text().contains("thread doomed died"));
        assertTrue(console.text().contains("boom"), console.text());
    }

    @Test
    void curLwpIsBoundPerHostThread() throws Exception {
        Object mine = new Object();
        Object theirs = new Object();
        threads.setCurLwp(mine);
        assertSame(mine, threads.curLwp());

        Object seenBeforeBinding = onOtherThread(threads, threads::curLwp);
        assertNull(seenBeforeBinding, "a new thread starts with no lwp");

        Object seenAfterBinding = onOtherThread(threads, () -> {
            threads.setCurLwp(theirs);
            return threads.curLwp();
        });
        assertSame(theirs, seenAfterBinding);
        assertSame(mine, threads.curLwp(), "another thread's binding does not change mine");

        threads.setCurLwp(null);
        assertNull(threads.curLwp(), "binding null unbinds");
    }

    @Test
    void curLwpIsBoundPerHypercallInstance() {
        HyperThreads other = HostHypercall.builder().environment(Map.of()).build().threads();
        Object lwpA = "lwp of kernel A";
        Object lwpB = "lwp of kernel B";
        threads.setCurLwp(lwpA);
        assertNull(other.curLwp(), "kernel B does not see kernel A's lwp on the same host thread");
        other.setCurLwp(lwpB);
        assertSame(lwpA, threads.curLwp());
        assertSame(lwpB, other.curLwp());
        other.setCurLwp(null);
        assertSame(lwpA, threads.curLwp(), "unbinding in B leaves A bound");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
