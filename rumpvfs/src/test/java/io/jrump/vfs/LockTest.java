package io.jrump.vfs;

import io.jrump.kern.vfs.Flock;
import io.jrump.kern.vfs.Fcntl;


import static io.jrump.kern.vfs.Fcntl.F_GETLK;
import static io.jrump.kern.vfs.Fcntl.F_RDLCK;
import static io.jrump.kern.vfs.Fcntl.F_SETLK;
import static io.jrump.kern.vfs.Fcntl.F_SETLKW;
import static io.jrump.kern.vfs.Fcntl.F_UNLCK;
import static io.jrump.kern.vfs.Fcntl.F_WRLCK;
import static io.jrump.kern.vfs.Fcntl.O_CREAT;
import static io.jrump.kern.vfs.Fcntl.O_RDONLY;
import static io.jrump.kern.vfs.Fcntl.O_RDWR;
import static io.jrump.kern.vfs.Fcntl.SEEK_SET;
import static io.jrump.vfs.Harness.errno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Kernel;
import io.jrump.testkit.RumpKernel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Advisory locks between processes: waiting, deadlock, and who releases them when. */
@RumpKernel(components = "rumpvfs", ncpu = 2)
class LockTest {
    private static Flock wr(long start, long len) {
        return new Flock(start, len, 0, F_WRLCK, SEEK_SET);
    }

    private static Flock unlck(long start, long len) {
        return new Flock(start, len, 0, F_UNLCK, SEEK_SET);
    }

