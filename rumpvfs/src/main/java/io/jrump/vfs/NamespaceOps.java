package io.jrump.vfs;

import io.jrump.kern.vfs.StatMode;


import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sched.Proc;

/**
 * The calls that add and remove names ({@code vfs_syscalls.c}): {@code mkdir}, {@code rmdir},
 * {@code unlink}, {@code link}, {@code symlink}, {@code readlink} and {@code mknod}. Each resolves the
 * parent directory, locks it exclusively, looks the last name up again under that lock, checks write
 * permission on the directory (and the sticky rule for removals), locks the file itself after its
 * directory, and calls the file system.
 */
final class NamespaceOps {
    private final Vfs vfs;

    NamespaceOps(Vfs vfs) {
        this.vfs = vfs;
    }

    /** The vnode {@code cn} names in the locked {@code dvp}, referenced, or null if there is none. */
    static Vnode lookupLocked(Vnode dvp, ComponentName cn) throws ErrnoException {
        return dvp.ops().lookupIfPresent(dvp, cn);
    }

    /** Write permission on a locked directory, and a file system mounted writable. */
    static void checkDirWritable(Vnode dvp, Cred cred) throws ErrnoException {
        if (dvp.mount().readOnly()) {
            throw new ErrnoException(Errno.EROFS);
        }
        if (!cred.isRoot()) {
            dvp.ops().access(dvp, Access.VWRITE, cred);
        }
    }

    /** The sticky-directory rule for removing or renaming {@code vp} out of the locked {@code dvp}. */
    static void checkSticky(Vnode dvp, Vnode vp, Cred cred) throws ErrnoException {
        if (cred.isRoot()) {
            return;
        }
        Vattr d = new Vattr();
        dvp.ops().getattr(dvp, d);
        if ((d.mode & StatMode.S_ISVTX) == 0) {
            return;
        }
        Vattr f = new Vattr();
        vp.ops().getattr(vp, f);
        Access.checkSticky(d.mode, d.uid, f.uid, cred);
    }

    void mkdir(Proc p, Vnode at, String path, int mode) throws ErrnoException {
        create(p, at, path, VType.VDIR, mode & StatMode.ALLPERMS, 0, null);
    }

    void symlink(Proc p, String target, Vnode at, String path) throws ErrnoException {
        if (target == null) {
            throw new ErrnoException(Errno.EFAULT, "no target");
        }
        if (target.indexOf('\0') >= 0) {
            throw new ErrnoException(Errno.EINVAL, "NUL in target");
        }
        if (Names.utf8Length(target, 0, target.length()) >= PathConf.PATH_MAX) {
            throw new ErrnoException(Errno.ENAMETOOLONG, "target of " + target.length() + " characters");
        }
        create(p, at, path, VType.VLNK, StatMode.ACCESSPERMS, 0, target);
    }

    /**
     * {@code mknod(2)}: a device needs root (EPERM), as does a regular file made this way; a fifo or
     * socket node anyone may make; a directory or link EINVAL.
     */
    void mknod(Proc p, Vnode at, String path, int mode, long dev) throws ErrnoException {
        VType type = VType.fromMode(mode);
        switch (type) {
            case VDIR, VLNK, VNON -> throw new ErrnoException(Errno.EINVAL, "mknod of type " + type);
            case VFIFO, VSOCK -> { }
            default -> {
                if (!p.cred().isRoot()) {
                    throw new ErrnoException(Errno.EPERM, "only root may make device nodes");
                }
            }
        }
        create(p, at, path, type, mode & StatMode.ALLPERMS, dev, null);
    }

    private void create(Proc p, Vnode at, String path, VType type, int mode, long dev, String target)
            throws ErrnoException {
        Cred cred = p.cred();
        Namei.Parent par = vfs.namei().lookupParent(p, at, path, false, ComponentName.CREATE);
        Vnode dvp = par.dvp();
        try {
            if (par.isDot() || par.isDotDot()) {
                throw new ErrnoException(Errno.EEXIST, path);
            }
            ComponentName cn = par.cn(ComponentName.CREATE);
            dvp.lockExclusive();
            try {
                Vnode old = lookupLocked(dvp, cn);
                if (old != null) {
                    old.rele();
                    throw new ErrnoException(Errno.EEXIST, path);
                }
                if (par.trailingSlash() && type != VType.VDIR) {
                    throw new ErrnoException(Errno.ENOENT, path + ": a name ending in a slash names a directory");
                }
                checkDirWritable(dvp, cred);
                Vattr va = Vattr.none();
                va.type = type;
                va.mode = mode & ~vfs.cwdInfo(p).umask();
                va.uid = cred.uid();
                Vnode vp = switch (type) {
                    case VDIR -> dvp.ops().mkdir(dvp, cn, va, cred);
                    case VLNK -> dvp.ops().symlink(dvp, cn, va, target, cred);
                    default -> {
                        va.rdev = dev;
                        yield dvp.ops().mknod(dvp, cn, va, cred);
                    }
                };
                vp.rele();
            } finally {
                dvp.unlock();
            }
        } finally {
            dvp.rele();
        }
    }

