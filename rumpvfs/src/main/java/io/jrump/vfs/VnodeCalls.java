package io.jrump.vfs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.FileTable;
import io.jrump.kern.file.KFile;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.vfs.Stat;
import io.jrump.kern.vfs.StatVfs;
import io.jrump.kern.vfs.Timespec;

/**
 * The file system calls on vnodes a file server holds instead of on paths or descriptors, as NetBSD's
 * {@code p2k} drives a file system through {@code rump_pub_vp_*} and the {@code VOP_*} wrappers: a FUSE
 * or puffs client names files by handle, and the server keeps one referenced vnode per handle. Each call
 * makes the same checks as its path twin in {@link Vfs} (search, write and owner rights of the calling
 * process's credential, read-only mounts, the sticky rule), so the rights stay the kernel's. Names are
 * single components looked up in a directory vnode the caller holds.
 */
public final class VnodeCalls {
    private final Vfs vfs;
    private final VnOpen vnOpen;
    private final NamespaceOps names;
    private final Rename rename;
    private final AttrOps attrs;

    public VnodeCalls(Vfs vfs) {
        this.vfs = vfs;
        this.vnOpen = new VnOpen(vfs);
        this.names = new NamespaceOps(vfs);
        this.rename = new Rename(vfs);
        this.attrs = new AttrOps(vfs.clock());
    }

    /**
     * Makes {@code dir} the root and current directory of {@code p}, so that no name a client sends
     * ({@code ..} at the top) leads out of the file system being served. Not a system call: no rights
     * are checked, the server sets up its own processes.
     */
    public void confine(Proc p, Vnode dir) throws ErrnoException {
        if (dir.type() != VType.VDIR) {
            throw new ErrnoException(Errno.ENOTDIR);
        }
        CwdInfo c = vfs.cwdInfo(p);
        dir.ref();
        c.setRoot(dir);
        dir.ref();
        c.setCwd(dir);
    }

    /** The vnode named {@code name} in {@code dir}, referenced; a final symbolic link is not followed. */
    public Vnode lookup(Proc p, Vnode dir, String name) throws ErrnoException {
        return vfs.namei().lookup(p, dir, name, false);
    }

    public Stat stat(Vnode vp) throws ErrnoException {
        return AttrOps.stat(vp);
    }

    /** {@code access(2)} of {@code vp}. */
    public void access(Vnode vp, int mode, Cred cred) throws ErrnoException {
        AttrOps.access(vp, mode, cred);
    }

    public void chmod(Vnode vp, int mode, Cred cred) throws ErrnoException {
        AttrOps.chmod(vp, mode, cred);
    }

    public void chown(Vnode vp, int uid, int gid, Cred cred) throws ErrnoException {
        AttrOps.chown(vp, uid, gid, cred);
    }

    public void utimens(Vnode vp, Timespec[] times, Cred cred) throws ErrnoException {
        attrs.utimens(vp, times, cred);
    }

    /** {@code truncate}: with {@code checkAccess} the caller needs write permission (by name, not by a writable descriptor). */
    public void truncate(Vnode vp, long length, Cred cred, boolean checkAccess) throws ErrnoException {
        AttrOps.truncate(vp, length, cred, checkAccess);
    }

    /** Opens {@code vp} in {@code p} with {@code open(2)}'s flags and checks; returns the descriptor. */
    public int open(Proc p, Vnode vp, int oflags) throws ErrnoException {
        return vnOpen.openVnode(p, vp, oflags);
    }

    /** {@code openat(dir, name, oflags, mode)}: with {@code O_CREAT} this is also {@code creat}. */
    public int openat(Proc p, Vnode dir, String name, int oflags, int mode) throws ErrnoException {
        return vnOpen.open(p, dir, name, oflags, mode);
    }

    /** The vnode behind descriptor {@code fd} of {@code p}, referenced. */
    public Vnode vnodeOf(Proc p, int fd) throws ErrnoException {
        FileTable ft = p.files();
        KFile fp = ft.get(fd);
        try {
            if (!(fp.data() instanceof OpenFile of)) {
                throw new ErrnoException(Errno.EBADF, "descriptor " + fd + " is not a file");
            }
            of.vp.ref();
            return of.vp;
        } finally {
            ft.put(fp);
        }
    }

    public void mkdir(Proc p, Vnode dir, String name, int mode) throws ErrnoException {
        names.mkdir(p, dir, name, mode);
    }

    public void symlink(Proc p, String target, Vnode dir, String name) throws ErrnoException {
        names.symlink(p, target, dir, name);
    }

    public void mknod(Proc p, Vnode dir, String name, int mode, long dev) throws ErrnoException {
        names.mknod(p, dir, name, mode, dev);
    }

    public void unlink(Proc p, Vnode dir, String name) throws ErrnoException {
        names.unlink(p, dir, name);
    }

    public void rmdir(Proc p, Vnode dir, String name) throws ErrnoException {
        names.rmdir(p, dir, name);
    }

    /** A new name {@code name} in {@code dir} for {@code vp}. */
    public void link(Proc p, Vnode vp, Vnode dir, String name) throws ErrnoException {
        names.link(p, vp, name, dir, name);
    }

    public void rename(Proc p, Vnode fromDir, String from, Vnode toDir, String to) throws ErrnoException {
        rename.rename(p, fromDir, from, toDir, to);
    }

    /** The target of the symbolic link {@code vp}; EINVAL for anything else. */
    public String readlink(Vnode vp) throws ErrnoException {
        if (vp.type() != VType.VLNK) {
            throw new ErrnoException(Errno.EINVAL, "not a symbolic link");
        }
        return Namei.readlink(vp);
    }

    public StatVfs statvfs(Vnode vp) throws ErrnoException {
        return vfs.mounts().statvfs(vp.mount());
    }
}
