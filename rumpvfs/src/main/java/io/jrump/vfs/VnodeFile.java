package io.jrump.vfs;

import io.jrump.kern.vfs.Fcntl;
import io.jrump.kern.vfs.Flock;
import io.jrump.kern.vfs.StatMode;
import io.jrump.kern.sysctl.KinfoFile;


import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.Poll;
import io.jrump.kern.file.FileOps;
import io.jrump.kern.file.KFile;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.file.SelInfo;
import java.nio.ByteBuffer;

/**
 * The file operations of an open vnode ({@code vnops} of {@code vfs_vnops.c}), so that files live in
 * the same descriptor table as sockets and {@code read}, {@code write}, {@code ioctl}, {@code poll} and
 * {@code close} reach them the same way. Reading takes the vnode lock shared and writing exclusive;
 * reads and writes that use the file offset hold the file's offset lock around both, which makes an
 * {@code O_APPEND} write and its new offset one step.
 *
 * <p>The read and write paths allocate nothing: the caller's buffer goes to the file system as it is.
 */
public final class VnodeFile implements FileOps {
    /** {@code FIONREAD} and {@code FIONBIO} as NetBSD numbers them. */
    public static final long FIONREAD = 0x4004667fL;
    public static final long FIONBIO = 0x8004667eL;

    private final Vfs vfs;

    VnodeFile(Vfs vfs) {
        this.vfs = vfs;
    }

    /** The open vnode behind {@code fp}; EBADF unless it is one. */
    static OpenFile of(KFile fp) throws ErrnoException {
        if (fp.data() instanceof OpenFile of) {
            return of;
        }
        throw new ErrnoException(Errno.EBADF, "not a vnode");
    }

    static int ioflags(KFile fp) {
        int f = fp.flags();
        int io = 0;
        if ((f & Fcntl.O_NONBLOCK) != 0) {
            io |= VnodeOps.IO_NDELAY;
        }
        if ((f & Fcntl.O_SYNC) != 0) {
            io |= VnodeOps.IO_SYNC;
        }
        return io;
    }

    @Override
    public int read(KFile fp, ByteBuffer dst) throws ErrnoException {
        OpenFile of = of(fp);
        of.offsetLock.enter();
        try {
            int n = pread(fp, of, dst, of.offset);
            of.offset += n;
            return n;
        } finally {
            of.offsetLock.exit();
        }
    }

    /** A read at {@code offset} that leaves the file offset alone. */
    static int pread(KFile fp, OpenFile of, ByteBuffer dst, long offset) throws ErrnoException {
        if (!of.readable()) {
            throw new ErrnoException(Errno.EBADF, "not open for reading");
        }
        Vnode vp = of.vp;
        if (vp.type() == VType.VDIR) {
            throw new ErrnoException(Errno.EISDIR);
        }
        if (offset < 0) {
            throw new ErrnoException(Errno.EINVAL, "negative offset");
        }
        vp.lockShared();
        try {
            return vp.ops().read(vp, dst, offset, ioflags(fp), of.cred);
        } finally {
            vp.unlock();
        }
    }

    @Override
    public int write(KFile fp, ByteBuffer src) throws ErrnoException {
        OpenFile of = of(fp);
        of.offsetLock.enter();
        try {
            int before = src.remaining();
            of.offset = pwrite(fp, of, src, of.offset);
            return before - src.remaining();
        } finally {
            of.offsetLock.exit();
        }
    }

    /**
     * A write at {@code offset} (at the end with {@code O_APPEND}); returns the offset after it. A
     * write that fails after some bytes went out returns those bytes instead of the error.
     */
    static long pwrite(KFile fp, OpenFile of, ByteBuffer src, long offset) throws ErrnoException {
        if (!of.writable()) {
            throw new ErrnoException(Errno.EBADF, "not open for writing");
        }
        Vnode vp = of.vp;
        if (offset < 0) {
            throw new ErrnoException(Errno.EINVAL, "negative offset");
        }
        int io = ioflags(fp) | VnodeOps.IO_UNIT;
        if ((fp.flags() & Fcntl.O_APPEND) != 0 && vp.type() == VType.VREG) {
            io |= VnodeOps.IO_APPEND;
        }
        vp.lockExclusive();
        try {
            return vp.ops().write(vp, src, offset, io, of.cred);
        } finally {
            vp.unlock();
        }
    }