    /** {@code rmdir(2)}: {@code .} is EINVAL, {@code ..} ENOTEMPTY, a mount point EBUSY, a file ENOTDIR. */
    void rmdir(Proc p, Vnode at, String path) throws ErrnoException {
        remove(p, at, path, true);
    }

    /** {@code unlink(2)}: a directory is EPERM, as NetBSD answers. */
    void unlink(Proc p, Vnode at, String path) throws ErrnoException {
        remove(p, at, path, false);
    }

    private void remove(Proc p, Vnode at, String path, boolean dir) throws ErrnoException {
        Cred cred = p.cred();
        Namei.Parent par = vfs.namei().lookupParent(p, at, path, false, ComponentName.DELETE);
        Vnode dvp = par.dvp();
        try {
            if (par.isDot()) {
                throw new ErrnoException(dir ? Errno.EINVAL : Errno.EPERM, path);
            }
            if (par.isDotDot()) {
                throw new ErrnoException(dir ? Errno.ENOTEMPTY : Errno.EPERM, path);
            }
            ComponentName cn = par.cn(ComponentName.DELETE);
            dvp.lockExclusive();
            try {
                Vnode vp = lookupLocked(dvp, cn);
                if (vp == null) {
                    throw new ErrnoException(Errno.ENOENT, path);
                }
                try {
                    if (dir) {
                        if (vp.type() != VType.VDIR) {
                            throw new ErrnoException(Errno.ENOTDIR, path);
                        }
                        if (vp.mountedHere() != null || vp.isRoot()) {
                            throw new ErrnoException(Errno.EBUSY, path + " is a mount point");
                        }
                    } else {
                        if (vp.type() == VType.VDIR) {
                            throw new ErrnoException(Errno.EPERM, path + " is a directory");
                        }
                        if (par.trailingSlash()) {
                            throw new ErrnoException(Errno.ENOTDIR, path);
                        }
                    }
                    checkDirWritable(dvp, cred);
                    checkSticky(dvp, vp, cred);
                    vp.lockExclusive();
                    try {
                        if (dir) {
                            dvp.ops().rmdir(dvp, vp, cn);
                        } else {
                            dvp.ops().remove(dvp, vp, cn);
                        }
                    } finally {
                        vp.unlock();
                    }
                } finally {
                    vp.rele();
                }
            } finally {
                dvp.unlock();
            }
        } finally {
            dvp.rele();
        }
    }

    /**
     * {@code link(2)}/{@code linkat(2)}: a directory is EPERM, another file system EXDEV, an existing
     * name EEXIST. {@code follow} follows a final symbolic link in {@code from}.
     */
    void link(Proc p, Vnode fromAt, String from, Vnode toAt, String to, boolean follow) throws ErrnoException {
        Vnode vp = vfs.namei().lookup(p, fromAt, from, follow);
        try {
            link(p, vp, from, toAt, to);
        } finally {
            vp.rele();
        }
    }

    /** {@code link} of a vnode the caller holds (p2k's link of a file it knows by handle) as {@code to}. */
    void link(Proc p, Vnode vp, String from, Vnode toAt, String to) throws ErrnoException {
        Cred cred = p.cred();
        if (vp.type() == VType.VDIR) {
            throw new ErrnoException(Errno.EPERM, from + " is a directory");
        }
        Namei.Parent par = vfs.namei().lookupParent(p, toAt, to, false, ComponentName.CREATE);
        Vnode dvp = par.dvp();
        try {
            if (par.isDot() || par.isDotDot()) {
                throw new ErrnoException(Errno.EEXIST, to);
            }
            if (dvp.mount() != vp.mount()) {
                throw new ErrnoException(Errno.EXDEV, to + " is on another file system");
            }
            ComponentName cn = par.cn(ComponentName.CREATE);
            dvp.lockExclusive();
            try {
                Vnode old = lookupLocked(dvp, cn);
                if (old != null) {
                    old.rele();
                    throw new ErrnoException(Errno.EEXIST, to);
                }
                if (par.trailingSlash()) {
                    throw new ErrnoException(Errno.ENOENT, to + ": a name ending in a slash names a directory");
                }
                checkDirWritable(dvp, cred);
                vp.lockExclusive();
                try {
                    if (vp.dead()) {
                        throw new ErrnoException(Errno.ENOENT, from);
                    }
                    dvp.ops().link(dvp, vp, cn);
                } finally {
                    vp.unlock();
                }
            } finally {
                dvp.unlock();
            }
        } finally {
            dvp.rele();
        }
    }

    /** {@code readlink(2)}: EINVAL for anything but a symbolic link. */
    String readlink(Proc p, Vnode at, String path) throws ErrnoException {
        Vnode vp = vfs.namei().lookup(p, at, path, false);
        try {
            if (vp.type() != VType.VLNK) {
                throw new ErrnoException(Errno.EINVAL, path + " is not a symbolic link");
            }
            return Namei.readlink(vp);
        } finally {
            vp.rele();
        }
    }
}
