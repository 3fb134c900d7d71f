package io.jrump.vfs;

import static io.jrump.kern.syscall.SyscallNumbers.*;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.syscall.SyscallArgs;
import io.jrump.kern.syscall.SyscallHandler;
import io.jrump.kern.syscall.SyscallTable;
import io.jrump.kern.vfs.Timespec;
import java.nio.ByteBuffer;

/**
 * The file system rows of the syscall table ({@code vfs_syscalls.c}): each handler takes its
 * arguments from the slots {@link io.jrump.kern.syscall.Syscalls} lays out and calls the {@link Vfs}
 * facade, so a program gets the same file system in-process and through {@code RUMP_SERVER}. A record
 * the kernel fills (a stat, a statvfs, the dirents) goes back as the call's result object; a missing
 * path or buffer is EFAULT, as a null pointer is in NetBSD.
 */
final class VfsSyscalls {
    static final String OWNER = "rumpvfs";
    private final Vfs vfs;

    VfsSyscalls(Vfs vfs) {
        this.vfs = vfs;
    }

    void register(SyscallTable t) {
        row(t, SYS_open, "open", (l, a) -> vfs.open(l, str(a, 0), fd(a, 1), fd(a, 2)));
        row(t, SYS_openat, "openat", (l, a) -> vfs.openat(l, fd(a, 0), str(a, 1), fd(a, 2), fd(a, 3)));
        row(t, SYS_readv, "readv", (l, a) -> vfs.readv(l, fd(a, 0), bufs(a, 1)));
        row(t, SYS_writev, "writev", (l, a) -> vfs.writev(l, fd(a, 0), bufs(a, 1)));
        row(t, SYS_pread, "pread", (l, a) -> vfs.pread(l, fd(a, 0), buf(a, 1), a.i[2]));
        row(t, SYS_pwrite, "pwrite", (l, a) -> vfs.pwrite(l, fd(a, 0), buf(a, 1), a.i[2]));
        row(t, SYS_lseek, "lseek", (l, a) -> vfs.lseek(l, fd(a, 0), a.i[1], fd(a, 2)));
        row(t, SYS___stat50, "__stat50", (l, a) -> result(a, vfs.stat(l, str(a, 0))));
        row(t, SYS___lstat50, "__lstat50", (l, a) -> result(a, vfs.lstat(l, str(a, 0))));
        row(t, SYS___fstat50, "__fstat50", (l, a) -> result(a, vfs.fstat(l, fd(a, 0))));
        row(t, SYS_fstatat, "fstatat", (l, a) -> result(a, vfs.fstatat(l, fd(a, 0), str(a, 1), fd(a, 2))));
        row(t, SYS_access, "access", (l, a) -> done(() -> vfs.access(l, str(a, 0), fd(a, 1))));
        row(t, SYS_chmod, "chmod", (l, a) -> done(() -> vfs.chmod(l, str(a, 0), fd(a, 1))));
        row(t, SYS_fchmod, "fchmod", (l, a) -> done(() -> vfs.fchmod(l, fd(a, 0), fd(a, 1))));
        row(t, SYS_chown, "chown", (l, a) -> done(() -> vfs.chown(l, str(a, 0), fd(a, 1), fd(a, 2))));
        row(t, SYS_fchown, "fchown", (l, a) -> done(() -> vfs.fchown(l, fd(a, 0), fd(a, 1), fd(a, 2))));
        row(t, SYS_lchown, "lchown", (l, a) -> done(() -> vfs.lchown(l, str(a, 0), fd(a, 1), fd(a, 2))));
        row(t, SYS_utimensat, "utimensat",
                (l, a) -> done(() -> vfs.utimensat(l, fd(a, 0), str(a, 1), times(a, 2), fd(a, 4))));
        row(t, SYS_futimens, "futimens", (l, a) -> done(() -> vfs.futimens(l, fd(a, 0), times(a, 1))));
        row(t, SYS_truncate, "truncate", (l, a) -> done(() -> vfs.truncate(l, str(a, 0), a.i[1])));
        row(t, SYS_ftruncate, "ftruncate", (l, a) -> done(() -> vfs.ftruncate(l, fd(a, 0), a.i[1])));
        row(t, SYS_fsync, "fsync", (l, a) -> done(() -> vfs.fsync(l, fd(a, 0))));
        row(t, SYS_link, "link", (l, a) -> done(() -> vfs.link(l, str(a, 0), str(a, 1))));
        row(t, SYS_linkat, "linkat",
                (l, a) -> done(() -> vfs.linkat(l, fd(a, 0), str(a, 1), fd(a, 2), str(a, 3), fd(a, 4))));
        row(t, SYS_unlink, "unlink", (l, a) -> done(() -> vfs.unlink(l, str(a, 0))));
        row(t, SYS_unlinkat, "unlinkat", (l, a) -> done(() -> vfs.unlinkat(l, fd(a, 0), str(a, 1), fd(a, 2))));
        row(t, SYS_rename, "rename", (l, a) -> done(() -> vfs.rename(l, str(a, 0), str(a, 1))));
        row(t, SYS_renameat, "renameat",
                (l, a) -> done(() -> vfs.renameat(l, fd(a, 0), str(a, 1), fd(a, 2), str(a, 3))));
        row(t, SYS_mkdir, "mkdir", (l, a) -> done(() -> vfs.mkdir(l, str(a, 0), fd(a, 1))));
        row(t, SYS_mkdirat, "mkdirat", (l, a) -> done(() -> vfs.mkdirat(l, fd(a, 0), str(a, 1), fd(a, 2))));
        row(t, SYS_rmdir, "rmdir", (l, a) -> done(() -> vfs.rmdir(l, str(a, 0))));
        row(t, SYS_symlink, "symlink", (l, a) -> done(() -> vfs.symlink(l, str(a, 0), str(a, 1))));
        row(t, SYS_readlink, "readlink", (l, a) -> {
            String target = vfs.readlink(l, str(a, 0));
            a.result = target;
            return target.length();
        });
        row(t, SYS___mknod50, "__mknod50", (l, a) -> done(() -> vfs.mknod(l, str(a, 0), fd(a, 1), a.i[2])));
        row(t, SYS___getdents30, "__getdents30", (l, a) -> {
            var ents = vfs.getdents(l, fd(a, 0), fd(a, 1));
            a.result = ents;
            int bytes = 0;
            for (var d : ents) {
                bytes += d.reclen();
            }
            return bytes;
        });
        row(t, SYS_chdir, "chdir", (l, a) -> done(() -> vfs.chdir(l, str(a, 0))));
        row(t, SYS_fchdir, "fchdir", (l, a) -> done(() -> vfs.fchdir(l, fd(a, 0))));
        row(t, SYS___getcwd, "__getcwd", (l, a) -> {
            String cwd = vfs.getcwd(l);
            a.result = cwd;
            return cwd.length();
        });
        row(t, SYS_chroot, "chroot", (l, a) -> done(() -> vfs.chroot(l, str(a, 0))));
        row(t, SYS_umask, "umask", (l, a) -> vfs.umask(l, fd(a, 0)));
        row(t, SYS___mount50, "__mount50",
                (l, a) -> done(() -> vfs.mount(l, str(a, 0), str(a, 1), fd(a, 2), opt(a, 3))));
        row(t, SYS_unmount, "unmount", (l, a) -> done(() -> vfs.unmount(l, str(a, 0), fd(a, 1))));
        row(t, SYS_statvfs1, "statvfs1", (l, a) -> result(a, vfs.statvfs(l, str(a, 0))));
        row(t, SYS_fstatvfs1, "fstatvfs1", (l, a) -> result(a, vfs.fstatvfs(l, fd(a, 0))));
        row(t, SYS_getvfsstat, "getvfsstat", (l, a) -> {
            var mounts = vfs.getvfsstat(l, fd(a, 0));
            a.result = mounts;
            return mounts.size();
        });
        row(t, SYS_sync, "sync", (l, a) -> done(() -> vfs.sync(l)));
        row(t, SYS_pathconf, "pathconf", (l, a) -> vfs.pathconf(l, str(a, 0), fd(a, 1)));
    }

