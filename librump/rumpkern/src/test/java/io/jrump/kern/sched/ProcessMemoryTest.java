package io.jrump.kern.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.Kernels;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Processes are kernel memory: under a memory limit ({@code rump_server -r}) a kernel makes processes
 * until the limit is reached, then answers ENOMEM as {@code fork(2)} does, never throwing
 * {@link OutOfMemoryError}; a process that exits gives its memory back, with its lwps', and
 * {@code hw.usermem64} shows what processes hold.
 */
class ProcessMemoryTest {
    private static final long LIMIT = 256 * 1024;

    @Test
    void processesUntilEnomemThenExitingMakesRoom() throws Exception {
        Kernel k = Kernel.boot(Kernels.config().memoryLimit(LIMIT).build());
        List<Proc> procs = new ArrayList<>();
        for (;;) {
            try {
                procs.add(k.createProcess("p" + procs.size(), Cred.ROOT));
            } catch (ErrnoException e) {
                assertEquals(Errno.ENOMEM, e.errno(), "process creation past the limit: " + e);
                break;
            }
            if (procs.size() > LIMIT) {
                fail("processes are not charged: " + procs.size() + " made under a " + LIMIT + " byte limit");
            }
        }
        assertTrue(procs.size() * Proc.KMEM_BYTES <= LIMIT && (procs.size() + 1) * Proc.KMEM_BYTES > LIMIT,
                procs.size() + " processes of " + Proc.KMEM_BYTES + " bytes under a " + LIMIT + " byte limit");
        assertEquals(procs.size() * Proc.KMEM_BYTES, usermem(k), "hw.usermem64 counts the processes");
        try {
            k.forkProcess(procs.get(0), "child");
            fail("fork past the limit succeeded");
        } catch (ErrnoException e) {
            assertEquals(Errno.ENOMEM, e.errno(), "fork past the limit: " + e);
        }
        for (int i = 0; i < 10; i++) {
            k.exitProcess(procs.remove(procs.size() - 1));
        }
        for (int i = 0; i < 10; i++) {
            procs.add(k.forkProcess(procs.get(0), "child" + i));
        }
        HaltReport r = k.halt();
        assertTrue(r.clean(), r.toString());
        assertEquals(0, k.kmem().used(), "every process gave its memory back");
    }

    /** Each host thread that calls into a process gets an lwp, charged with it and given back at exit. */
    @Test
    void aProcessesLwpsAreChargedUntilItExits() throws Exception {
        Kernel k = Kernel.boot(Kernels.config().memoryLimit(LIMIT).build());
        Proc p = k.createProcess("client", Cred.ROOT);
        p.syscalls().getpid();
        Thread t = new Thread(() -> {
            try {
                p.syscalls().getpid();
            } catch (ErrnoException e) {
                throw new AssertionError(e);
            }
        });
        t.start();
        t.join();
        assertEquals(Proc.KMEM_BYTES + 2 * Lwp.KMEM_BYTES, usermem(k), "the process and its two lwps");
        k.exitProcess(p);
        assertEquals(0, usermem(k), "exit gives back the process and its lwps");
        assertTrue(k.halt().clean());
    }

    private static long usermem(Kernel k) throws ErrnoException {
        return Long.parseLong(k.syscalls().sysctlRead("hw.usermem64").trim());
    }
}
