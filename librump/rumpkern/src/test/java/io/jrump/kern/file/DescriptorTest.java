package io.jrump.kern.file;

import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.Kernels;
import io.jrump.kern.Probes;
import io.jrump.kern.TestFile;
import io.jrump.kern.module.ModuleTest;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.syscall.SyscallArgs;
import io.jrump.kern.syscall.SyscallNumbers;
import io.jrump.kern.syscall.Syscalls;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.Errno;
import io.jrump.hypercall.ManualClock;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DescriptorTest {

    private static int errno(ModuleTest.ThrowingCall c) {
        try {
            c.run();
        } catch (ErrnoException e) {
            return e.errno();
        }
        return 0;
    }

    @FunctionalInterface
    private interface Call {
        int run() throws ErrnoException;
    }

    /** Runs a syscall on a thread of its own: its result, or minus its errno, completes {@code result}. */
    private static Thread call(String name, CompletableFuture<Integer> result, Call c) {
        Thread t = new Thread(() -> {
            try {
                result.complete(c.run());
            } catch (ErrnoException e) {
                result.complete(-e.errno());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void lowestFreeDescriptorDupAndClose() throws Exception {
        Kernel k = Kernels.boot();
        Syscalls sys = k.syscalls();
        FileTable ft = k.proc1().files();
        TestFile f = new TestFile();
        assertEquals(0, ft.install(new KFile(f, null, 0)));
        assertEquals(1, ft.install(new KFile(new TestFile(), null, 0)));
        assertEquals(2, sys.dup(0));
        sys.close(1);
        assertEquals(1, sys.dup(0), "the lowest free number is reused");
        assertEquals(7, sys.dup2(0, 7));
        sys.close(0);
        sys.close(1);
        sys.close(2);
        assertFalse(f.closed, "descriptor 7 still refers to the file");
        sys.close(7);
        assertTrue(f.closed, "the last close closes the file");
        assertEquals(Errno.EBADF, errno(() -> sys.close(7)));
        assertEquals(Errno.EBADF, errno(() -> sys.read(99, ByteBuffer.allocate(1))));
        assertTrue(k.halt().clean());
    }

    /**
     * {@code FD_CLOEXEC} belongs to the descriptor: {@code F_SETFD} sets it on one descriptor of a file
     * and not on another; {@code dup}, {@code dup2} and {@code F_DUPFD} make descriptors without it,
     * {@code F_DUPFD_CLOEXEC} with it; {@code fork} copies it; an exec closes exactly the marked ones.
     */
    @Test
    void closeOnExecIsPerDescriptor() throws Exception {
        Kernel k = Kernels.boot();
        Syscalls sys = k.proc1().syscalls();
        TestFile f = new TestFile();
        int fd = k.proc1().files().install(new KFile(f, null, 0));
        assertEquals(0, sys.fcntl(fd, Syscalls.F_GETFD, 0));
        assertEquals(0, sys.fcntl(fd, Syscalls.F_SETFD, Syscalls.FD_CLOEXEC | 0x10));
        assertEquals(Syscalls.FD_CLOEXEC, sys.fcntl(fd, Syscalls.F_GETFD, 0), "only FD_CLOEXEC is kept");
        int d = sys.dup(fd);
        assertEquals(0, sys.fcntl(d, Syscalls.F_GETFD, 0), "dup clears it");
        sys.fcntl(d, Syscalls.F_SETFD, Syscalls.FD_CLOEXEC);
        assertEquals(9, sys.dup2(fd, 9));
        assertEquals(0, sys.fcntl(9, Syscalls.F_GETFD, 0), "dup2 clears it");
        assertEquals(9, sys.dup2(9, 9), "dup2 onto itself changes nothing");
        assertEquals(10, sys.fcntl(fd, Syscalls.F_DUPFD, 9), "F_DUPFD: the lowest free descriptor not below 9");
        assertEquals(0, sys.fcntl(10, Syscalls.F_GETFD, 0));
        int c = sys.fcntl(fd, Syscalls.F_DUPFD_CLOEXEC, 20);
        assertEquals(20, c);
        assertEquals(Syscalls.FD_CLOEXEC, sys.fcntl(c, Syscalls.F_GETFD, 0));
        assertEquals(Errno.EINVAL, errno(() -> sys.fcntl(fd, Syscalls.F_DUPFD, -1)));
        assertEquals(Errno.EINVAL, errno(() -> sys.fcntl(fd, Syscalls.F_DUPFD, 1 << 20)));
        assertEquals(Errno.EBADF, errno(() -> sys.fcntl(55, Syscalls.F_GETFD, 0)));

        Proc child = k.fork(k.proc1(), "child");
        assertEquals(Syscalls.FD_CLOEXEC, child.syscalls().fcntl(c, Syscalls.F_GETFD, 0), "fork copies it");
        child.files().closeOnExec(child);
        assertEquals(java.util.List.of(9, 10), child.files().descriptors(), "exec closed the marked descriptors");
        k.exitProcess(child);

        k.proc1().files().closeOnExec(k.proc1());
        assertEquals(java.util.List.of(9, 10), k.proc1().files().descriptors());
        assertFalse(f.closed, "9 and 10 still refer to the file");
        sys.close(9);
        sys.close(10);
        assertTrue(f.closed);
        assertTrue(k.halt().clean());
    }

    @Test
    void readWriteFcntlAndIoctlReachTheFile() throws Exception {
        Kernel k = Kernels.boot();
        Syscalls sys = k.syscalls();
        int fd = k.proc1().files().install(new KFile(new TestFile(), null, 0));
        assertEquals(5, sys.write(fd, ByteBuffer.wrap("hello".getBytes())));
        ByteBuffer b = ByteBuffer.allocate(16);
        assertEquals(5, sys.read(fd, b));
        assertEquals("hello", new String(b.array(), 0, 5));
        assertEquals(0, sys.fcntl(fd, Syscalls.F_GETFL, 0) & KFile.O_NONBLOCK);
        sys.fcntl(fd, Syscalls.F_SETFL, KFile.O_NONBLOCK);
        assertEquals(KFile.O_NONBLOCK, sys.fcntl(fd, Syscalls.F_GETFL, 0) & KFile.O_NONBLOCK);
        sys.ioctl(fd, 0x8004667eL, new int[] {0});
        assertEquals(0, sys.fcntl(fd, Syscalls.F_GETFL, 0) & KFile.O_NONBLOCK, "FIONBIO 0 clears it");
        assertEquals(Errno.ENOTTY, errno(() -> sys.ioctl(fd, 0x1234, null)));
        assertEquals(Errno.EINVAL, errno(() -> sys.fcntl(fd, 99, 0)));
        sys.close(fd);
        assertTrue(k.halt().clean());
    }

    @Test
    void pollWakesWhenAnotherThreadWrites() throws Exception {
        Kernel k = Kernels.boot();
        Syscalls sys = k.syscalls();
        int fd = k.proc1().files().install(new KFile(new TestFile(), null, 0));
        PollFd[] p = {new PollFd(fd, Poll.POLLIN), new PollFd(55, Poll.POLLIN)};
        assertEquals(1, sys.poll(p, 0));
        assertEquals(Poll.POLLNVAL, p[1].revents, "a bad descriptor is POLLNVAL, not an error");
        PollFd[] q = {new PollFd(fd, Poll.POLLIN)};
        CompletableFuture<Integer> r = new CompletableFuture<>();
        Thread poller = call("poller", r, () -> sys.poll(q, -1));
        Probes.awaitSleepingIn(poller, "SelInfo$Waiter.sleep");
        assertFalse(r.isDone());
        sys.write(fd, ByteBuffer.wrap(new byte[] {1}));
        assertEquals(1, r.get(10, TimeUnit.SECONDS));
        assertEquals(Poll.POLLIN, q[0].revents);
        sys.close(fd);
        assertTrue(k.halt().clean());
    }

    @Test
    void pollTimesOutOnTheKernelClock() throws Exception {
        ManualClock clock = new ManualClock();
        Kernel k = Kernels.bootManual(clock, 1);
        Syscalls sys = k.syscalls();
        int fd = k.proc1().files().install(new KFile(new TestFile(), null, 0));
        CompletableFuture<Integer> r = new CompletableFuture<>();
        Thread poller = call("poller", r, () -> sys.poll(new PollFd[] {new PollFd(fd, Poll.POLLIN)}, 1000));
        Probes.awaitSleepingIn(clock, poller, "SelInfo$Waiter.sleep");
        assertFalse(r.isDone(), "no host time counts, only the kernel clock");
        clock.advance(1_000_000_000L);
        assertEquals(0, r.get(10, TimeUnit.SECONDS));
        sys.close(fd);
        assertTrue(k.halt().clean());
    }

    @Test
    void killingAProcessWakesItsPollerWithEintrAndClosesItsFiles() throws Exception {
        Kernel k = Kernels.boot();
        Proc p = k.newProcess("client", Cred.ROOT);
        TestFile f = new TestFile();
        int fd = p.files().install(new KFile(f, null, 0));
        CompletableFuture<Integer> r = new CompletableFuture<>();
        Thread poller = call("poller", r, () -> p.syscalls().poll(new PollFd[] {new PollFd(fd, Poll.POLLIN)}, -1));
        Probes.awaitSleepingIn(poller, "SelInfo$Waiter.sleep");
        k.exitProcess(p);
        assertEquals(-Errno.EINTR, r.get(10, TimeUnit.SECONDS));
        assertTrue(f.closed);
        assertTrue(k.halt().clean());
    }

    @Test
    void callsOfUnlinkedComponentsAreEnosys() throws Exception {
        Kernel k = Kernels.boot();
        assertEquals(Errno.ENOSYS, errno(() -> k.syscalls().syscall(SyscallNumbers.SYS___socket30, new SyscallArgs())));
        k.halt();
    }
}
