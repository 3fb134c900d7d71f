package io.jrump.vfs;

import io.jrump.kern.vfs.Dirent;
import io.jrump.kern.vfs.Flock;
import io.jrump.kern.vfs.Fcntl;


import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.FileTable;
import io.jrump.kern.file.KFile;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.syscall.Syscalls;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The descriptor calls on open files ({@code sys_generic.c}, {@code vfs_vnops.c}, {@code sys_descrip.c}):
 * vectored and positioned I/O, {@code lseek}, {@code fsync}, {@code getdents}, the advisory locks of
 * {@code fcntl}, and {@code close} with POSIX's rule that a process's locks on a file go when it closes any
 * descriptor for it. {@code read}/{@code write}/{@code readv}/{@code writev} work on any file (a socket
 * too); the others need a vnode.
 */
final class FileIo {
    private FileIo() {
    }

    static int read(Proc p, int fd, ByteBuffer dst) throws ErrnoException {
        FileTable ft = p.files();
        KFile fp = ft.get(fd);
        try {
            return fp.ops().read(fp, dst);
        } finally {
            ft.put(fp);
        }
    }

    static int write(Proc p, int fd, ByteBuffer src) throws ErrnoException {
        FileTable ft = p.files();
        KFile fp = ft.get(fd);
        try {
            return fp.ops().write(fp, src);
        } finally {
            ft.put(fp);
        }
    }

    /**
     * {@code readv}: fills the buffers in order and stops early at the end of the file. On a vnode the
     * whole transfer happens under the file's offset lock, so it is one read as POSIX requires.
     */
    static long readv(Proc p, int fd, ByteBuffer[] dsts) throws ErrnoException {
        return vector(p, fd, dsts, true);
    }

    static long writev(Proc p, int fd, ByteBuffer[] srcs) throws ErrnoException {
        return vector(p, fd, srcs, false);
    }

    private static long vector(Proc p, int fd, ByteBuffer[] bufs, boolean read) throws ErrnoException {
        if (bufs == null) {
            throw new ErrnoException(Errno.EFAULT, "no iovec");
        }
        if (bufs.length == 0 || bufs.length > Syscalls.IOV_MAX) {
            throw new ErrnoException(Errno.EINVAL, bufs.length + " buffers: an iovec holds 1 to IOV_MAX ("
                    + Syscalls.IOV_MAX + ")");
        }
        FileTable ft = p.files();
        KFile fp = ft.get(fd);
        try {
            OpenFile of = fp.data() instanceof OpenFile o ? o : null;
            if (of != null) {
                of.offsetLock.enter();
            }
            try {
                long total = 0;
                for (ByteBuffer b : bufs) {
                    if (b == null || !b.hasRemaining()) {
                        continue;
                    }
                    int want = b.remaining();
                    int n;
                    try {
                        if (of == null) {
                            n = read ? fp.ops().read(fp, b) : fp.ops().write(fp, b);
                        } else if (read) {
                            n = VnodeFile.pread(fp, of, b, of.offset);
                            of.offset += n;
                        } else {
                            int before = b.remaining();
                            of.offset = VnodeFile.pwrite(fp, of, b, of.offset);
                            n = before - b.remaining();
                        }
                    } catch (ErrnoException e) {
                        if (total > 0) {
                            return total;
                        }
                        throw e;
                    }
                    total += n;
                    if (n < want) {
                        break;
                    }
                }
                return total;
            } finally {
                if (of != null) {
                    of.offsetLock.exit();
                }
            }
        } finally {
            ft.put(fp);
        }
    }

    /** The vnode file behind {@code fd}, held; ESPIPE for a socket and the like (as {@code pread} answers). */
    private static KFile vnodeFile(FileTable ft, int fd, int notVnodeErrno) throws ErrnoException {
        KFile fp = ft.get(fd);
        if (!(fp.data() instanceof OpenFile)) {
            ft.put(fp);
            throw new ErrnoException(notVnodeErrno, "descriptor " + fd + " is not a file");
        }
        return fp;
    }

