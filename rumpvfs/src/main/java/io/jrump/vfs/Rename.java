package io.jrump.vfs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sched.Proc;

/**
 * {@code rename(2)}/{@code renameat(2)} ({@code do_sys_renameat} and {@code genfs_rename}'s checks), with
 * every POSIX case: the same file under both names is a successful no-op; a directory may replace only
 * an empty directory (ENOTEMPTY otherwise), a file only a file (EISDIR, ENOTDIR); a directory cannot move
 * into itself or below itself (EINVAL); {@code .} or {@code ..} as the source, or {@code ..} as the target,
 * is EINVAL, {@code .} as the target EISDIR; another file system is EXDEV.
 *
 * <p>Locking: renames within a mount are serialised by its rename lock, so no directory moves while
 * one runs and the ancestry found first still holds when the directories are locked. The two
 * directories are locked ancestor first (other calls only ever lock a parent before its child), then the
 * source and target files. If a name changed between the first look and the locked one (a concurrent
 * create or unlink), the rename starts over.
 */
final class Rename {
    private static final int RETRIES = 64;

    private final Vfs vfs;

    Rename(Vfs vfs) {
        this.vfs = vfs;
    }

    void rename(Proc p, Vnode fromAt, String from, Vnode toAt, String to) throws ErrnoException {
        Namei.Parent fp = vfs.namei().lookupParent(p, fromAt, from, false, ComponentName.RENAME);
        try {
            Namei.Parent tp = vfs.namei().lookupParent(p, toAt, to, false, ComponentName.RENAME);
            try {
                rename(p.cred(), fp, tp);
            } finally {
                tp.dvp().rele();
            }
        } finally {
            fp.dvp().rele();
        }
    }

    private void rename(Cred cred, Namei.Parent fp, Namei.Parent tp) throws ErrnoException {
        if (fp.isDot() || fp.isDotDot()) {
            throw new ErrnoException(Errno.EINVAL, "cannot rename " + fp.name());
        }
        if (tp.isDotDot()) {
            throw new ErrnoException(Errno.EINVAL, "cannot rename onto ..");
        }
        if (tp.isDot()) {
            throw new ErrnoException(Errno.EISDIR, "cannot rename onto .");
        }
        Vnode fdvp = fp.dvp();
        Vnode tdvp = tp.dvp();
        if (fdvp.mount() != tdvp.mount()) {
            throw new ErrnoException(Errno.EXDEV, "rename across file systems");
        }
        Mount mp = fdvp.mount();
        if (mp.readOnly()) {
            throw new ErrnoException(Errno.EROFS);
        }
        ComponentName fcn = fp.cn(ComponentName.RENAME);
        ComponentName tcn = tp.cn(ComponentName.RENAME);
        mp.renameLock().enter();
        try {
            for (int attempt = 0; attempt < RETRIES; attempt++) {
                if (attempt(cred, fp, tp, fcn, tcn)) {
                    return;
                }
            }
            throw new ErrnoException(Errno.EBUSY, "names keep changing under rename");
        } finally {
            mp.renameLock().exit();
        }
    }

