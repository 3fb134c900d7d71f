package io.jrump.kern.sched;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.ManualClock;
import io.jrump.kern.Cred;
import io.jrump.kern.Kernel;
import io.jrump.kern.Kernels;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * CPU time is charged to the process the work was for: protocol processing to the receiving process, as
 * protocol time (LRP seed 003), a process's own computing holding a CPU as user time, its syscalls as
 * system time.
 */
class ProcAccountingTest {
    /** Holds the CPU until the CPU clock has moved, so that the span has a length to charge. */
    private static void work(Kernel k) {
        long t0 = k.scheduler().cpuClock();
        while (k.scheduler().cpuClock() - t0 < 2_000_000L) {
            Thread.onSpinWait();
        }
    }

    @Test
    void protocolWorkInASpanIsChargedToTheProcessItWasForAtItsPriority() throws Exception {
        Kernel k = Kernels.bootManual(new ManualClock(), 1);
        try {
            Proc receiver = k.newProcess("receiver", Cred.ROOT);
            Proc other = k.newProcess("other", Cred.ROOT);
            receiver.setNice(7);
            int[] prioInside = {-1};
            int[] prioAfter = {-1};
            CountDownLatch done = new CountDownLatch(1);
            k.createKThread("tcp", () -> {
                Lwp me = k.curlwp();
                try (ProtoCharge c = k.scheduler().chargeProto(receiver)) {
                    prioInside[0] = me.priority();
                    work(k);
                }
                prioAfter[0] = me.priority();
                done.countDown();
            });
            assertTrue(done.await(20, TimeUnit.SECONDS));
            assertTrue(receiver.protoNanos() > 0);
            assertEquals(receiver.protoNanos(), receiver.cpuNanos(), "all of it protocol time");
            assertEquals(0, other.cpuNanos());
            assertEquals(0, k.proc0().protoNanos(), "not the kernel thread's own process");
            assertEquals(receiver.priority(), prioInside[0], "the span runs at the receiver's priority");
            assertEquals(Priority.KERNEL, prioAfter[0]);
        } finally {
            assertTrue(k.halt().clean());
        }
    }

    @Test
    void aSpanInTheReceiversOwnSyscallSplitsProtocolFromSystemTime() throws Exception {
        Kernel k = Kernels.bootManual(new ManualClock(), 1);
        try {
            Proc p = k.newProcess("udp", Cred.ROOT);
            // a syscall's handler stands in for recv: part of it is protocol work for the caller
            Thread t = new Thread(() -> {
                try (UserCpu u = p.userCpu().enter()) {
                    work(k);
                    k.scheduler().schedule(u.lwp(), null); // a syscall's entry, as ProcSyscalls makes it
                    try (ProtoCharge c = k.scheduler().chargeProto(p)) {
                        work(k);
                    }
                    work(k);
                    k.scheduler().unschedule(u.lwp());
                }
            });
            t.start();
            t.join(20_000);
            long user = p.userNanos();
            long proto = p.protoNanos();
            assertTrue(user > 0, "user mode");
            assertTrue(proto > 0, "the span");
            assertTrue(p.cpuNanos() > user + proto, "and system time besides: " + p.cpuNanos() + " " + user + " "
                    + proto);
        } finally {
            assertTrue(k.halt().clean());
        }
    }

    @Test
    void anAsynchronousProtocolThreadRunsAtItsOwnersPriorityChargedToIt() throws Exception {
        Kernel k = Kernels.bootManual(new ManualClock(), 1);
        try {
            Proc owner = k.newProcess("server", Cred.ROOT);
            owner.setNice(3);
            AtomicInteger prio = new AtomicInteger(-1);
            AtomicInteger ownerPrio = new AtomicInteger(-2);
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch go = new CountDownLatch(1);
            KThread app = k.createKThread("app/server", owner, () -> {
                started.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                // read together: the owner's priority moves on as the work below charges it CPU
                prio.set(k.curlwp().priority());
                ownerPrio.set(owner.priority());
                work(k);
            });
            assertTrue(started.await(20, TimeUnit.SECONDS));
            assertEquals(1, owner.lwps().size(), "one lwp of the owner while it runs");
            int before = owner.priority();
            owner.setNice(9);
            go.countDown();
            assertTrue(app.join(TimeUnit.SECONDS.toNanos(20)));
            assertEquals(ownerPrio.get(), prio.get(), "it follows the owner's priority as it changes");
            assertTrue(ownerPrio.get() > before, "the owner's nice 9 lowered it: " + before + " -> " + ownerPrio.get());
            assertTrue(owner.protoNanos() > 0);
            assertEquals(owner.protoNanos(), owner.cpuNanos());
            assertEquals(0, k.proc0().protoNanos());
            assertTrue(owner.lwps().isEmpty(), "its lwp leaves with it");
        } finally {
            assertTrue(k.halt().clean());
        }
    }

    @Test
    void aProtocolThreadRunsScheduledWorkChargedToItsOwnerAndEndsWithIt() throws Exception {
        Kernel k = Kernels.bootManual(new ManualClock(), 1);
        try {
            Proc owner = k.newProcess("tcpserver", Cred.ROOT);
            AtomicInteger runs = new AtomicInteger();
            int[] prio = {-1};
            ProtoThread t = new ProtoThread(k, "app/tcpserver", owner, () -> {
                prio[0] = k.curlwp().priority();
                work(k);
                runs.incrementAndGet();
            });
            Thread driver = new Thread(t::schedule); // an interrupt: a thread that is not an lwp
            driver.start();
            driver.join(20_000);
            for (int i = 0; i < 20_000 && runs.get() == 0; i++) {
                Thread.sleep(1);
            }
            assertEquals(1, runs.get());
            assertEquals(owner.priority(), prio[0]);
            assertTrue(owner.protoNanos() > 0);
            assertEquals(owner.protoNanos(), owner.cpuNanos());
            k.exitProcess(owner);
            assertTrue(t.thread().join(TimeUnit.SECONDS.toNanos(20)), "it ends with its owner");
            t.schedule();
            assertEquals(1, runs.get());
        } finally {
            assertTrue(k.halt().clean());
        }
    }
}
