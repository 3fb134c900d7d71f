package io.jrump.kern.sched;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.ManualClock;
import io.jrump.kern.Cred;
import io.jrump.kern.Kernel;
import io.jrump.kern.Kernels;
import io.jrump.kern.intr.Softint;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The virtual CPUs are handed out by priority, interrupt work first, and an lwp gives its CPU up at a
 * preemption point to pending interrupt work or a more urgent waiter (issue 18, "the virtual CPUs must make
 * the comparison honest"). One CPU each, so that who runs is decided only by the scheduler, and a manual
 * clock, so that no once-a-second decay changes a priority behind the test's back.
 */
class PrioritySchedulingTest {
    private static void await(BooleanSupplier cond, String what) throws InterruptedException {
        for (int i = 0; !cond.getAsBoolean(); i++) {
            if (i > 20_000) {
                fail("never: " + what);
            }
            Thread.sleep(1);
        }
    }

    /** A kernel thread that holds the only CPU until released; returns the release latch. */
    private static CountDownLatch holdCpu(Kernel k) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        k.createKThread("holder", () -> {
            holding.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(holding.await(20, TimeUnit.SECONDS));
        return release;
    }

    @Test
    void aFreedCpuGoesToTheMostUrgentWaiterFirstComeFirstServedAmongEquals() throws Exception {
        Kernel k = Kernels.bootManual(new ManualClock(), 1);
        try {
            CountDownLatch release = holdCpu(k);
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            int[] prios = {40, 30, 45, 30, 35};
            for (int i = 0; i < prios.length; i++) {
                String name = prios[i] + "/" + i;
                int waitersBefore = i;
                k.createKThread(name, prios[i], () -> order.add(name));
                await(() -> k.scheduler().waiting() == waitersBefore + 1, "waiter " + name + " queued");
            }
            release.countDown();
            await(() -> order.size() == prios.length, "every waiter ran");
            assertEquals(List.of("30/1", "30/3", "35/4", "40/0", "45/2"), order);
        } finally {
            assertTrue(k.halt().clean());
        }
    }

    @Test
    void aProcessThatUsedLessCpuIsServedFirst() throws Exception {
        Kernel k = Kernels.bootManual(new ManualClock(), 1);
        try {
            Proc hog = k.newProcess("hog", Cred.ROOT);
            Proc light = k.newProcess("light", Cred.ROOT);
            hog.charge(Proc.USER, 80 * tick(k));
            assertEquals(80, hog.estcpu());
            assertEquals(Priority.PUSER + 20, hog.priority(), "PUSER + estcpu/4");
            assertEquals(Priority.PUSER, light.priority());
            CountDownLatch release = holdCpu(k);
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            Thread h = new Thread(() -> call(hog, order));
            h.start();
            await(() -> k.scheduler().waiting() == 1, "the hog waits");
            Thread l = new Thread(() -> call(light, order));
            l.start();
            await(() -> k.scheduler().waiting() == 2, "the light process waits");
            release.countDown();
            h.join(20_000);
            l.join(20_000);
            assertEquals(List.of("light", "hog"), order, "the later but more urgent caller first");
        } finally {
            assertTrue(k.halt().clean());
        }
    }

    private static long tick(Kernel k) {
        return 1_000_000_000L / k.hz();
    }

    /** Takes a CPU as {@code p}'s user code and notes the order while holding it. */
    private static void call(Proc p, List<String> order) {
        try (UserCpu u = p.userCpu().enter()) {
            order.add(p.name());
        }
    }

    @Test
    void niceWeighsTwicePerStep() throws Exception {
        Kernel k = Kernels.bootManual(new ManualClock(), 1);
        try {
            Proc p = k.newProcess("nice", Cred.ROOT);
            p.setNice(5);
            assertEquals(Priority.PUSER + 10, p.priority());
            p.setNice(99);
            assertEquals(Priority.NICE_MAX, p.nice(), "clamped as setpriority(2) clamps");
            assertEquals(Priority.KERNEL, k.proc0().priority(), "the kernel's own lwps");
        } finally {
            assertTrue(k.halt().clean());
        }
    }

    @Test
    void aMoreUrgentWaiterTakesTheCpuAtThePreemptionPoint() throws Exception {
        Kernel k = Kernels.bootManual(new ManualClock(), 1);
        try {
            Proc batch = k.newProcess("batch", Cred.ROOT);
            batch.setNice(20);
            AtomicBoolean urgentRan = new AtomicBoolean();
            AtomicBoolean yielded = new AtomicBoolean();
            CountDownLatch inUser = new CountDownLatch(1);
            Thread t = new Thread(() -> {
                try (UserCpu u = batch.userCpu().enter()) {
                    inUser.countDown();
                    while (!urgentRan.get()) {
                        if (u.preemptionPoint()) {
                            yielded.set(true);
                        }
                    }
                }
            });
            t.start();
            assertTrue(inUser.await(20, TimeUnit.SECONDS));
            k.createKThread("urgent", Priority.KERNEL, () -> urgentRan.set(true));
            t.join(20_000);
            assertFalse(t.isAlive());
            assertTrue(yielded.get(), "the user loop gave its CPU up to the kernel thread");
            assertTrue(k.scheduler().preemptions() > 0);
        } finally {
            assertTrue(k.halt().clean());
        }
    }

    @Test
    void aLessUrgentWaiterDoesNotPreempt() throws Exception {
        Kernel k = Kernels.bootManual(new ManualClock(), 1);
        try {
            Proc batch = k.newProcess("batch", Cred.ROOT);
            batch.setNice(20);
            AtomicBoolean batchRan = new AtomicBoolean();
            int[] yields = {0};
            boolean[] ranWhileHeld = {false};
            CountDownLatch inUser = new CountDownLatch(1);
            CountDownLatch go = new CountDownLatch(1);
            Thread t = new Thread(() -> {
                try (UserCpu u = k.proc1().userCpu().enter()) {
                    inUser.countDown();
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < 100_000; i++) {
                        if (u.preemptionPoint()) {
                            yields[0]++;
                        }
                    }
                    ranWhileHeld[0] = batchRan.get();
                }
            });
            t.start();
            assertTrue(inUser.await(20, TimeUnit.SECONDS));
            Thread b = new Thread(() -> {
                try {
                    batch.syscalls().getpid();
                    batchRan.set(true);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            b.start();
            await(() -> k.scheduler().waiting() == 1, "the niced process waits");
            go.countDown();
            t.join(20_000);
            b.join(20_000);
            assertFalse(ranWhileHeld[0], "a less urgent lwp waits for the CPU to be given back");
            assertEquals(0, yields[0]);
            assertTrue(batchRan.get(), "and then runs");
        } finally {
            assertTrue(k.halt().clean());
        }
    }

    @Test
    void pendingSoftintWorkTakesTheCpuAtThePreemptionPointNotBefore() throws Exception {
        Kernel k = Kernels.bootManual(new ManualClock(), 1);
        try {
            Thread[] ranOn = {null};
            Softint s = k.softints().establish("work", Softint.NET, () -> ranOn[0] = Thread.currentThread());
            CountDownLatch inUser = new CountDownLatch(1);
            CountDownLatch pending = new CountDownLatch(1);
            long[] runsHeld = {-1};
            long[] runsAfter = {-1};
            boolean[] gaveUp = {false};
            Thread t = new Thread(() -> {
                try (UserCpu u = k.proc1().userCpu().enter()) {
                    inUser.countDown();
                    try {
                        pending.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    runsHeld[0] = s.runs();
                    gaveUp[0] = u.preemptionPoint();
                    runsAfter[0] = s.runs();
                }
            });
            t.start();
            assertTrue(inUser.await(20, TimeUnit.SECONDS));
            k.softints().scheduleOn(s, 0);
            Cpu cpu0 = k.scheduler().cpu(0);
            await(cpu0.softints::raised, "the softint is pending on CPU 0");
            pending.countDown();
            t.join(20_000);
            assertEquals(0, runsHeld[0], "the softint waits while the lwp holds its CPU between preemption points");
            assertTrue(gaveUp[0], "the lwp gave its CPU up to the interrupt");
            assertEquals(1, runsAfter[0], "the softint ran before the lwp got its CPU back");
            // the softint thread leaves it to the user-mode holder (virtual time stands still here, so it
            // never stops deferring): the CPU took the interrupt on the interrupted lwp's own thread
            assertSame(t, ranOn[0], "the handler ran on the interrupted lwp's thread");
            assertFalse(cpu0.interruptPending());
        } finally {
            assertTrue(k.halt().clean());
        }
    }

    @Test
    void aSyscallFromUserModeIsAPreemptionPoint() throws Exception {
        Kernel k = Kernels.bootManual(new ManualClock(), 1);
        try {
            Softint s = k.softints().establish("work", Softint.NET, () -> { });
            CountDownLatch inUser = new CountDownLatch(1);
            CountDownLatch pending = new CountDownLatch(1);
            long[] runsAfter = {-1};
            Thread t = new Thread(() -> {
                try (UserCpu u = k.proc1().userCpu().enter()) {
                    inUser.countDown();
                    pending.await();
                    assertEquals(1, k.syscalls().getpid());
                    runsAfter[0] = s.runs();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            t.start();
            assertTrue(inUser.await(20, TimeUnit.SECONDS));
            k.softints().scheduleOn(s, 0);
            await(k.scheduler().cpu(0).softints::raised, "the softint is pending on CPU 0");
            pending.countDown();
            t.join(20_000);
            assertEquals(1, runsAfter[0], "the softint ran at the syscall's entry");
        } finally {
            assertTrue(k.halt().clean());
        }
    }
}
