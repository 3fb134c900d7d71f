package io.jrump.vfs;

import io.jrump.kern.vfs.Flock;
import io.jrump.kern.vfs.StatMode;
import io.jrump.kern.vfs.Fcntl;


import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.KFile;
import io.jrump.kern.sched.Proc;

/**
 * {@code open(2)} and {@code openat(2)} ({@code vn_open}): looks the path up or creates the file, checks
 * the access asked for, truncates, lets the file system hear the open and installs a file in the
 * process's descriptor table.
 *
 * <ul>
 * <li>{@code O_CREAT} follows a final symbolic link (creating its target if it dangles) unless
 *     {@code O_EXCL} or {@code O_NOFOLLOW} is given; with {@code O_EXCL} an existing name, link or not,
 *     is EEXIST. A new file gets {@code mode} less the umask, the caller's uid and the directory's group.</li>
 * <li>{@code O_NOFOLLOW} on a final symbolic link is EFTYPE, as NetBSD answers (POSIX says ELOOP).</li>
 * <li>{@code O_DIRECTORY} on anything but a directory is ENOTDIR; a directory opened for writing, or named
 *     with {@code O_CREAT}, is EISDIR.</li>
 * <li>{@code O_CLOEXEC} is accepted; a rump kernel runs no {@code exec}, so it changes nothing here.</li>
 * </ul>
 */
final class VnOpen {
    private static final int STATUS_FLAGS = Fcntl.O_NONBLOCK | Fcntl.O_APPEND | Fcntl.O_ASYNC | Fcntl.O_SYNC
            | Fcntl.O_DSYNC | Fcntl.O_RSYNC | Fcntl.O_DIRECT | Fcntl.O_NOSIGPIPE;

    private final Vfs vfs;

    VnOpen(Vfs vfs) {
        this.vfs = vfs;
    }

    int open(Proc p, Vnode at, String path, int oflags, int mode) throws ErrnoException {
        int acc = oflags & Fcntl.O_ACCMODE;
        if (acc == Fcntl.O_ACCMODE) {
            throw new ErrnoException(Errno.EINVAL, "access mode 3");
        }
        int fflags = acc + 1;
        boolean[] created = new boolean[1];
        Vnode vp = (oflags & Fcntl.O_CREAT) != 0 ? lookupOrCreate(p, at, path, oflags, mode, created)
                : vfs.namei().lookup(p, at, path, (oflags & Fcntl.O_NOFOLLOW) == 0);
        return install(p, vp, oflags, fflags, created[0]);
    }

    /**
     * Opens a vnode a file server already holds (p2k's open of a file it knows by handle, not by name),
     * with the checks and truncation of {@link #open}; the caller keeps its own reference.
     */
    int openVnode(Proc p, Vnode vp, int oflags) throws ErrnoException {
        int acc = oflags & Fcntl.O_ACCMODE;
        if (acc == Fcntl.O_ACCMODE) {
            throw new ErrnoException(Errno.EINVAL, "access mode 3");
        }
        if (vp.dead()) {
            throw new ErrnoException(Errno.ENOENT, "file system unmounted");
        }
        vp.ref();
        return install(p, vp, oflags & ~(Fcntl.O_CREAT | Fcntl.O_EXCL), acc + 1, false);
    }

    /** Checks, truncates and installs {@code vp} (whose reference this takes over) as a new descriptor. */
    private int install(Proc p, Vnode vp, int oflags, int fflags, boolean created) throws ErrnoException {
        Cred cred = p.cred();
        OpenFile of = null;
        try {
            check(vp, oflags, fflags, cred, created);
            of = new OpenFile(vfs.kernel(), vp, fflags, cred);
            if ((oflags & (Fcntl.O_SHLOCK | Fcntl.O_EXLOCK)) != 0) {
                flock(p, vp, of, oflags);
            }
            vp.lockExclusive();
            try {
                if ((oflags & Fcntl.O_TRUNC) != 0 && !created && vp.type() == VType.VREG) {
                    Vattr va = Vattr.none();
                    va.size = 0;
                    vp.ops().setattr(vp, va, cred);
                }
                vp.ops().open(vp, fflags, cred);
            } finally {
                vp.unlock();
            }
            KFile fp = KFile.alloc(vfs.kernel(), vfs.vnodeFile(), of, oflags & (STATUS_FLAGS | Fcntl.O_ACCMODE));
            try {
                return p.files().install(fp, 0, (oflags & Fcntl.O_CLOEXEC) != 0);
            } catch (ErrnoException e) {
                vp = null;
                fp.dispose();
                throw e;
            }
        } catch (ErrnoException | RuntimeException e) {
            if (of != null && vp != null) {
                LockF lf = vp.lockfIfPresent();
                if (lf != null) {
                    lf.releaseOwner(of);
                }
            }
            if (vp != null) {
                vp.rele();
            }
            throw e;
        }
    }