    /** Waits for the thread to block (its lwp asleep on the lock), with a generous deadline. */
    private static void awaitBlocked(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the waiter never blocked: " + t.getState());
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void setlkw_waits_for_the_holder(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P a = h.root();
        a.writeFile("/tmp/f", "0123456789");
        Harness.P b = a.fork();
        int fa = a.open("/tmp/f", O_RDWR);
        int fb = b.open("/tmp/f", O_RDWR);
        h.vfs.fcntlLock(a.l, fa, F_SETLK, wr(0, 5));
        CompletableFuture<Integer> got = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                h.vfs.fcntlLock(b.l, fb, F_SETLKW, wr(3, 4));
                got.complete(b.proc.pid());
            } catch (Throwable e) {
                got.completeExceptionally(e);
            }
        });
        t.start();
        awaitBlocked(t);
        assertTrue(!got.isDone());
        h.vfs.fcntlLock(a.l, fa, F_SETLK, unlck(0, 0));
        assertEquals(b.proc.pid(), got.get(60, TimeUnit.SECONDS));
        Flock seen = h.vfs.fcntlLock(a.l, fa, F_GETLK, wr(0, 0));
        assertEquals(new Flock(3, 4, b.proc.pid(), F_WRLCK, SEEK_SET), seen);
        b.close(fb);
        assertEquals(F_UNLCK, h.vfs.fcntlLock(a.l, fa, F_GETLK, wr(0, 0)).type());
        a.close(fa);
        b.exit();
    }

    @Test
    void deadlock_is_edeadlk(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P a = h.root();
        a.writeFile("/tmp/f", "0123456789");
        Harness.P b = a.fork();
        int fa = a.open("/tmp/f", O_RDWR);
        int fb = b.open("/tmp/f", O_RDWR);
        h.vfs.fcntlLock(a.l, fa, F_SETLK, wr(0, 1));
        h.vfs.fcntlLock(b.l, fb, F_SETLK, wr(5, 1));
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                h.vfs.fcntlLock(b.l, fb, F_SETLKW, wr(0, 1));
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        t.start();
        awaitBlocked(t);
        // b sleeps on a's lock: a sleeping on b's would close the circle
        assertEquals(Errno.EDEADLK, errno(() -> h.vfs.fcntlLock(a.l, fa, F_SETLKW, wr(5, 1))));
        assertEquals(Errno.EAGAIN, errno(() -> h.vfs.fcntlLock(a.l, fa, F_SETLK, wr(5, 1))));
        a.close(fa);
        done.get(60, TimeUnit.SECONDS);
        b.close(fb);
        b.exit();
    }

    @Test
    void a_killed_waiter_gets_eintr(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P a = h.root();
        a.writeFile("/tmp/f", "0123456789");
        Harness.P b = h.user(0, 0);
        int fa = a.open("/tmp/f", O_RDWR);
        int fb = b.open("/tmp/f", O_RDWR);
        h.vfs.fcntlLock(a.l, fa, F_SETLK, wr(0, 0));
        CompletableFuture<Integer> err = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            k.hypercall().threads().setCurLwp(b.l);
            err.complete(errno(() -> h.vfs.fcntlLock(b.l, fb, F_SETLKW, wr(0, 0))));
        });
        t.start();
        awaitBlocked(t);
        b.exit();
        assertEquals(Errno.EINTR, err.get(60, TimeUnit.SECONDS));
        a.close(fa);
    }

    @Test
    void closing_any_descriptor_releases_the_process_locks(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P a = h.root();
        a.writeFile("/tmp/f", "0123456789");
        Harness.P b = a.fork();
        int fa1 = a.open("/tmp/f", O_RDWR);
        int fa2 = a.open("/tmp/f", O_RDONLY);
        int fb = b.open("/tmp/f", O_RDWR);
        h.vfs.fcntlLock(a.l, fa1, F_SETLK, wr(0, 0));
        assertEquals(Errno.EAGAIN, errno(() -> h.vfs.fcntlLock(b.l, fb, F_SETLK, wr(9, 1))));
        a.close(fa2);
        h.vfs.fcntlLock(b.l, fb, F_SETLK, wr(9, 1));
        a.close(fa1);
        b.exit();
        h.vfs.fcntlLock(a.l, a.open("/tmp/f", O_RDWR), F_SETLK, wr(0, 0));
    }

    @Test
    void a_shared_file_closed_by_another_process_keeps_the_owners_lock(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P a = h.root();
        a.writeFile("/tmp/f", "0123456789");
        int fd = a.open("/tmp/f", O_RDWR);
        h.vfs.fcntlLock(a.l, fd, F_SETLK, wr(0, 0));
        Harness.P child = a.fork();
        child.close(fd);
        Harness.P other = h.user(0, 0);
        int fo = other.open("/tmp/f", O_RDWR);
        assertEquals(Errno.EAGAIN, errno(() -> h.vfs.fcntlLock(other.l, fo, F_SETLK, wr(0, 1))));
        child.exit();
        assertEquals(Errno.EAGAIN, errno(() -> h.vfs.fcntlLock(other.l, fo, F_SETLK, wr(0, 1))));
        a.close(fd);
        h.vfs.fcntlLock(other.l, fo, F_SETLK, wr(0, 1));
        other.exit();
    }

    @Test
    void exit_releases_locks_on_a_file_a_child_still_holds(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P a = h.user(0, 0);
        a.writeFile("/tmp/f", "0123456789");
        int fd = a.open("/tmp/f", O_RDWR);
        h.vfs.fcntlLock(a.l, fd, F_SETLK, wr(0, 0));
        Harness.P child = a.fork();
        Harness.P other = h.user(0, 0);
        int fo = other.open("/tmp/f", O_RDWR);
        assertEquals(Errno.EAGAIN, errno(() -> h.vfs.fcntlLock(other.l, fo, F_SETLK, wr(0, 1))));
        a.exit();
        h.vfs.fcntlLock(other.l, fo, F_SETLK, wr(0, 1));
        child.exit();
        other.exit();
    }

    @Test
    void lock_types_need_the_matching_access_and_ranges_split(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P a = h.root();
        a.writeFile("/tmp/f", "0123456789");
        int ro = a.open("/tmp/f", O_RDONLY);
        assertEquals(Errno.EBADF, errno(() -> h.vfs.fcntlLock(a.l, ro, F_SETLK, wr(0, 1))));
        h.vfs.fcntlLock(a.l, ro, F_SETLK, new Flock(0, 10, 0, F_RDLCK, SEEK_SET));
        h.vfs.fcntlLock(a.l, ro, F_SETLK, unlck(3, 2));
        Harness.P b = h.user(0, 0);
        int fb = b.open("/tmp/f", O_RDWR);
        h.vfs.fcntlLock(b.l, fb, F_SETLK, wr(3, 2));
        assertEquals(Errno.EAGAIN, errno(() -> h.vfs.fcntlLock(b.l, fb, F_SETLK, wr(2, 2))));
        assertEquals(new Flock(5, 5, a.proc.pid(), F_RDLCK, SEEK_SET),
                h.vfs.fcntlLock(b.l, fb, F_GETLK, wr(4, 3)));
        assertEquals(Errno.EINVAL, errno(() -> h.vfs.fcntlLock(a.l, ro, F_SETLK, new Flock(-5, 1, 0, F_RDLCK, SEEK_SET))));
        h.vfs.fcntlLock(a.l, ro, F_SETLK, new Flock(3, -3, 0, F_RDLCK, SEEK_SET));
        a.close(ro);
        b.exit();
    }

    @Test
    void o_exlock_locks_the_whole_file_for_the_open(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P a = h.root();
        int fd = a.open("/tmp/x", O_RDWR | O_CREAT | Fcntl.O_EXLOCK, 0644);
        assertEquals(Errno.EAGAIN, errno(() -> a.open("/tmp/x", O_RDONLY | Fcntl.O_SHLOCK | Fcntl.O_NONBLOCK)));
        a.close(fd);
        a.close(a.open("/tmp/x", O_RDONLY | Fcntl.O_SHLOCK | Fcntl.O_NONBLOCK));
    }
}
