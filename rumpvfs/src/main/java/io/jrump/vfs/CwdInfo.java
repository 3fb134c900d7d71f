package io.jrump.vfs;

import io.jrump.kern.vfs.StatMode;


import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * A process's current and root directories and its file creation mask ({@code struct cwdinfo}),
 * kept per process through {@link io.jrump.kern.sched.ProcSpecificKey} so that the kernel core does
 * not depend on the VFS.
 *
 * <p>It also notes the files on which the process set advisory locks, so that its exit releases them
 * even where a child keeps such a file open (POSIX: a process's locks end with it).
 *
 * <p>References: the process holds one on each directory; {@code chdir} and {@code chroot} swap a
 * directory under this object's lock and drop the old reference after it, {@code fork} takes a second
 * reference on each for the child, exit drops both.
 */
public final class CwdInfo {
    /** NetBSD's {@code CMASK}: group and others lose write permission on new files. */
    public static final int CMASK = 022;

    private Vnode cwd;
    private Vnode root;
    private int umask;
    private Set<LockF> lockedFiles;
    private Object lockOwner;

    /** Takes over the caller's references on {@code cwd} and {@code root}. */
    CwdInfo(Vnode cwd, Vnode root, int umask) {
        this.cwd = cwd;
        this.root = root;
        this.umask = umask;
    }

    /** The current directory with a reference for the caller. */
    synchronized Vnode refCwd() {
        cwd.ref();
        return cwd;
    }

    /** The root directory with a reference for the caller. */
    synchronized Vnode refRoot() {
        root.ref();
        return root;
    }

    /** The current directory, without a reference: only for comparisons and listings. */
    public synchronized Vnode cwd() {
        return cwd;
    }

    public synchronized Vnode root() {
        return root;
    }

    /** Makes {@code dir} (whose reference this takes over) the current directory. */
    void setCwd(Vnode dir) {
        Vnode old;
        synchronized (this) {
            old = cwd;
            cwd = dir;
        }
        old.rele();
    }

    /** {@code chroot}: makes {@code dir} (whose reference this takes over) the root directory. */
    void setRoot(Vnode dir) {
        Vnode old;
        synchronized (this) {
            old = root;
            root = dir;
        }
        old.rele();
    }

    synchronized int umask() {
        return umask;
    }

    /** Sets the mask and returns the old one. */
    synchronized int setUmask(int mask) {
        int old = umask;
        umask = mask & StatMode.ALLPERMS & 0777;
        return old;
    }

    /** The child's copy at {@code fork}: the same directories, referenced again. */
    synchronized CwdInfo fork() {
        cwd.ref();
        root.ref();
        return new CwdInfo(cwd, root, umask);
    }

    /** Notes that {@code owner} (this process) set a lock on the file {@code lf} belongs to. */
    synchronized void noteLock(LockF lf, Object owner) {
        if (lockedFiles == null) {
            lockedFiles = Collections.newSetFromMap(new IdentityHashMap<>());
        }
        lockedFiles.add(lf);
        lockOwner = owner;
    }

    /** Drops both references and the process's advisory locks (process exit). */
    void release() {
        Vnode c;
        Vnode r;
        List<LockF> locked;
        Object owner;
        synchronized (this) {
            c = cwd;
            r = root;
            cwd = null;
            root = null;
            locked = lockedFiles == null ? List.of() : List.copyOf(lockedFiles);
            lockedFiles = null;
            owner = lockOwner;
        }
        for (LockF lf : locked) {
            lf.releaseOwner(owner);
        }
        if (c != null) {
            c.rele();
        }
        if (r != null) {
            r.rele();
        }
    }
}
