package io.jrump.hypercall;

import static io.jrump.hypercall.TestSupport.PATIENCE_NANOS;
import static io.jrump.hypercall.TestSupport.PATIENCE_SECONDS;
import static io.jrump.hypercall.TestSupport.eventually;
import static io.jrump.hypercall.TestSupport.awaitBlockedIn;
import static io.jrump.hypercall.TestSupport.hostThread;
import static io.jrump.hypercall.TestSupport.onOtherThread;
import static io.jrump.hypercall.TestSupport.thrownOnOtherThread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class HostSyncTest {
    private final HostHypercall hc = HostHypercall.builder().environment(Map.of()).build();
    private final HyperSync sync = hc.sync();
    private final HyperThreads threads = hc.threads();

    @Nested
    class Mutexes {
        @Test
        void enteringTwicePanicsWithLockingAgainstMyself() {
            HyperMutex m = sync.newMutex();
            m.enter();
            KernelPanic p = assertThrows(KernelPanic.class, m::enter);
            assertTrue(p.getMessage().contains("locking against myself"), p.getMessage());
            assertTrue(m.owned(), "the failed enter leaves the mutex held once");
            m.exit();
            assertFalse(m.owned());
        }

        @Test
        void tryEnterTakesAFreeMutexAndFailsOnAHeldOne() throws Exception {
            HyperMutex m = sync.newMutex();
            assertTrue(m.tryEnter());
            assertTrue(m.owned());
            assertEquals(Boolean.FALSE, onOtherThread(threads, m::tryEnter), "held by another thread");
            assertEquals(Boolean.FALSE, onOtherThread(threads, m::owned));
            m.exit();
            assertEquals(Boolean.TRUE, onOtherThread(threads, () -> {
                boolean got = m.tryEnter();
                if (got) {
                    m.exit();
                }
                return got;
            }));
        }

        @Test
        void exitByANonOwnerPanics() throws Exception {
            HyperMutex m = sync.newMutex();
            m.enter();
            Throwable t = thrownOnOtherThread(threads, m::exit);
            assertInstanceOf(KernelPanic.class, t);
            assertTrue(m.owned(), "the owner still holds it");
            m.exit();
            assertInstanceOf(KernelPanic.class, assertThrows(Throwable.class, m::exit), "exit of a free mutex");
        }

        @Test
        void enterWaitsUntilTheOwnerExits() throws Exception {
            HyperMutex m = sync.newMutex();
            AtomicBoolean got = new AtomicBoolean();
            m.enter();
            HyperThread t = threads.create("contender", () -> {
                m.enter();
                got.set(true);
                m.exit();
            });
            awaitBlockedIn(t, "HostSync$Mutex.relock");
            assertFalse(got.get(), "the contender got in while the mutex was held");
            m.exit();
            assertTrue(t.join(PATIENCE_NANOS));
            assertTrue(got.get());
        }
        /** Many threads contending for one mutex: every increment made under it survives, and all finish. */
        @Test
        void contendedMutexExcludesAndLosesNoWakeup() throws Exception {
            HyperMutex m = sync.newMutex();
            long[] counter = {0};
            List<HyperThread> ts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ts.add(threads.create("contender-" + i, () -> {
                    for (int j = 0; j < 50_000; j++) {
                        m.enter();
                        counter[0]++;
                        if ((j & 1023) == 0) {
                            Thread.yield();
                        }
                        m.exit();
                    }
                }));
            }
            for (HyperThread t : ts) {
                assertTrue(t.join(PATIENCE_NANOS), t.name() + " never got the mutex again");
            }
            m.enter();
            assertEquals(200_000, counter[0]);
            m.exit();
        }

        /** A thread interrupted while it waits for the mutex still gets it, and keeps its interrupt. */
        @Test
        void anInterruptedWaiterStillEntersAndKeepsItsInterrupt() throws Exception {
            HyperMutex m = sync.newMutex();
            AtomicBoolean interruptedAfter = new AtomicBoolean();
            m.enter();
            HyperThread t = threads.create("contender", () -> {
                m.enter();
                interruptedAfter.set(Thread.currentThread().isInterrupted());
                m.exit();
            });
            Thread host = hostThread(t);
            awaitBlockedIn(host, "HostSync$Mutex.relock");
            host.interrupt();
            // the interrupt wakes it; it notes the interrupt (clearing the flag for now) and waits again
            eventually("the contender to wait again after the interrupt",
                    () -> !host.isInterrupted() && host.getState() == Thread.State.WAITING);
            awaitBlockedIn(host, "HostSync$Mutex.relock");
            assertTrue(t.alive(), "the interrupt did not get the contender the mutex");
            assertEquals(Boolean.FALSE, onOtherThread(threads, m::owned));
            m.exit();
            assertTrue(t.join(PATIENCE_NANOS));
            assertTrue(interruptedAfter.get(), "the interrupt was kept");
        }
    }

    @Nested
    class CondVars {
        @Test
        void signalWakesAWaiter() throws Exception {
            HyperMutex m = sync.newMutex();
            HyperCondVar cv = sync.newCondVar();
            int[] waiting = {0};
            boolean[] ready = {false};
            HyperThread t = threads.create("cv-waiter", () -> {
                m.enter();
                waiting[0]++;
                while (!ready[0]) {
                    cv.await(m);
                }
                m.exit();
            });
            waitUntilWaiting(m, waiting, 1);
            m.enter();
            ready[0] = true;
            cv.signal();
            m.exit();
            assertTrue(t.join(PATIENCE_NANOS), "signal did not wake the waiter");
        }

        /**
         * Wait morphing: a signalled waiter is woken when the signaller releases the mutex, so it never blocks
         * on the mutex the signaller still holds (which would cost it a second sleep and wakeup).
         */
        @Test
        void aSignalledWaiterIsWokenOnlyOnceTheMutexIsReleased() throws Exception {
            HostSync.Mutex m = (HostSync.Mutex) sync.newMutex();
            HyperCondVar cv = sync.newCondVar();
            int[] waiting = {0};
            boolean[] ready = {false};
            HyperThread t = threads.create("cv-waiter", () -> {
                m.enter();
                waiting[0]++;
                while (!ready[0]) {
                    cv.await(m);
                }
                m.exit();
            });
            waitUntilWaiting(m, waiting, 1);
            m.enter();
            ready[0] = true;
            cv.signal();
            assertTrue(m.defersWakeOf(hostThread(t)), "the signal is deferred to the mutex's release");
            awaitBlockedIn(t, "HostSync$CondVar.await");
            assertFalse(m.hasWaiters(), "the waiter was woken while the mutex was held and now waits for it");
            m.exit();
            assertTrue(t.join(PATIENCE_NANOS), "releasing the mutex did not wake the waiter");
        }

        @Test
        void broadcastWakesEveryWaiter() throws Exception {
            HyperMutex m = sync.newMutex();
            HyperCondVar cv = sync.newCondVar();
            int[] waiting = {0};
            boolean[] ready = {false};
            List<HyperThread> waiters = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                waiters.add(threads.create("cv-waiter-" + i, () -> {
                    m.enter();
                    waiting[0]++;
                    while (!ready[0]) {
                        cv.await(m);
                    }
                    m.exit();
                }));
            }
            waitUntilWaiting(m, waiting, 4);
            m.enter();
            ready[0] = true;
            cv.broadcast();
            m.exit();
            for (HyperThread t : waiters) {
                assertTrue(t.join(PATIENCE_NANOS), "broadcast did not wake " + t.name());
            }
        }

        @Test
        void waitingWithoutTheMutexPanics() {
            HyperMutex m = sync.newMutex();
            HyperCondVar cv = sync.newCondVar();
            assertThrows(KernelPanic.class, () -> cv.await(m));
            assertThrows(KernelPanic.class, () -> cv.awaitUntil(m, hc.clock().monotonicNanos() + 1));
        }

        @Test
        void usingOneCondVarWithTwoMutexesPanics() {
            HyperMutex a = sync.newMutex();
            HyperMutex b = sync.newMutex();
            HyperCondVar cv = sync.newCondVar();
            a.enter();
            assertTrue(cv.awaitUntil(a, hc.clock().monotonicNanos() - 1));
            a.exit();
            b.enter();
            try {
                assertThrows(KernelPanic.class, () -> cv.awaitUntil(b, hc.clock().monotonicNanos() - 1));
            } finally {
                b.exit();
            }
        }

        @Test
        void awaitUntilWithTheHostClockTimesOut() {
            HyperMutex m = sync.newMutex();
            HyperCondVar cv = sync.newCondVar();
            HyperClock clock = hc.clock();
            long deadline = clock.monotonicNanos() + TimeUnit.MILLISECONDS.toNanos(50);
            m.enter();
            boolean timedOut = false;
            while (!timedOut) { // as cv_timedwait callers do: a wakeup that is not a timeout means "look again"
                timedOut = cv.awaitUntil(m, deadline);
                assertTrue(m.owned(), "awaitUntil returns with the mutex held");
            }
            assertTrue(clock.monotonicNanos() >= deadline);
            m.exit();
        }

        @Test
        void awaitUntilAPassedDeadlineReturnsAtOnce() {
            HyperMutex m = sync.newMutex();
            HyperCondVar cv = sync.newCondVar();
            m.enter();
            assertTrue(cv.awaitUntil(m, hc.clock().monotonicNanos() - 1));
            assertTrue(m.owned());
            m.exit();
        }

        @Test
        void awaitUntilUnderAManualClockTimesOutOnlyWhenTheTestAdvancesPastTheDeadline() throws Exception {
            ManualClock clock = new ManualClock();
            HostHypercall manual = HostHypercall.builder().clock(clock).environment(Map.of()).build();
            HyperMutex m = manual.sync().newMutex();
            HyperCondVar cv = manual.sync().newCondVar();
            long deadline = clock.monotonicNanos() + TimeUnit.SECONDS.toNanos(1);
            AtomicLong timedOutAt = new AtomicLong(-1);
            HyperThread waiter = manual.threads().create("timedwait", () -> {
                m.enter();
                try {
                    while (!cv.awaitUntil(m, deadline)) {
                        // not timed out: wait again
                    }
                    timedOutAt.set(clock.monotonicNanos());
                } finally {
                    m.exit();
                }
            });
            Thread host = hostThread(waiter);
            eventually("the waiter to sleep on the clock", () -> clock.sleeping(host));
            assertTrue(waiter.alive(), "the wait ended although the manual clock did not move");
            assertEquals(-1, timedOutAt.get());

            clock.advance(TimeUnit.MILLISECONDS.toNanos(999));
            eventually("the waiter to see the new time and wait on", () -> clock.sleeping(host) || !waiter.alive());
            assertTrue(waiter.alive(), "the wait ended before the deadline");

            clock.advance(TimeUnit.MILLISECONDS.toNanos(1));
            assertTrue(waiter.join(PATIENCE_NANOS), "advancing to the deadline did not end the wait");
            assertEquals(deadline, timedOutAt.get());
        }

        @Test
        void signalEndsAManualClockTimedWaitWithoutATimeout() throws Exception {
            ManualClock clock = new ManualClock();
            HostHypercall manual = HostHypercall.builder().clock(clock).environment(Map.of()).build();
            HyperMutex m = manual.sync().newMutex();
            HyperCondVar cv = manual.sync().newCondVar();
            long deadline = clock.monotonicNanos() + TimeUnit.SECONDS.toNanos(1);
            int[] waiting = {0};
            boolean[] ready = {false};
            AtomicBoolean timedOut = new AtomicBoolean();
            HyperThread waiter = manual.threads().create("timedwait", () -> {
                m.enter();
                waiting[0]++;
                while (!ready[0]) {
                    if (cv.awaitUntil(m, deadline)) {
                        timedOut.set(true);
                        break;
                    }
                }
                m.exit();
            });
            waitUntilWaiting(m, waiting, 1);
            m.enter();
            ready[0] = true;
            cv.signal();
            m.exit();
            assertTrue(waiter.join(PATIENCE_NANOS));
            assertFalse(timedOut.get());
        }
    }

    @Nested
    class RwLocks {
        @Test
        void readersShare() throws Exception {
            HyperRwLock rw = sync.newRwLock();
            CountDownLatch bothIn = new CountDownLatch(2);
            CountDownLatch leave = new CountDownLatch(1);
            AtomicInteger sawTheOther = new AtomicInteger();
            List<HyperThread> readers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                readers.add(threads.create("reader-" + i, () -> {
                    rw.enterRead();
                    try {
                        bothIn.countDown();
                        if (bothIn.await(PATIENCE_SECONDS, TimeUnit.SECONDS)) {
                            sawTheOther.incrementAndGet();
                        }
                        leave.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        rw.exit();
                    }
                }));
            }
            assertTrue(bothIn.await(PATIENCE_SECONDS, TimeUnit.SECONDS), "two readers could not hold the lock together");
            assertFalse(rw.writeHeld());
            assertFalse(rw.tryEnterWrite(), "a writer got in while readers held the lock");
            assertTrue(rw.tryEnterRead(), "a third reader is let in");
            rw.exit();
            leave.countDown();
            for (HyperThread r : readers) {
                assertTrue(r.join(PATIENCE_NANOS));
            }
            assertEquals(2, sawTheOther.get());
            assertTrue(rw.tryEnterWrite(), "the writer gets in once the readers left");
            rw.exit();
        }

        @Test
        void writerExcludesReadersAndWriters() throws Exception {
            HyperRwLock rw = sync.newRwLock();
            rw.enterWrite();
            assertTrue(rw.writeHeld());
            assertEquals(Boolean.FALSE, onOtherThread(threads, rw::tryEnterRead));
            assertEquals(Boolean.FALSE, onOtherThread(threads, rw::tryEnterWrite));

            AtomicBoolean readerIn = new AtomicBoolean();
            HyperThread reader = threads.create("blocked-reader", () -> {
                rw.enterRead();
                readerIn.set(true);
                rw.exit();
            });
            awaitBlockedIn(reader, "HostSync$RwLock.enterRead");
            assertFalse(readerIn.get(), "a reader got in while the writer held the lock");
            rw.exit();
            assertTrue(reader.join(PATIENCE_NANOS));
            assertTrue(readerIn.get());
            assertFalse(rw.writeHeld());
        }

        @Test
        void aWriterWaitsForTheReaders() throws Exception {
            HyperRwLock rw = sync.newRwLock();
            rw.enterRead();
            AtomicBoolean writerIn = new AtomicBoolean();
            HyperThread writer = threads.create("blocked-writer", () -> {
                rw.enterWrite();
                writerIn.set(true);
                rw.exit();
            });
            awaitBlockedIn(writer, "HostSync$RwLock.enterWrite");
            assertFalse(writerIn.get());
            rw.exit();
            assertTrue(writer.join(PATIENCE_NANOS));
            assertTrue(writerIn.get());
        }

        @Test
        void writeEnteringTwicePanicsAndExitWithoutHoldingPanics() throws Exception {
            HyperRwLock rw = sync.newRwLock();
            rw.enterWrite();
            KernelPanic p = assertThrows(KernelPanic.class, rw::enterWrite);
            assertTrue(p.getMessage().contains("locking against myself"), p.getMessage());
            assertInstanceOf(KernelPanic.class, thrownOnOtherThread(threads, rw::exit), "exit by a thread that holds nothing");
            rw.exit();
            assertThrows(KernelPanic.class, rw::exit);
            assertNull(thrownOnOtherThread(threads, () -> {
                rw.enterWrite();
                rw.exit();
            }));
        }
    }

    /** Waits until {@code n} waiters have announced themselves under {@code m}; they are then inside the wait. */
    private static void waitUntilWaiting(HyperMutex m, int[] waiting, int n) throws InterruptedException {
        eventually(n + " waiters", () -> {
            m.enter();
            try {
                return waiting[0] == n;
            } finally {
                m.exit();
            }
        });
    }
}
