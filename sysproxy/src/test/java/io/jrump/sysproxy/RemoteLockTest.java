package io.jrump.sysproxy;

import static io.jrump.kern.vfs.Fcntl.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.vfs.Flock;
import io.jrump.rumpclient.RumpClient;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fcntl}'s advisory locks through the syscall table's {@code fcntl} row with a {@code struct
 * flock}, between processes that are remote clients, as NetBSD's {@code t_vnops} fcntl cases hold them
 * between processes.
 */
class RemoteLockTest {
    private Kernel k;
    private RumpServer server;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        k = Kernel.boot(KernelConfig.builder().component("rumpvfs").build());
        server = RumpServer.builder(k).url("unix://" + dir.resolve("sock"))
                .credPolicy(CredPolicy.everyone(Cred.ROOT)).start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        k.halt();
    }

    private static Flock wr(long start, long len) {
        return new Flock(start, len, 0, F_WRLCK, SEEK_SET);
    }

    @Test
    void aConflictIsEagainGetlkNamesTheHolderAndSetlkwWaitsForIt() throws Exception {
        try (RumpClient a = RumpClient.connect(server.url(), "a");
             RumpClient b = RumpClient.connect(server.url(), "b")) {
            int fa = a.open("/tmp/lk", O_RDWR | O_CREAT, 0644);
            int fb = b.open("/tmp/lk", O_RDWR, 0);
            assertNull(a.fcntlLock(fa, F_SETLK, wr(0, 10)));
            assertEquals(Errno.EAGAIN, errno(() -> b.fcntlLock(fb, F_SETLK, wr(5, 1))));
            assertEquals(new Flock(0, 10, a.pid(), F_WRLCK, SEEK_SET), b.fcntlLock(fb, F_GETLK, wr(0, 0)));
            assertEquals(F_UNLCK, a.fcntlLock(fa, F_GETLK, wr(0, 0)).type(), "a process never conflicts with itself");
            assertEquals(F_UNLCK, b.fcntlLock(fb, F_GETLK, wr(10, 5)).type(), "past the range is free");

            CompletableFuture<Flock> got = CompletableFuture.supplyAsync(() -> {
                try {
                    return b.fcntlLock(fb, F_SETLKW, wr(5, 10));
                } catch (ErrnoException e) {
                    throw new IllegalStateException(e);
                }
            });
            Probe.await(() -> Probe.asleep(k.proc(b.pid())) == 1, "b asleep in F_SETLKW");
            assertFalse(got.isDone());
            a.fcntlLock(fa, F_SETLK, new Flock(0, 0, 0, F_UNLCK, SEEK_SET));
            assertNull(got.get(60, TimeUnit.SECONDS));
            assertEquals(new Flock(5, 10, b.pid(), F_WRLCK, SEEK_SET), a.fcntlLock(fa, F_GETLK, wr(0, 0)));
            b.close(fb);
            assertEquals(F_UNLCK, a.fcntlLock(fa, F_GETLK, wr(0, 0)).type(), "closing the file released b's lock");
        }
    }

    /** A waiter whose client goes away is woken with its process's end and leaves no lock behind. */
    @Test
    void aWaiterWhoseClientGoesAwayLeavesNoLock() throws Exception {
        try (RumpClient a = RumpClient.connect(server.url(), "a")) {
            int fa = a.open("/tmp/lk", O_RDWR | O_CREAT, 0644);
            a.fcntlLock(fa, F_SETLK, wr(0, 0));
            RumpClient c = RumpClient.connect(server.url(), "c");
            int pid = c.pid();
            int fc = c.open("/tmp/lk", O_RDWR, 0);
            CompletableFuture<Integer> err = CompletableFuture.supplyAsync(() -> errno(() -> c.fcntlLock(fc, F_SETLKW, wr(0, 1))));
            Probe.await(() -> Probe.asleep(k.proc(pid)) == 1, "c asleep in F_SETLKW");
            c.close();
            assertNotEquals(0, (int) err.get(60, TimeUnit.SECONDS), "the call failed rather than got the lock");
            Probe.await(() -> k.proc(pid) == null, "c's process gone");
            a.fcntlLock(fa, F_SETLK, new Flock(0, 0, 0, F_UNLCK, SEEK_SET));
            try (RumpClient d = RumpClient.connect(server.url(), "d")) {
                int fd = d.open("/tmp/lk", O_RDWR, 0);
                assertEquals(F_UNLCK, d.fcntlLock(fd, F_GETLK, wr(0, 0)).type(), "nothing of c's is held");
            }
        }
    }

    @Test
    void readLocksShareAndNeedTheFileOpenForReading() throws Exception {
        try (RumpClient a = RumpClient.connect(server.url(), "a");
             RumpClient b = RumpClient.connect(server.url(), "b")) {
            int fa = a.open("/tmp/rl", O_RDWR | O_CREAT, 0644);
            int fb = b.open("/tmp/rl", O_RDONLY, 0);
            Flock rd = new Flock(0, 0, 0, F_RDLCK, SEEK_SET);
            a.fcntlLock(fa, F_SETLK, rd);
            b.fcntlLock(fb, F_SETLK, rd);
            assertEquals(Errno.EBADF, errno(() -> b.fcntlLock(fb, F_SETLK, wr(0, 1))), "write lock on a read-only file");
            assertEquals(Errno.EAGAIN, errno(() -> a.fcntlLock(fa, F_SETLK, wr(0, 1))), "b's read lock blocks a writer");
            assertEquals(Errno.EINVAL, errno(() -> a.fcntlLock(fa, 99, rd)));
            assertEquals(Errno.EBADF, errno(() -> a.fcntlLock(77, F_GETLK, rd)));
        }
    }

    @FunctionalInterface
    private interface Call {
        void run() throws ErrnoException;
    }

    private static int errno(Call c) {
        try {
            c.run();
        } catch (ErrnoException e) {
            return e.errno();
        }
        return 0;
    }
}
