package io.jrump.vfs;

import io.jrump.kern.vfs.Stat;
import io.jrump.kern.vfs.Timespec;
import io.jrump.kern.vfs.StatMode;
import io.jrump.kern.vfs.Fcntl;


import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;

/**
 * The calls that read and change attributes ({@code vfs_syscalls.c}'s {@code stat}, {@code access},
 * {@code chmod}, {@code chown}, {@code utimensat}, {@code truncate}, {@code pathconf}), on a referenced
 * vnode the facade found by path or descriptor. Rights are checked here, against the attributes read
 * under the vnode's exclusive lock, so the check and the change are one step.
 */
final class AttrOps {
    private final VfsClock clock;

    AttrOps(VfsClock clock) {
        this.clock = clock;
    }

    static Stat stat(Vnode vp) throws ErrnoException {
        Vattr va = new Vattr();
        vp.lockShared();
        try {
            vp.ops().getattr(vp, va);
        } finally {
            vp.unlock();
        }
        return toStat(vp.type(), va);
    }

    /** The {@code struct stat} of vnode attributes, as {@code vn_stat} fills it. */
    static Stat toStat(VType type, Vattr va) {
        return new Stat(va.fsid, type.ifmt() | (va.mode & StatMode.ALLPERMS), va.fileid, va.nlink, va.uid, va.gid,
                va.rdev, Stat.sec(va.atime), Stat.nsec(va.atime), Stat.sec(va.mtime), Stat.nsec(va.mtime),
                Stat.sec(va.ctime), Stat.nsec(va.ctime), Stat.sec(va.birthtime), Stat.nsec(va.birthtime), va.size,
                (va.bytes + StatMode.S_BLKSIZE - 1) / StatMode.S_BLKSIZE, va.blocksize, va.flags, (int) va.gen);
    }

    /** {@code access(2)}: {@code mode} is {@link Fcntl#F_OK} or a mix of R_OK, W_OK, X_OK (EINVAL otherwise). */
    static void access(Vnode vp, int mode, Cred cred) throws ErrnoException {
        if ((mode & ~(Fcntl.R_OK | Fcntl.W_OK | Fcntl.X_OK)) != 0) {
            throw new ErrnoException(Errno.EINVAL, "access mode " + mode);
        }
        if (mode == Fcntl.F_OK) {
            return;
        }
        if ((mode & Fcntl.W_OK) != 0 && vp.mount().readOnly()
                && (vp.type() == VType.VREG || vp.type() == VType.VDIR || vp.type() == VType.VLNK)) {
            throw new ErrnoException(Errno.EROFS);
        }
        int acc = ((mode & Fcntl.R_OK) != 0 ? Access.VREAD : 0) | ((mode & Fcntl.W_OK) != 0 ? Access.VWRITE : 0)
                | ((mode & Fcntl.X_OK) != 0 ? Access.VEXEC : 0);
        vp.lockShared();
        try {
            vp.ops().access(vp, acc, cred);
        } finally {
            vp.unlock();
        }
    }

    private static Vattr attrs(Vnode vp) throws ErrnoException {
        Vattr va = new Vattr();
        vp.ops().getattr(vp, va);
        return va;
    }

    private static void checkWritableFs(Vnode vp) throws ErrnoException {
        if (vp.mount().readOnly()) {
            throw new ErrnoException(Errno.EROFS);
        }
    }

    static void chmod(Vnode vp, int mode, Cred cred) throws ErrnoException {
        vp.lockExclusive();
        try {
            checkWritableFs(vp);
            Vattr cur = attrs(vp);
            Access.checkChmod(vp.type(), cur.uid, cur.gid, mode, cred);
            Vattr va = Vattr.none();
            va.mode = mode & StatMode.ALLPERMS;
            vp.ops().setattr(vp, va, cred);
        } finally {
            vp.unlock();
        }
    }