    private static void row(SyscallTable t, int number, String name, SyscallHandler h) {
        t.register(number, name, OWNER, h);
    }

    /** A call with no value: what it did is in its errno. */
    @FunctionalInterface
    private interface Action {
        void run() throws ErrnoException;
    }

    private static long done(Action act) throws ErrnoException {
        act.run();
        return 0;
    }

    private static ByteBuffer[] bufs(SyscallArgs a, int k) throws ErrnoException {
        if (!(a.o[k] instanceof ByteBuffer[] v)) {
            throw new ErrnoException(Errno.EFAULT, "argument " + k + " is not an iovec");
        }
        return v;
    }

    private static long result(SyscallArgs a, Object r) {
        a.result = r;
        return 0;
    }

    private static int fd(SyscallArgs a, int slot) {
        return (int) a.i[slot];
    }

    private static String str(SyscallArgs a, int slot) throws ErrnoException {
        if (!(a.o[slot] instanceof String s)) {
            throw new ErrnoException(Errno.EFAULT, "no path");
        }
        return s;
    }

    private static String opt(SyscallArgs a, int slot) {
        return a.o[slot] instanceof String s && !s.isEmpty() ? s : null;
    }

    private static ByteBuffer buf(SyscallArgs a, int slot) throws ErrnoException {
        if (!(a.o[slot] instanceof ByteBuffer b)) {
            throw new ErrnoException(Errno.EFAULT, "no buffer");
        }
        return b;
    }

    /** {@code utimensat}'s two times from adjacent slots: both null is "now", as a null array is. */
    private static Timespec[] times(SyscallArgs a, int slot) throws ErrnoException {
        Object at = a.o[slot];
        Object mt = a.o[slot + 1];
        if (at == null && mt == null) {
            return null;
        }
        if (!(at instanceof Timespec x) || !(mt instanceof Timespec y)) {
            throw new ErrnoException(Errno.EFAULT, "times must be two timespecs or none");
        }
        return new Timespec[] {x, y};
    }
}