    /** One try; false if a name changed between the unlocked and the locked look. */
    private boolean attempt(Cred cred, Namei.Parent fp, Namei.Parent tp, ComponentName fcn, ComponentName tcn)
            throws ErrnoException {
        Vnode fdvp = fp.dvp();
        Vnode tdvp = tp.dvp();
        Vnode fvp = peek(fdvp, fcn);
        if (fvp == null) {
            throw new ErrnoException(Errno.ENOENT, fcn.name());
        }
        Vnode tvp = null;
        try {
            tvp = peek(tdvp, tcn);
            if (fvp == tvp) {
                return true;
            }
            checkTypes(fp, tp, fvp, tvp);
            if (fvp.type() == VType.VDIR && vfs.namei().isUnder(tdvp, fvp)) {
                throw new ErrnoException(Errno.EINVAL, "cannot move a directory below itself");
            }
            if (tvp != null && tvp.type() == VType.VDIR && vfs.namei().isUnder(fdvp, tvp)) {
                throw new ErrnoException(Errno.ENOTEMPTY, tcn.name() + " holds the source");
            }
            boolean fromFirst = fdvp == tdvp || vfs.namei().isUnder(tdvp, fdvp);
            Vnode first = fromFirst ? fdvp : tdvp;
            Vnode second = fromFirst ? tdvp : fdvp;
            first.lockExclusive();
            try {
                if (second != first) {
                    second.lockExclusive();
                }
                try {
                    if (!same(fdvp, fcn, fvp) || !same(tdvp, tcn, tvp)) {
                        return false;
                    }
                    checkPermissions(cred, fdvp, fvp, tdvp, tvp);
                    fvp.lockExclusive();
                    try {
                        if (tvp != null) {
                            tvp.lockExclusive();
                        }
                        try {
                            fdvp.ops().rename(fdvp, fvp, fcn, tdvp, tvp, tcn);
                        } finally {
                            if (tvp != null) {
                                tvp.unlock();
                            }
                        }
                    } finally {
                        fvp.unlock();
                    }
                    return true;
                } finally {
                    if (second != first) {
                        second.unlock();
                    }
                }
            } finally {
                first.unlock();
            }
        } finally {
            fvp.rele();
            if (tvp != null) {
                tvp.rele();
            }
        }
    }

    private static void checkTypes(Namei.Parent fp, Namei.Parent tp, Vnode fvp, Vnode tvp) throws ErrnoException {
        if (fvp.mountedHere() != null || fvp.isRoot() || (tvp != null && (tvp.mountedHere() != null || tvp.isRoot()))) {
            throw new ErrnoException(Errno.EBUSY, "a mount point cannot be renamed or replaced");
        }
        if (fvp.type() == VType.VDIR) {
            if (tvp != null && tvp.type() != VType.VDIR) {
                throw new ErrnoException(Errno.ENOTDIR, tp.name() + " is not a directory");
            }
        } else {
            if (fp.trailingSlash()) {
                throw new ErrnoException(Errno.ENOTDIR, fp.name() + " is not a directory");
            }
            if (tvp != null && tvp.type() == VType.VDIR) {
                throw new ErrnoException(Errno.EISDIR, tp.name() + " is a directory");
            }
            if (tp.trailingSlash()) {
                throw new ErrnoException(Errno.ENOTDIR, tp.name() + " is not a directory");
            }
        }
    }

    private static void checkPermissions(Cred cred, Vnode fdvp, Vnode fvp, Vnode tdvp, Vnode tvp)
            throws ErrnoException {
        if (cred.isRoot()) {
            return;
        }
        NamespaceOps.checkDirWritable(fdvp, cred);
        NamespaceOps.checkSticky(fdvp, fvp, cred);
        if (tdvp != fdvp) {
            NamespaceOps.checkDirWritable(tdvp, cred);
            if (fvp.type() == VType.VDIR) {
                // the directory's .. entry changes
                fvp.ops().access(fvp, Access.VWRITE, cred);
            }
        }
        if (tvp != null) {
            NamespaceOps.checkSticky(tdvp, tvp, cred);
        }
    }

    /** The vnode {@code cn} names in {@code dvp}, looked up under a shared lock; null if none. */
    private static Vnode peek(Vnode dvp, ComponentName cn) throws ErrnoException {
        dvp.lockShared();
        try {
            return NamespaceOps.lookupLocked(dvp, cn);
        } finally {
            dvp.unlock();
        }
    }

    /** Whether {@code cn} in the locked {@code dvp} still names {@code expect} (or nothing, for null). */
    private static boolean same(Vnode dvp, ComponentName cn, Vnode expect) throws ErrnoException {
        Vnode now = NamespaceOps.lookupLocked(dvp, cn);
        if (now != null) {
            now.rele();
        }
        return now == expect;
    }
}
