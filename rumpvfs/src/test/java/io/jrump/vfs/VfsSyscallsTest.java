package io.jrump.vfs;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.kern.vfs.Dirent;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.kern.vfs.Flock;
import io.jrump.kern.vfs.Stat;
import io.jrump.kern.vfs.Timespec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The file syscalls as a program makes them through {@link Syscalls}, the table in between. */
class VfsSyscallsTest {
    private Kernel k;
    private Syscalls sys;

    @BeforeEach
    void boot() throws Exception {
        k = Kernel.boot(KernelConfig.builder().component("rumpvfs").build());
        sys = k.proc1().syscalls();
    }

    @AfterEach
    void halt() {
        k.halt();
    }

    @Test
    void writeSeekReadAndStatThroughTheTable() throws Exception {
        int fd = sys.open("/tmp/f", Fcntl.O_RDWR | Fcntl.O_CREAT | Fcntl.O_EXCL, 0640);
        assertEquals(5, sys.write(fd, ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(3, sys.pwrite(fd, ByteBuffer.wrap("abc".getBytes(StandardCharsets.US_ASCII)), 10));
        assertEquals(0, sys.lseek(fd, 0, Fcntl.SEEK_SET));
        ByteBuffer b = ByteBuffer.allocate(32);
        assertEquals(13, sys.read(fd, b));
        assertEquals("hello\0\0\0\0\0abc", new String(b.array(), 0, 13, StandardCharsets.US_ASCII));
        ByteBuffer p = ByteBuffer.allocate(3);
        assertEquals(3, sys.pread(fd, p, 1));
        assertEquals("ell", new String(p.array(), StandardCharsets.US_ASCII));
        Stat st = sys.fstat(fd);
        assertTrue(st.isReg());
        assertEquals(13, st.size());
        assertEquals(0640, st.mode() & 07777);
        assertEquals(Fcntl.O_RDWR, sys.fcntl(fd, Syscalls.F_GETFL, 0) & Fcntl.O_ACCMODE);
        sys.close(fd);
        assertEquals(Errno.EEXIST, errno(() -> sys.open("/tmp/f", Fcntl.O_RDWR | Fcntl.O_CREAT | Fcntl.O_EXCL, 0)));
        assertEquals(Errno.ENOENT, errno(() -> sys.stat("/tmp/nonesuch")));
    }

    @Test
    void namespaceCalls() throws Exception {
        sys.mkdir("/tmp/d", 0755);
        sys.close(sys.open("/tmp/d/a", Fcntl.O_WRONLY | Fcntl.O_CREAT, 0644));
        sys.link("/tmp/d/a", "/tmp/d/b");
        assertEquals(2, sys.stat("/tmp/d/a").nlink());
        sys.symlink("b", "/tmp/d/s");
        assertEquals("b", sys.readlink("/tmp/d/s"));
        assertTrue(sys.lstat("/tmp/d/s").isLink());
        sys.rename("/tmp/d/b", "/tmp/d/c");
        int dfd = sys.open("/tmp/d", Fcntl.O_RDONLY | Fcntl.O_DIRECTORY, 0);
        List<Dirent> ents = sys.getdents(dfd, 4096);
        assertEquals(List.of(".", "..", "a", "c", "s"), ents.stream().map(Dirent::name).sorted().toList());
        sys.close(dfd);
        sys.chdir("/tmp/d");
        assertEquals("/tmp/d", sys.getcwd());
        sys.unlink("c");
        assertEquals(1, sys.stat("a").nlink());
        sys.utimensat(Syscalls.AT_FDCWD, "a", new Timespec(5, 6), new Timespec(7, 8), 0);
        Stat st = sys.stat("a");
        assertEquals(7, st.mtimeSec());
        assertEquals(8, st.mtimeNsec());
        sys.truncate("a", 4096);
        assertEquals(4096, sys.stat("a").size());
        sys.chmod("a", 0600);
        assertEquals(0600, sys.stat("a").mode() & 07777);
        assertEquals(Errno.ENOTEMPTY, errno(() -> sys.rmdir("/tmp/d")));
        sys.unlinkat(Syscalls.AT_FDCWD, "a", 0);
        sys.unlink("s");
        sys.chdir("/");
        sys.rmdir("/tmp/d");
        assertTrue(sys.statvfs("/").bsize() > 0);
        assertEquals(022, sys.umask(077));
        sys.sync();
    }

    @Test
    void anUnprivilegedProcessCannotReadARootFileOfMode0600() throws Exception {
        int fd = sys.open("/tmp/secret", Fcntl.O_WRONLY | Fcntl.O_CREAT, 0600);
        sys.close(fd);
        Syscalls user = k.newProcess("u", new Cred(1000, 1000, new int[0])).syscalls();
        assertEquals(Errno.EACCES, errno(() -> user.open("/tmp/secret", Fcntl.O_RDONLY, 0)));
        assertEquals(Errno.EPERM, errno(() -> user.chown("/tmp/secret", 1000, 1000)));
    }

    /** The lock commands reach the file through the kernel's {@code fcntl} row, a process's locks against another's. */
    @Test
    void fcntlLocksThroughTheTable() throws Exception {
        int fd = sys.open("/tmp/lk", Fcntl.O_RDWR | Fcntl.O_CREAT, 0644);
        Syscalls other = k.newProcess("other", Cred.ROOT).syscalls();
        int fo = other.open("/tmp/lk", Fcntl.O_RDWR, 0);
        assertNull(sys.fcntlLock(fd, Fcntl.F_SETLK, new Flock(0, 100, 0, Fcntl.F_WRLCK, Fcntl.SEEK_SET)));
        assertEquals(Errno.EAGAIN, errno(() -> other.fcntlLock(fo, Fcntl.F_SETLK,
                new Flock(50, 1, 0, Fcntl.F_RDLCK, Fcntl.SEEK_SET))));
        assertEquals(new Flock(0, 100, sys.getpid(), Fcntl.F_WRLCK, Fcntl.SEEK_SET),
                other.fcntlLock(fo, Fcntl.F_GETLK, new Flock(0, 0, 0, Fcntl.F_WRLCK, Fcntl.SEEK_SET)));
        sys.close(fd);
        assertNull(other.fcntlLock(fo, Fcntl.F_SETLK, new Flock(50, 1, 0, Fcntl.F_RDLCK, Fcntl.SEEK_SET)));
        other.close(fo);
    }

    @Test
    void oCloexecMarksTheNewDescriptorOnly() throws Exception {
        int fd = sys.open("/tmp/ce", Fcntl.O_RDWR | Fcntl.O_CREAT | Fcntl.O_CLOEXEC, 0644);
        assertEquals(Syscalls.FD_CLOEXEC, sys.fcntl(fd, Syscalls.F_GETFD, 0));
        int plain = sys.open("/tmp/ce", Fcntl.O_RDONLY, 0);
        assertEquals(0, sys.fcntl(plain, Syscalls.F_GETFD, 0));
        assertEquals(0, sys.fcntl(fd, Syscalls.F_GETFL, 0) & Fcntl.O_CLOEXEC, "not a file status flag");
        k.proc1().files().closeOnExec(k.proc1());
        assertEquals(Errno.EBADF, errno(() -> sys.fstat(fd)));
        assertTrue(sys.fstat(plain).isReg());
        sys.close(plain);
    }

    private interface Call {
        void run() throws ErrnoException;
    }

    private static int errno(Call c) {
        try {
            c.run();
        } catch (ErrnoException e) {
            return e.errno();
        }
        fail("expected an error");
        return 0;
    }
}