    /** {@code O_SHLOCK}/{@code O_EXLOCK}: a whole-file lock owned by the open file itself, as {@code flock} takes. */
    private static void flock(Proc p, Vnode vp, OpenFile of, int oflags) throws ErrnoException {
        int type = (oflags & Fcntl.O_EXLOCK) != 0 ? Fcntl.F_WRLCK : Fcntl.F_RDLCK;
        vp.ops().advlock(vp, of, p.pid(), Fcntl.F_SETLK, new Flock(0, 0, p.pid(), type, Fcntl.SEEK_SET),
                (oflags & Fcntl.O_NONBLOCK) == 0);
        of.addLockOwner(of);
    }

    private void check(Vnode vp, int oflags, int fflags, Cred cred, boolean created) throws ErrnoException {
        VType t = vp.type();
        if (t == VType.VLNK) {
            throw new ErrnoException(Errno.EFTYPE, "O_NOFOLLOW and the last component is a symbolic link");
        }
        if ((oflags & Fcntl.O_DIRECTORY) != 0 && t != VType.VDIR) {
            throw new ErrnoException(Errno.ENOTDIR);
        }
        if ((oflags & Fcntl.O_REGULAR) != 0 && t != VType.VREG) {
            throw new ErrnoException(Errno.EFTYPE, "O_REGULAR and not a regular file");
        }
        if (t == VType.VSOCK) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "a socket is not opened with open(2)");
        }
        if (t == VType.VFIFO) {
            throw new ErrnoException(Errno.ENXIO, "fifos are not implemented");
        }
        if (created) {
            return;
        }
        boolean write = (fflags & Fcntl.FWRITE) != 0 || (oflags & Fcntl.O_TRUNC) != 0;
        if (write && t == VType.VDIR) {
            throw new ErrnoException(Errno.EISDIR);
        }
        if (write && vp.mount().readOnly() && (t == VType.VREG || t == VType.VDIR)) {
            throw new ErrnoException(Errno.EROFS);
        }
        int accMode = ((fflags & Fcntl.FREAD) != 0 ? Access.VREAD : 0) | (write ? Access.VWRITE : 0);
        if (accMode != 0) {
            vp.lockShared();
            try {
                vp.ops().access(vp, accMode, cred);
            } finally {
                vp.unlock();
            }
        }
    }

    private Vnode lookupOrCreate(Proc p, Vnode at, String path, int oflags, int mode, boolean[] created)
            throws ErrnoException {
        boolean excl = (oflags & Fcntl.O_EXCL) != 0;
        boolean follow = !excl && (oflags & Fcntl.O_NOFOLLOW) == 0;
        Cred cred = p.cred();
        for (int attempt = 0; ; attempt++) {
            Namei.Parent par = vfs.namei().lookupParent(p, at, path, follow, ComponentName.CREATE);
            Vnode dvp = par.dvp();
            try {
                if (par.isDot() || par.isDotDot()) {
                    throw new ErrnoException(excl ? Errno.EEXIST : Errno.EISDIR, path);
                }
                ComponentName cn = par.cn(ComponentName.CREATE);
                dvp.lockExclusive();
                try {
                    Vnode vp = NamespaceOps.lookupLocked(dvp, cn);
                    if (vp == null) {
                        if (par.trailingSlash()) {
                            throw new ErrnoException(Errno.EISDIR, "O_CREAT of a name ending in a slash");
                        }
                        NamespaceOps.checkDirWritable(dvp, cred);
                        Vattr va = Vattr.none();
                        va.type = VType.VREG;
                        va.mode = mode & StatMode.ALLPERMS & ~vfs.cwdInfo(p).umask();
                        va.uid = cred.uid();
                        vp = dvp.ops().create(dvp, cn, va, cred);
                        created[0] = true;
                        return vp;
                    }
                    if (excl) {
                        vp.rele();
                        throw new ErrnoException(Errno.EEXIST, path);
                    }
                    if (vp.type() == VType.VDIR) {
                        vp.rele();
                        throw new ErrnoException(Errno.EISDIR, path);
                    }
                    if (vp.type() == VType.VLNK && follow && attempt < PathConf.MAXSYMLINKS) {
                        // a link appeared after namei looked: look again, following it
                        vp.rele();
                        continue;
                    }
                    if (par.trailingSlash()) {
                        vp.rele();
                        throw new ErrnoException(Errno.ENOTDIR, path);
                    }
                    return vp;
                } finally {
                    dvp.unlock();
                }
            } finally {
                dvp.rele();
            }
        }
    }
}
