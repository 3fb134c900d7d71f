package io.jrump.vfs;

import io.jrump.kern.vfs.Flock;
import io.jrump.kern.vfs.Fcntl;


import static io.jrump.kern.vfs.Fcntl.O_CREAT;
import static io.jrump.kern.vfs.Fcntl.O_RDWR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Lwp;
import io.jrump.testkit.RumpKernel;
import io.jrump.vfs.etfs.Etfs;
import io.jrump.vfs.etfs.EtfsType;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file system calls as a syscall runs them: the calling thread bound to its lwp and holding the
 * kernel's only virtual CPU. Whoever waits (for an advisory lock, a vnode lock, block I/O from the host)
 * must give the CPU up, or the holder it waits for could never run again.
 */
@RumpKernel(components = "rumpvfs", ncpu = 1)
class OneCpuTest {
    @TempDir
    Path tmp;

    @FunctionalInterface
    interface Call<T> {
        T run() throws ErrnoException;
    }

    /** Runs {@code c} in the kernel as {@code l}, as the syscall entry does. */
    static <T> T syscall(Kernel k, Lwp l, Call<T> c) throws ErrnoException {
        Object saved = k.hypercall().threads().curLwp();
        k.hypercall().threads().setCurLwp(l);
        k.scheduler().schedule(l, null);
        try {
            return c.run();
        } finally {
            k.scheduler().unschedule(l);
            k.hypercall().threads().setCurLwp(saved);
        }
    }

    @Test
    void a_lock_waiter_gives_the_cpu_to_the_holder(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P a = h.root();
        Harness.P b = h.user(0, 0);
        int fa = syscall(k, a.l, () -> a.open("/tmp/f", O_RDWR | O_CREAT, 0644));
        int fb = syscall(k, b.l, () -> b.open("/tmp/f", O_RDWR));
        Flock all = new Flock(0, 0, 0, Fcntl.F_WRLCK, Fcntl.SEEK_SET);
        syscall(k, a.l, () -> h.vfs.fcntlLock(a.l, fa, Fcntl.F_SETLK, all));
        CompletableFuture<Void> got = CompletableFuture.runAsync(() -> {
            try {
                syscall(k, b.l, () -> h.vfs.fcntlLock(b.l, fb, Fcntl.F_SETLKW, all));
            } catch (ErrnoException e) {
                throw new RuntimeException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!k.scheduler().idle() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        syscall(k, a.l, () -> {
            a.write(fa, "written while b waits");
            return h.vfs.fcntlLock(a.l, fa, Fcntl.F_SETLK, new Flock(0, 0, 0, Fcntl.F_UNLCK, Fcntl.SEEK_SET));
        });
        got.get(60, TimeUnit.SECONDS);
        syscall(k, b.l, () -> {
            b.close(fb);
            return null;
        });
        syscall(k, a.l, () -> {
            a.close(fa);
            return null;
        });
        b.exit();
    }

    @Test
    void many_lwps_share_one_cpu_through_renames_and_io(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P p = h.root();
        syscall(k, p.l, () -> {
            p.mkdir("/tmp/w", 0755);
            return null;
        });
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int id = i;
            Harness.P q = new Harness.P(h, p.proc);
            Thread t = new Thread(() -> {
                try {
                    for (int n = 0; n < 300; n++) {
                        syscall(k, q.l, () -> {
                            int fd = q.open("/tmp/w/f" + id, O_RDWR | O_CREAT | Fcntl.O_APPEND, 0644);
                            q.write(fd, new byte[5000]);
                            q.close(fd);
                            try {
                                q.rename("/tmp/w/f" + id, "/tmp/w/shared");
                            } catch (ErrnoException e) {
                                // another lwp renamed meanwhile
                            }
                            h.vfs.stat(q.l, "/tmp/w");
                            return null;
                        });
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            ts.add(t);
            t.start();
        }
        for (Thread t : ts) {
            t.join(TimeUnit.SECONDS.toMillis(120));
            if (t.isAlive()) {
                fail("an lwp is stuck: the CPU was not given up somewhere");
            }
        }
        if (!errors.isEmpty()) {
            fail(errors.peek());
        }
        RenameraceTest.checkTree(p, "/tmp/w");
    }

    @Test
    void block_io_waits_without_the_cpu(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P p = h.root();
        byte[] img = new byte[1 << 20];
        for (int i = 0; i < img.length; i++) {
            img[i] = (byte) (i * 31);
        }
        Path disk = Files.write(tmp.resolve("disk.img"), img);
        k.service(Etfs.class).register("/dk", disk.toString(), EtfsType.BLK);
        List<CompletableFuture<byte[]>> reads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Harness.P q = new Harness.P(h, p.proc);
            reads.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return syscall(k, q.l, () -> {
                        int fd = q.open("/dk", Fcntl.O_RDONLY);
                        ByteBuffer b = ByteBuffer.allocate(img.length);
                        while (b.hasRemaining() && h.vfs.read(q.l, fd, b) > 0) {
                            // read on to the end
                        }
                        q.close(fd);
                        return b.array();
                    });
                } catch (ErrnoException e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        for (CompletableFuture<byte[]> r : reads) {
            assertArrayEquals(img, r.get(60, TimeUnit.SECONDS));
        }
        assertEquals(1, k.scheduler().ncpu());
    }
}