    /** {@code chown}: -1 leaves a field as it is; a change by anyone but root clears set-id bits. */
    static void chown(Vnode vp, int uid, int gid, Cred cred) throws ErrnoException {
        vp.lockExclusive();
        try {
            checkWritableFs(vp);
            Vattr cur = attrs(vp);
            Access.checkChown(cur.uid, cur.gid, uid, gid, cred);
            Vattr va = Vattr.none();
            va.uid = uid;
            va.gid = gid;
            if (!cred.isRoot() && (cur.mode & (StatMode.S_ISUID | StatMode.S_ISGID)) != 0) {
                va.mode = cur.mode & ~(StatMode.S_ISUID | StatMode.S_ISGID);
            }
            vp.ops().setattr(vp, va, cred);
        } finally {
            vp.unlock();
        }
    }

    /**
     * {@code utimensat}: {@code times} null sets both to now; {@link Timespec#UTIME_NOW} and
     * {@link Timespec#UTIME_OMIT} in a {@code nsec} mean now and no change; other nanoseconds outside
     * {@code [0, 1e9)} are EINVAL.
     */
    void utimens(Vnode vp, Timespec[] times, Cred cred) throws ErrnoException {
        if (times != null && times.length != 2) {
            throw new ErrnoException(Errno.EINVAL, "two times expected");
        }
        Timespec at = times == null ? Timespec.NOW : times[0];
        Timespec mt = times == null ? Timespec.NOW : times[1];
        checkTime(at);
        checkTime(mt);
        boolean onlyNow = (at.nsec() == Timespec.UTIME_NOW || at.nsec() == Timespec.UTIME_OMIT)
                && (mt.nsec() == Timespec.UTIME_NOW || mt.nsec() == Timespec.UTIME_OMIT);
        if (at.nsec() == Timespec.UTIME_OMIT && mt.nsec() == Timespec.UTIME_OMIT) {
            return;
        }
        vp.lockExclusive();
        try {
            checkWritableFs(vp);
            Vattr cur = attrs(vp);
            Access.checkChtimes(vp.type(), cur.mode, cur.uid, cur.gid, onlyNow, cred);
            long now = clock.now();
            Vattr va = Vattr.none();
            va.atime = toNanos(at, now);
            va.mtime = toNanos(mt, now);
            va.utimesNull = times == null;
            vp.ops().setattr(vp, va, cred);
        } finally {
            vp.unlock();
        }
    }

    private static void checkTime(Timespec t) throws ErrnoException {
        if (t.nsec() != Timespec.UTIME_NOW && t.nsec() != Timespec.UTIME_OMIT && (t.nsec() < 0 || t.nsec() >= 1_000_000_000L)) {
            throw new ErrnoException(Errno.EINVAL, "nanoseconds out of range: " + t.nsec());
        }
    }

    private static long toNanos(Timespec t, long now) {
        if (t.nsec() == Timespec.UTIME_NOW) {
            return now;
        }
        if (t.nsec() == Timespec.UTIME_OMIT) {
            return Vattr.NOTIME;
        }
        return t.toNanos();
    }

    /**
     * {@code truncate}/{@code ftruncate}: a negative length is EINVAL, a directory EISDIR, anything but a
     * regular file EINVAL; by path it needs write permission.
     */
    static void truncate(Vnode vp, long length, Cred cred, boolean checkAccess) throws ErrnoException {
        if (length < 0) {
            throw new ErrnoException(Errno.EINVAL, "negative length");
        }
        if (vp.type() == VType.VDIR) {
            throw new ErrnoException(Errno.EISDIR);
        }
        if (vp.type() != VType.VREG) {
            throw new ErrnoException(Errno.EINVAL, "not a regular file");
        }
        vp.lockExclusive();
        try {
            checkWritableFs(vp);
            if (checkAccess) {
                vp.ops().access(vp, Access.VWRITE, cred);
            }
            Vattr va = Vattr.none();
            va.size = length;
            vp.ops().setattr(vp, va, cred);
        } finally {
            vp.unlock();
        }
    }

    static long pathconf(Vnode vp, int name) throws ErrnoException {
        vp.lockShared();
        try {
            return vp.ops().pathconf(vp, name);
        } finally {
            vp.unlock();
        }
    }
}