    @Override
    public long ioctl(KFile fp, long cmd, Object arg) throws ErrnoException {
        OpenFile of = of(fp);
        Vnode vp = of.vp;
        if (vp.type() == VType.VREG || vp.type() == VType.VDIR) {
            if (cmd == FIONREAD) {
                Vattr va = new Vattr();
                vp.lockShared();
                try {
                    vp.ops().getattr(vp, va);
                } finally {
                    vp.unlock();
                }
                long n = Math.max(0, va.size - of.offset);
                if (arg instanceof int[] a && a.length > 0) {
                    a[0] = (int) Math.min(n, Integer.MAX_VALUE);
                }
                return n;
            }
            if (cmd == FIONBIO) {
                return 0;
            }
            throw new ErrnoException(Errno.ENOTTY);
        }
        return vp.ops().ioctl(vp, cmd, arg, of.fflags, of.cred);
    }

    @Override
    public int poll(KFile fp, int events, SelInfo.Waiter waiter) {
        if (!(fp.data() instanceof OpenFile of)) {
            return Poll.POLLNVAL;
        }
        return of.vp.ops().poll(of.vp, events);
    }

    /**
     * The last reference to the file went: the advisory locks set through it are released, the file
     * system hears the close, and the file's reference on the vnode is dropped.
     */
    @Override
    public void close(KFile fp) throws ErrnoException {
        OpenFile of = of(fp);
        Vnode vp = of.vp;
        LockF lf = vp.lockfIfPresent();
        for (Object owner : of.takeLockOwners()) {
            if (lf != null) {
                lf.releaseOwner(owner);
            }
        }
        try {
            vp.lockExclusive();
            try {
                vp.ops().close(vp, of.fflags, of.cred);
            } finally {
                vp.unlock();
            }
        } finally {
            vp.rele();
        }
    }

    /** POSIX {@code fcntl} locks belong to the process and end with any of its descriptors for the file. */
    @Override
    public void closing(KFile fp, Proc owner) {
        if (fp.data() instanceof OpenFile of) {
            LockF lf = of.vp.lockfIfPresent();
            if (lf != null) {
                lf.releaseOwner(owner);
            }
        }
    }

    /** The {@code fcntl} lock commands as the syscall table's {@code fcntl} row passes them. */
    @Override
    public Flock advlock(KFile fp, Proc owner, int cmd, Flock fl) throws ErrnoException {
        of(fp);
        return FileIo.fcntlLock(owner, vfs.cwdInfo(owner), fp, cmd, fl);
    }

    /**
     * The record {@code fstat} prints: the access from the open flags, and the vnode's mount point, number,
     * mode, size (or device) as {@code getattr} gives them; a vnode killed by a forced unmount shows none.
     */
    @Override
    public void describe(KFile fp, KinfoFile r) {
        if (!(fp.data() instanceof OpenFile of)) {
            return;
        }
        r.rw = ((of.fflags & Fcntl.FREAD) != 0 ? KinfoFile.R : 0) | ((of.fflags & Fcntl.FWRITE) != 0 ? KinfoFile.W : 0);
        r.offset = of.offset;
        describe(of.vp, r);
    }

    /** A vnode's part of a {@code kern.files} record: mount point, number, mode, and size or device. */
    static void describe(Vnode vp, KinfoFile r) {
        Mount mp = vp.mount();
        r.mount = mp == null ? "" : mp.onName();
        Vattr va = new Vattr();
        vp.lockShared();
        try {
            vp.ops().getattr(vp, va);
        } catch (ErrnoException e) {
            return;
        } finally {
            vp.unlock();
        }
        r.fileid = va.fileid;
        r.mode = vp.type().ifmt() | (va.mode & StatMode.ALLPERMS);
        if (vp.type() == VType.VCHR || vp.type() == VType.VBLK) {
            r.rdev = va.rdev;
        } else {
            r.size = va.size;
        }
    }

    @Override
    public char kind() {
        return '-';
    }
}