    static int pread(Proc p, int fd, ByteBuffer dst, long offset) throws ErrnoException {
        FileTable ft = p.files();
        KFile fp = vnodeFile(ft, fd, Errno.ESPIPE);
        try {
            OpenFile of = (OpenFile) fp.data();
            if (of.vp.type() == VType.VFIFO) {
                throw new ErrnoException(Errno.ESPIPE);
            }
            return VnodeFile.pread(fp, of, dst, offset);
        } finally {
            ft.put(fp);
        }
    }

    static int pwrite(Proc p, int fd, ByteBuffer src, long offset) throws ErrnoException {
        FileTable ft = p.files();
        KFile fp = vnodeFile(ft, fd, Errno.ESPIPE);
        try {
            OpenFile of = (OpenFile) fp.data();
            if (of.vp.type() == VType.VFIFO) {
                throw new ErrnoException(Errno.ESPIPE);
            }
            int before = src.remaining();
            VnodeFile.pwrite(fp, of, src, offset);
            return before - src.remaining();
        } finally {
            ft.put(fp);
        }
    }

    /**
     * {@code lseek}: SEEK_SET, SEEK_CUR, SEEK_END, and SEEK_DATA/SEEK_HOLE, which ask the file system
     * where data and holes are (ENXIO at or past the end). A result below zero is EINVAL.
     */
    static long lseek(Proc p, int fd, long offset, int whence) throws ErrnoException {
        FileTable ft = p.files();
        KFile fp = vnodeFile(ft, fd, Errno.ESPIPE);
        try {
            OpenFile of = (OpenFile) fp.data();
            Vnode vp = of.vp;
            if (vp.type() == VType.VFIFO) {
                throw new ErrnoException(Errno.ESPIPE);
            }
            of.offsetLock.enter();
            try {
                long n = switch (whence) {
                    case Fcntl.SEEK_SET -> offset;
                    case Fcntl.SEEK_CUR -> Math.addExact(of.offset, offset);
                    case Fcntl.SEEK_END -> Math.addExact(size(vp), offset);
                    case Fcntl.SEEK_DATA, Fcntl.SEEK_HOLE -> seekData(vp, offset, whence == Fcntl.SEEK_HOLE);
                    default -> throw new ErrnoException(Errno.EINVAL, "whence " + whence);
                };
                if (n < 0) {
                    throw new ErrnoException(Errno.EINVAL, "offset would be negative");
                }
                of.offset = n;
                return n;
            } catch (ArithmeticException e) {
                throw new ErrnoException(Errno.EOVERFLOW);
            } finally {
                of.offsetLock.exit();
            }
        } finally {
            ft.put(fp);
        }
    }

    private static long size(Vnode vp) throws ErrnoException {
        Vattr va = new Vattr();
        vp.lockShared();
        try {
            vp.ops().getattr(vp, va);
        } finally {
            vp.unlock();
        }
        return va.size;
    }

    private static long seekData(Vnode vp, long offset, boolean hole) throws ErrnoException {
        vp.lockShared();
        try {
            return vp.ops().seekData(vp, offset, hole);
        } finally {
            vp.unlock();
        }
    }

    static void fsync(Proc p, int fd, boolean dataOnly) throws ErrnoException {
        FileTable ft = p.files();
        KFile fp = vnodeFile(ft, fd, Errno.EINVAL);
        try {
            Vnode vp = ((OpenFile) fp.data()).vp;
            vp.lockShared();
            try {
                vp.ops().fsync(vp, dataOnly);
            } finally {
                vp.unlock();
            }
        } finally {
            ft.put(fp);
        }
    }

    /**
     * {@code getdents}: entries from the file offset on, as many as fit in {@code count} bytes of
     * NetBSD's {@code struct dirent} records (EINVAL if not even one fits); empty at the end.
     */
    static List<Dirent> getdents(Proc p, int fd, int count) throws ErrnoException {
        FileTable ft = p.files();
        KFile fp = vnodeFile(ft, fd, Errno.EBADF);
        try {
            OpenFile of = (OpenFile) fp.data();
            Vnode vp = of.vp;
            if (vp.type() != VType.VDIR) {
                throw new ErrnoException(Errno.ENOTDIR);
            }
            if (!of.readable()) {
                throw new ErrnoException(Errno.EBADF, "not open for reading");
            }
            List<Dirent> out = new ArrayList<>();
            int[] used = new int[1];
            of.offsetLock.enter();
            try {
                vp.lockShared();
                try {
                    of.offset = vp.ops().readdir(vp, of.offset, (fileno, dtype, name, next) -> {
                        Dirent d = Dirent.of(fileno, dtype, name);
                        if (used[0] + d.reclen() > count) {
                            return false;
                        }
                        used[0] += d.reclen();
                        out.add(d);
                        return true;
                    });
                } finally {
                    vp.unlock();
                }
            } finally {
                of.offsetLock.exit();
            }
            if (out.isEmpty() && count < Dirent.reclen(PathConf.NAME_MAX) && hasMore(vp, of)) {
                throw new ErrnoException(Errno.EINVAL, "buffer of " + count + " bytes holds no entry");
            }
            return out;
        } finally {
            ft.put(fp);
        }
    }

