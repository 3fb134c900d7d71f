package io.jrump.kern.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.KernelPanic;
import io.jrump.kern.Kernel;
import io.jrump.kern.Kernels;
import io.jrump.kern.intr.Softint;
import io.jrump.kern.intr.Softints;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The tails a system call's thread runs once the call has returned ({@link Lwp#runAtReturn}): two receiving
 * kernels' input kept on the sender's thread, the first of which panics in a handler.
 */
class SyscallReturnTailsTest {
    @Test
    void aTailThatThrowsLeavesTheLaterTailsToRunAndTheThrowReachesTheCaller() throws Exception {
        Kernel sender = Kernels.boot();
        Kernel first = Kernels.boot();
        Kernel second = Kernels.boot();
        try {
            List<String> ran = new CopyOnWriteArrayList<>();
            Softint bad = first.softints().establish("bad", Softint.NET, () -> {
                ran.add("first");
                throw new KernelPanic("bad frame");
            });
            Softint good = second.softints().establish("good", Softint.NET, () -> ran.add("second"));
            Softints.InterruptTail t1 = first.softints().senderTail("tx first");
            Softints.InterruptTail t2 = second.softints().senderTail("tx second");

            Lwp caller = sender.proc0().newLwp("caller");
            caller.syscallEntered();
            assertTrue(caller.runAtReturn(t1));
            assertTrue(caller.runAtReturn(t2));
            schedule(first, t1, bad);
            schedule(second, t2, good);

            KernelPanic thrown = assertThrows(KernelPanic.class, caller::syscallReturned);
            assertEquals("bad frame", thrown.getMessage());
            assertEquals(List.of("first", "second"), ran);
            assertTrue(second.scheduler().idle());

            // the lwp is out of its call: a further tail is refused (the caller leaves it to a softint thread)
            assertTrue(!caller.runAtReturn(t1));
            sender.proc0().lwpExit(caller);
        } finally {
            for (Kernel k : new Kernel[] {sender, first, second}) {
                k.halt();
            }
        }
    }

    @Test
    void tailsRunInTheOrderTheyWereKeptOnTheCallingThread() throws Exception {
        Kernel sender = Kernels.boot();
        Kernel a = Kernels.boot();
        Kernel b = Kernels.boot();
        try {
            List<String> ran = new CopyOnWriteArrayList<>();
            List<Thread> on = new CopyOnWriteArrayList<>();
            Softint sa = a.softints().establish("a", Softint.NET, () -> {
                ran.add("a");
                on.add(Thread.currentThread());
            });
            Softint sb = b.softints().establish("b", Softint.NET, () -> {
                ran.add("b");
                on.add(Thread.currentThread());
            });
            Softints.InterruptTail ta = a.softints().senderTail("tx a");
            Softints.InterruptTail tb = b.softints().senderTail("tx b");
            Lwp caller = sender.proc0().newLwp("caller");
            caller.syscallEntered();
            assertTrue(caller.runAtReturn(ta));
            assertTrue(caller.runAtReturn(tb));
            assertTrue(caller.runAtReturn(ta), "a tail kept twice runs once");
            schedule(a, ta, sa);
            schedule(b, tb, sb);
            assertEquals(List.of(), ran);
            caller.syscallReturned();
            assertEquals(List.of("a", "b"), ran);
            assertSame(Thread.currentThread(), on.get(0));
            assertSame(Thread.currentThread(), on.get(1));
            sender.proc0().lwpExit(caller);
        } finally {
            for (Kernel k : new Kernel[] {sender, a, b}) {
                k.halt();
            }
        }
    }

    /** Schedules {@code s} in {@code k} as a frame input on this thread would: kept on the tail {@code t}. */
    private static void schedule(Kernel k, Softints.InterruptTail t, Softint s) {
        Object prev = t.beginCollect();
        try {
            k.softints().schedule(s);
        } finally {
            t.endCollect(prev);
        }
    }
}
