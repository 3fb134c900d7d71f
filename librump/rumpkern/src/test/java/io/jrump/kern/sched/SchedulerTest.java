package io.jrump.kern.sched;

import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.Kernels;
import io.jrump.kern.sync.KCondVar;
import io.jrump.kern.sync.KMutex;
import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SchedulerTest {

    @Test
    void sleepingLwpGivesUpTheOnlyCpu() throws Exception {
        Kernel k = Kernels.boot();
        KMutex m = k.newMutex();
        KCondVar cv = k.newCondVar();
        boolean[] flag = {false};
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        // A kernel thread holds the single CPU, then sleeps on a condition only a second thread can set.
        k.createKThread("sleeper", () -> {
            m.enter();
            waiting.countDown();
            while (!flag[0]) {
                cv.await(m);
            }
            m.exit();
            done.countDown();
        });
        assertTrue(waiting.await(10, TimeUnit.SECONDS));
        k.createKThread("waker", () -> {
            m.enter();
            flag[0] = true;
            cv.broadcast();
            m.exit();
        });
        assertTrue(done.await(10, TimeUnit.SECONDS), "with one CPU the waker could only run if the sleeper let go");
        assertTrue(k.halt().clean());
    }

    @Test
    void cpuTimeIsChargedToTheCallingProcess() throws Exception {
        Kernel k = Kernels.boot();
        Proc p = k.newProcess("busy", Cred.ROOT);
        long before = p.cpuNanos();
        for (int i = 0; i < 2000; i++) {
            p.syscalls().sysctlList("");
        }
        assertTrue(p.cpuNanos() > before);
        assertEquals(0, k.proc1().cpuNanos(), "process 1 made no calls");
        k.halt();
    }

    @Test
    void moreCallersThanCpusAllComplete() throws Exception {
        Kernel k = Kernel.boot(Kernels.config().ncpu(2).build());
        Thread[] ts = new Thread[8];
        int[] ok = new int[8];
        for (int t = 0; t < ts.length; t++) {
            int id = t;
            ts[t] = new Thread(() -> {
                for (int i = 0; i < 500; i++) {
                    try {
                        if (k.syscalls().getpid() == 1) {
                            ok[id]++;
                        }
                    } catch (ErrnoException e) {
                        throw new AssertionError(e);
                    }
                }
            });
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join(30_000);
        }
        for (int v : ok) {
            assertEquals(500, v);
        }
        for (int i = 0; i < 2; i++) {
            assertNull(k.scheduler().cpu(i).owner(), "every CPU is free again");
        }
        assertTrue(k.halt().clean());
    }
}