    private static boolean hasMore(Vnode vp, OpenFile of) throws ErrnoException {
        boolean[] any = new boolean[1];
        vp.lockShared();
        try {
            vp.ops().readdir(vp, of.offset, (fileno, dtype, name, next) -> {
                any[0] = true;
                return false;
            });
        } finally {
            vp.unlock();
        }
        return any[0];
    }

    /**
     * {@code fcntl(F_GETLK/F_SETLK/F_SETLKW)}: locks owned by the calling process; a read lock needs the
     * file open for reading and a write lock for writing (EBADF); a conflict is EAGAIN (F_SETLK) or a
     * sleep (F_SETLKW). Returns the lock found for F_GETLK, else null.
     */
    static Flock fcntlLock(Proc p, CwdInfo cwdi, int fd, int cmd, Flock fl) throws ErrnoException {
        if (fl == null) {
            throw new ErrnoException(Errno.EFAULT, "no flock");
        }
        FileTable ft = p.files();
        KFile fp = vnodeFile(ft, fd, Errno.EINVAL);
        try {
            return fcntlLock(p, cwdi, fp, cmd, fl);
        } finally {
            ft.put(fp);
        }
    }

    /** {@link #fcntlLock(Proc, CwdInfo, int, int, Flock)} on a vnode file the caller holds. */
    static Flock fcntlLock(Proc p, CwdInfo cwdi, KFile fp, int cmd, Flock fl) throws ErrnoException {
        OpenFile of = (OpenFile) fp.data();
        Vnode vp = of.vp;
        Flock req = fl;
        if (fl.whence() == Fcntl.SEEK_CUR) {
            long base;
            of.offsetLock.enter();
            try {
                base = of.offset;
            } finally {
                of.offsetLock.exit();
            }
            req = new Flock(base + fl.start(), fl.len(), fl.pid(), fl.type(), Fcntl.SEEK_SET);
        }
        switch (cmd) {
            case Fcntl.F_GETLK:
                return vp.ops().advlock(vp, p, p.pid(), Fcntl.F_GETLK, req, false);
            case Fcntl.F_SETLK:
            case Fcntl.F_SETLKW:
                if (fl.type() == Fcntl.F_UNLCK) {
                    vp.ops().advlock(vp, p, p.pid(), Fcntl.F_UNLCK, req, false);
                    return null;
                }
                if (fl.type() == Fcntl.F_RDLCK && !of.readable() || fl.type() == Fcntl.F_WRLCK && !of.writable()) {
                    throw new ErrnoException(Errno.EBADF, "file not open for this lock type");
                }
                vp.ops().advlock(vp, p, p.pid(), Fcntl.F_SETLK, req, cmd == Fcntl.F_SETLKW);
                of.addLockOwner(p);
                LockF lf = vp.lockfIfPresent();
                if (lf != null) {
                    cwdi.noteLock(lf, p);
                }
                return null;
            default:
                throw new ErrnoException(Errno.EINVAL, "fcntl command " + cmd);
        }
    }

    /** {@code close}: the process's advisory locks on a vnode go first, then the descriptor. */
    static void close(Proc p, int fd) throws ErrnoException {
        FileTable ft = p.files();
        KFile fp = ft.get(fd);
        try {
            if (fp.data() instanceof OpenFile of) {
                LockF lf = of.vp.lockfIfPresent();
                if (lf != null) {
                    lf.releaseOwner(p);
                }
            }
        } finally {
            ft.put(fp);
        }
        ft.close(fd);
    }
}
