package io.jrump.vfs;

import io.jrump.kern.vfs.Stat;
import io.jrump.kern.vfs.StatVfs;
import io.jrump.kern.vfs.Dirent;
import io.jrump.kern.vfs.Flock;
import io.jrump.kern.vfs.Timespec;
import io.jrump.kern.vfs.StatMode;
import io.jrump.kern.vfs.Fcntl;


import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.file.FileTable;
import io.jrump.kern.file.KFile;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.sched.ProcSpecificKey;
import io.jrump.kern.sysctl.SysctlNode;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The kernel's virtual file system and its system call face: one method per file system call, taking
 * the calling lwp and returning what the call returns, failing with an {@link ErrnoException} carrying
 * NetBSD's errno. The syscall table's handlers call these one to one; kernel components (a web
 * accelerator reading documents) call them too. Registered as a kernel service by the {@code rumpvfs}
 * component.
 *
 * <p>Paths are resolved by {@link Namei} against the calling process's current and root directories
 * ({@link CwdInfo}); the {@code *at} calls take a directory descriptor or {@link Fcntl#AT_FDCWD}.
 * Descriptors are the process's {@link FileTable}, shared with sockets.
 */
public final class Vfs {
    private final Kernel kernel;
    private final VfsClock clock;
    private final VfsTypes types = new VfsTypes();
    private final DevSw devsw = new DevSw();
    private final VnodeCache vnodeCache;
    private final Namei namei;
    private final MountTable mounts;
    private final Getcwd getcwd;
    private final VnodeFile vnodeFile = new VnodeFile(this);
    private final VnOpen vnOpen;
    private final NamespaceOps names;
    private final Rename rename;
    private final AttrOps attrs;
    private final ProcSpecificKey<CwdInfo> cwdKey;

    public Vfs(Kernel kernel, SysctlNode maxvnodes) {
        this.kernel = kernel;
        this.clock = new VfsClock(kernel.hypercall().clock());
        this.vnodeCache = new VnodeCache(kernel, maxvnodes);
        this.namei = new Namei(this);
        this.mounts = new MountTable(this);
        this.getcwd = new Getcwd(this);
        this.vnOpen = new VnOpen(this);
        this.names = new NamespaceOps(this);
        this.rename = new Rename(this);
        this.attrs = new AttrOps(clock);
        this.cwdKey = new ProcSpecificKey<>("cwdinfo", this::newCwdInfo, CwdInfo::fork, CwdInfo::release);
    }

    public Kernel kernel() {
        return kernel;
    }

    public VfsClock clock() {
        return clock;
    }

    public VfsTypes types() {
        return types;
    }

    public DevSw devsw() {
        return devsw;
    }

    public VnodeCache vnodeCache() {
        return vnodeCache;
    }

    public Namei namei() {
        return namei;
    }

    public MountTable mounts() {
        return mounts;
    }

    Getcwd getcwd() {
        return getcwd;
    }

    VnodeFile vnodeFile() {
        return vnodeFile;
    }

    /** Mounts the root file system; the {@code rumpvfs} component calls this once at attach. */
    public Mount mountRoot(VfsOps ops, String data) throws ErrnoException {
        return mounts.mountRoot(ops, data);
    }

    /** The root directory of the root file system, referenced. */
    public Vnode rootVnode() throws ErrnoException {
        Mount m = mounts.rootMount();
        if (m == null) {
            throw new ErrnoException(Errno.ENOENT, "no root file system");
        }
        return m.rootRef();
    }

    private CwdInfo newCwdInfo(Proc p) {
        try {
            Vnode r = rootVnode();
            r.ref();
            return new CwdInfo(r, r, CwdInfo.CMASK);
        } catch (ErrnoException e) {
            throw new IllegalStateException("no root file system for process " + p.pid(), e);
        }
    }

    /** The current and root directories of {@code p}, made (at the root) on first use. */
    public CwdInfo cwdInfo(Proc p) {
        return p.specific(cwdKey);
    }

    /** The current and root directories of {@code p}, or null if it has used none yet. */
    CwdInfo cwdInfoIfPresent(Proc p) {
        return p.specificIfPresent(cwdKey);
    }

    /** Drops every process's directory references (component detach, before the final unmount). */
    void releaseAllCwds() {
        for (Proc p : kernel.procs()) {
            CwdInfo c = p.removeSpecific(cwdKey);
            if (c != null) {
                c.release();
            }
        }
        CwdInfo c0 = kernel.proc0().removeSpecific(cwdKey);
        if (c0 != null) {
            c0.release();
        }
    }

    /** Unmounts everything by force; the component's detach. */
    void shutdown() {
        releaseAllCwds();
        mounts.unmountAll();
    }

    // --- descriptors -----------------------------------------------------------------------------

    /** The directory an {@code *at} call starts from, referenced; null for AT_FDCWD or an absolute path. */
    private Vnode atDir(Proc p, int dirfd, String path) throws ErrnoException {
        if (dirfd == Fcntl.AT_FDCWD || (path != null && !path.isEmpty() && path.charAt(0) == '/')) {
            return null;
        }
        return fdVnode(p, dirfd, true);
    }

    /** The vnode behind {@code fd}, referenced; EBADF for a socket, ENOTDIR if {@code dir} and it is none. */
    private static Vnode fdVnode(Proc p, int fd, boolean dir) throws ErrnoException {
        FileTable ft = p.files();
        KFile fp = ft.get(fd);
        try {
            if (!(fp.data() instanceof OpenFile of)) {
                throw new ErrnoException(dir ? Errno.ENOTDIR : Errno.EBADF, "descriptor " + fd + " is not a file");
            }
            if (dir && of.vp.type() != VType.VDIR) {
                throw new ErrnoException(Errno.ENOTDIR, "descriptor " + fd + " is not a directory");
            }
            of.vp.ref();
            return of.vp;
        } finally {
            ft.put(fp);
        }
    }

    private static void rele(Vnode vp) {
        if (vp != null) {
            vp.rele();
        }
    }

    // --- open, read, write -------------------------------------------------------------------------

    /** {@code open(2)}: returns the new descriptor. */
    public int open(Lwp l, String path, int flags, int mode) throws ErrnoException {
        return vnOpen.open(l.proc(), null, path, flags, mode);
    }

    /** {@code openat(2)}. */
    public int openat(Lwp l, int dirfd, String path, int flags, int mode) throws ErrnoException {
        Vnode at = atDir(l.proc(), dirfd, path);
        try {
            return vnOpen.open(l.proc(), at, path, flags, mode);
        } finally {
            rele(at);
        }
    }

    /** {@code close(2)}: the process's advisory locks on the file go with any of its descriptors. */
    public void close(Lwp l, int fd) throws ErrnoException {
        FileIo.close(l.proc(), fd);
    }

    /** {@code read(2)} into {@code dst}'s remaining space; 0 at the end of the file. */
    public int read(Lwp l, int fd, ByteBuffer dst) throws ErrnoException {
        return FileIo.read(l.proc(), fd, dst);
    }

    /** {@code write(2)} of {@code src}'s remaining bytes. */
    public int write(Lwp l, int fd, ByteBuffer src) throws ErrnoException {
        return FileIo.write(l.proc(), fd, src);
    }

    /** {@code readv(2)}. */
    public long readv(Lwp l, int fd, ByteBuffer[] dsts) throws ErrnoException {
        return FileIo.readv(l.proc(), fd, dsts);
    }

    /** {@code writev(2)}. */
    public long writev(Lwp l, int fd, ByteBuffer[] srcs) throws ErrnoException {
        return FileIo.writev(l.proc(), fd, srcs);
    }

    /** {@code pread(2)}: at {@code offset}, the file offset unchanged; ESPIPE on a socket. */
    public int pread(Lwp l, int fd, ByteBuffer dst, long offset) throws ErrnoException {
        return FileIo.pread(l.proc(), fd, dst, offset);
    }

    /** {@code pwrite(2)}. */
    public int pwrite(Lwp l, int fd, ByteBuffer src, long offset) throws ErrnoException {
        return FileIo.pwrite(l.proc(), fd, src, offset);
    }

    /** {@code lseek(2)}, SEEK_DATA and SEEK_HOLE included; returns the new offset. */
    public long lseek(Lwp l, int fd, long offset, int whence) throws ErrnoException {
        return FileIo.lseek(l.proc(), fd, offset, whence);
    }

    /** {@code fsync(2)}. */
    public void fsync(Lwp l, int fd) throws ErrnoException {
        FileIo.fsync(l.proc(), fd, false);
    }

    /** {@code fdatasync(2)}. */
    public void fdatasync(Lwp l, int fd) throws ErrnoException {
        FileIo.fsync(l.proc(), fd, true);
    }

    /** {@code getdents(2)}: entries that fit in {@code count} bytes of NetBSD dirents; empty at the end. */
    public List<Dirent> getdents(Lwp l, int fd, int count) throws ErrnoException {
        return FileIo.getdents(l.proc(), fd, count);
    }

    /** {@code fcntl(2)} with F_GETLK, F_SETLK or F_SETLKW: the lock found for F_GETLK, else null. */
    public Flock fcntlLock(Lwp l, int fd, int cmd, Flock fl) throws ErrnoException {
        return FileIo.fcntlLock(l.proc(), cwdInfo(l.proc()), fd, cmd, fl);
    }

    // --- attributes --------------------------------------------------------------------------------

    /** {@code stat(2)}. */
    public Stat stat(Lwp l, String path) throws ErrnoException {
        Vnode vp = namei.lookup(l.proc(), null, path, true);
        try {
            return AttrOps.stat(vp);
        } finally {
            vp.rele();
        }
    }

    /** {@code lstat(2)}: a final symbolic link is described itself. */
    public Stat lstat(Lwp l, String path) throws ErrnoException {
        Vnode vp = namei.lookup(l.proc(), null, path, false);
        try {
            return AttrOps.stat(vp);
        } finally {
            vp.rele();
        }
    }

    /** {@code fstat(2)}; a socket reads as {@code S_IFSOCK}. */
    public Stat fstat(Lwp l, int fd) throws ErrnoException {
        FileTable ft = l.proc().files();
        KFile fp = ft.get(fd);
        try {
            if (fp.data() instanceof OpenFile of) {
                return AttrOps.stat(of.vp);
            }
            if (fp.ops().kind() == 's') {
                return new Stat(0, StatMode.S_IFSOCK | 0666, 0, 1, l.proc().cred().uid(), l.proc().cred().gid(), 0,
                        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
            }
            throw new ErrnoException(Errno.EOPNOTSUPP, "fstat of this kind of file");
        } finally {
            ft.put(fp);
        }
    }

    /** {@code fstatat(2)}; {@link Fcntl#AT_SYMLINK_NOFOLLOW} as {@code lstat}. */
    public Stat fstatat(Lwp l, int dirfd, String path, int flags) throws ErrnoException {
        Proc p = l.proc();
        Vnode at = atDir(p, dirfd, path);
        try {
            Vnode vp = namei.lookup(p, at, path, (flags & Fcntl.AT_SYMLINK_NOFOLLOW) == 0);
            try {
                return AttrOps.stat(vp);
            } finally {
                vp.rele();
            }
        } finally {
            rele(at);
        }
    }

    /** {@code access(2)}: {@link Fcntl#F_OK} or R_OK | W_OK | X_OK; more bits are EINVAL. */
    public void access(Lwp l, String path, int mode) throws ErrnoException {
        faccessat(l, Fcntl.AT_FDCWD, path, mode, 0);
    }

    /** {@code faccessat(2)}. */
    public void faccessat(Lwp l, int dirfd, String path, int mode, int flags) throws ErrnoException {
        Proc p = l.proc();
        if ((mode & ~(Fcntl.R_OK | Fcntl.W_OK | Fcntl.X_OK)) != 0) {
            throw new ErrnoException(Errno.EINVAL, "access mode " + mode);
        }
        Vnode at = atDir(p, dirfd, path);
        try {
            Vnode vp = namei.lookup(p, at, path, (flags & Fcntl.AT_SYMLINK_NOFOLLOW) == 0);
            try {
                AttrOps.access(vp, mode, p.cred());
            } finally {
                vp.rele();
            }
        } finally {
            rele(at);
        }
    }

    /** {@code chmod(2)}: the owner or root (EPERM). */
    public void chmod(Lwp l, String path, int mode) throws ErrnoException {
        fchmodat(l, Fcntl.AT_FDCWD, path, mode, 0);
    }

    /** {@code fchmodat(2)}. */
    public void fchmodat(Lwp l, int dirfd, String path, int mode, int flags) throws ErrnoException {
        withPath(l.proc(), dirfd, path, (flags & Fcntl.AT_SYMLINK_NOFOLLOW) == 0,
                vp -> AttrOps.chmod(vp, mode, l.proc().cred()));
    }

    /** {@code fchmod(2)}. */
    public void fchmod(Lwp l, int fd, int mode) throws ErrnoException {
        withFd(l.proc(), fd, vp -> AttrOps.chmod(vp, mode, l.proc().cred()));
    }

    /** {@code chown(2)}: -1 keeps a field; only root may change the owner (EPERM). */
    public void chown(Lwp l, String path, int uid, int gid) throws ErrnoException {
        fchownat(l, Fcntl.AT_FDCWD, path, uid, gid, 0);
    }

    /** {@code lchown(2)}: a final symbolic link itself. */
    public void lchown(Lwp l, String path, int uid, int gid) throws ErrnoException {
        fchownat(l, Fcntl.AT_FDCWD, path, uid, gid, Fcntl.AT_SYMLINK_NOFOLLOW);
    }

    /** {@code fchownat(2)}. */
    public void fchownat(Lwp l, int dirfd, String path, int uid, int gid, int flags) throws ErrnoException {
        withPath(l.proc(), dirfd, path, (flags & Fcntl.AT_SYMLINK_NOFOLLOW) == 0,
                vp -> AttrOps.chown(vp, uid, gid, l.proc().cred()));
    }

    /** {@code fchown(2)}. */
    public void fchown(Lwp l, int fd, int uid, int gid) throws ErrnoException {
        withFd(l.proc(), fd, vp -> AttrOps.chown(vp, uid, gid, l.proc().cred()));
    }

    /** {@code utimensat(2)}: {@code times} null for now; UTIME_NOW and UTIME_OMIT in {@link Timespec}. */
    public void utimensat(Lwp l, int dirfd, String path, Timespec[] times, int flags) throws ErrnoException {
        withPath(l.proc(), dirfd, path, (flags & Fcntl.AT_SYMLINK_NOFOLLOW) == 0,
                vp -> attrs.utimens(vp, times, l.proc().cred()));
    }

    /** {@code futimens(2)}. */
    public void futimens(Lwp l, int fd, Timespec[] times) throws ErrnoException {
        withFd(l.proc(), fd, vp -> attrs.utimens(vp, times, l.proc().cred()));
    }

    /** {@code truncate(2)}: needs write permission. */
    public void truncate(Lwp l, String path, long length) throws ErrnoException {
        withPath(l.proc(), Fcntl.AT_FDCWD, path, true, vp -> AttrOps.truncate(vp, length, l.proc().cred(), true));
    }

    /** {@code ftruncate(2)}: the file must be open for writing (EINVAL, as NetBSD answers). */
    public void ftruncate(Lwp l, int fd, long length) throws ErrnoException {
        FileTable ft = l.proc().files();
        KFile fp = ft.get(fd);
        try {
            if (!(fp.data() instanceof OpenFile of)) {
                throw new ErrnoException(Errno.EINVAL, "not a file");
            }
            if (!of.writable()) {
                throw new ErrnoException(Errno.EINVAL, "not open for writing");
            }
            AttrOps.truncate(of.vp, length, of.cred, false);
        } finally {
            ft.put(fp);
        }
    }

    /** {@code pathconf(2)}. */
    public long pathconf(Lwp l, String path, int name) throws ErrnoException {
        long[] r = new long[1];
        withPath(l.proc(), Fcntl.AT_FDCWD, path, true, vp -> r[0] = AttrOps.pathconf(vp, name));
        return r[0];
    }

    /** {@code fpathconf(2)}. */
    public long fpathconf(Lwp l, int fd, int name) throws ErrnoException {
        long[] r = new long[1];
        withFd(l.proc(), fd, vp -> r[0] = AttrOps.pathconf(vp, name));
        return r[0];
    }

    @FunctionalInterface
    private interface VnodeOp {
        void apply(Vnode vp) throws ErrnoException;
    }

    private void withPath(Proc p, int dirfd, String path, boolean follow, VnodeOp op) throws ErrnoException {
        Vnode at = atDir(p, dirfd, path);
        try {
            Vnode vp = namei.lookup(p, at, path, follow);
            try {
                op.apply(vp);
            } finally {
                vp.rele();
            }
        } finally {
            rele(at);
        }
    }

    private static void withFd(Proc p, int fd, VnodeOp op) throws ErrnoException {
        Vnode vp = fdVnode(p, fd, false);
        try {
            op.apply(vp);
        } finally {
            vp.rele();
        }
    }

    // --- names -------------------------------------------------------------------------------------

    /** {@code link(2)}: a final symbolic link in {@code from} is followed, as BSD's link does. */
    public void link(Lwp l, String from, String to) throws ErrnoException {
        names.link(l.proc(), null, from, null, to, true);
    }

    /** {@code linkat(2)}: {@link Fcntl#AT_SYMLINK_FOLLOW} follows a final link in {@code from}. */
    public void linkat(Lwp l, int fromfd, String from, int tofd, String to, int flags) throws ErrnoException {
        Proc p = l.proc();
        Vnode fa = atDir(p, fromfd, from);
        try {
            Vnode ta = atDir(p, tofd, to);
            try {
                names.link(p, fa, from, ta, to, (flags & Fcntl.AT_SYMLINK_FOLLOW) != 0);
            } finally {
                rele(ta);
            }
        } finally {
            rele(fa);
        }
    }

    /** {@code unlink(2)}. */
    public void unlink(Lwp l, String path) throws ErrnoException {
        names.unlink(l.proc(), null, path);
    }

    /** {@code unlinkat(2)}: {@link Fcntl#AT_REMOVEDIR} removes a directory. */
    public void unlinkat(Lwp l, int dirfd, String path, int flags) throws ErrnoException {
        Proc p = l.proc();
        Vnode at = atDir(p, dirfd, path);
        try {
            if ((flags & Fcntl.AT_REMOVEDIR) != 0) {
                names.rmdir(p, at, path);
            } else {
                names.unlink(p, at, path);
            }
        } finally {
            rele(at);
        }
    }

    /** {@code rename(2)}. */
    public void rename(Lwp l, String from, String to) throws ErrnoException {
        rename.rename(l.proc(), null, from, null, to);
    }

    /** {@code renameat(2)}. */
    public void renameat(Lwp l, int fromfd, String from, int tofd, String to) throws ErrnoException {
        Proc p = l.proc();
        Vnode fa = atDir(p, fromfd, from);
        try {
            Vnode ta = atDir(p, tofd, to);
            try {
                rename.rename(p, fa, from, ta, to);
            } finally {
                rele(ta);
            }
        } finally {
            rele(fa);
        }
    }

    /** {@code mkdir(2)}: {@code mode} less the umask. */
    public void mkdir(Lwp l, String path, int mode) throws ErrnoException {
        names.mkdir(l.proc(), null, path, mode);
    }

    /** {@code mkdirat(2)}. */
    public void mkdirat(Lwp l, int dirfd, String path, int mode) throws ErrnoException {
        Vnode at = atDir(l.proc(), dirfd, path);
        try {
            names.mkdir(l.proc(), at, path, mode);
        } finally {
            rele(at);
        }
    }

    /** {@code rmdir(2)}. */
    public void rmdir(Lwp l, String path) throws ErrnoException {
        names.rmdir(l.proc(), null, path);
    }

    /** {@code symlink(2)}: {@code linkpath} becomes a link holding {@code target}. */
    public void symlink(Lwp l, String target, String linkpath) throws ErrnoException {
        names.symlink(l.proc(), target, null, linkpath);
    }

    /** {@code symlinkat(2)}. */
    public void symlinkat(Lwp l, String target, int dirfd, String linkpath) throws ErrnoException {
        Vnode at = atDir(l.proc(), dirfd, linkpath);
        try {
            names.symlink(l.proc(), target, at, linkpath);
        } finally {
            rele(at);
        }
    }

    /** {@code readlink(2)}: the whole target; the syscall layer cuts it to the caller's buffer. */
    public String readlink(Lwp l, String path) throws ErrnoException {
        return names.readlink(l.proc(), null, path);
    }

    /** {@code readlinkat(2)}. */
    public String readlinkat(Lwp l, int dirfd, String path) throws ErrnoException {
        Vnode at = atDir(l.proc(), dirfd, path);
        try {
            return names.readlink(l.proc(), at, path);
        } finally {
            rele(at);
        }
    }

    /** {@code mknod(2)}: {@code mode} holds the type ({@code S_IFCHR} ...), {@code dev} the device number. */
    public void mknod(Lwp l, String path, int mode, long dev) throws ErrnoException {
        names.mknod(l.proc(), null, path, mode, dev);
    }

    /** {@code mknodat(2)}. */
    public void mknodat(Lwp l, int dirfd, String path, int mode, long dev) throws ErrnoException {
        Vnode at = atDir(l.proc(), dirfd, path);
        try {
            names.mknod(l.proc(), at, path, mode, dev);
        } finally {
            rele(at);
        }
    }

    // --- directories of the process ----------------------------------------------------------------

    /** {@code chdir(2)}: a directory the caller may search. */
    public void chdir(Lwp l, String path) throws ErrnoException {
        Proc p = l.proc();
        Vnode vp = namei.lookup(p, null, path, true);
        setCwd(p, vp);
    }

    /** {@code fchdir(2)}. */
    public void fchdir(Lwp l, int fd) throws ErrnoException {
        Proc p = l.proc();
        setCwd(p, fdVnode(p, fd, false));
    }

    private void setCwd(Proc p, Vnode vp) throws ErrnoException {
        try {
            checkSearchableDir(p, vp);
        } catch (ErrnoException e) {
            vp.rele();
            throw e;
        }
        cwdInfo(p).setCwd(vp);
    }

    private static void checkSearchableDir(Proc p, Vnode vp) throws ErrnoException {
        if (vp.type() != VType.VDIR) {
            throw new ErrnoException(Errno.ENOTDIR);
        }
        if (vp.dead()) {
            throw new ErrnoException(Errno.ENOENT, "directory's file system was unmounted");
        }
        Namei.search(vp, p.cred());
    }

    /** {@code __getcwd(2)}: the current directory's path below the process's root. */
    public String getcwd(Lwp l) throws ErrnoException {
        return getcwd.getcwd(l.proc());
    }

    /**
     * {@code chroot(2)}: root only (EPERM); the current directory moves to the new root unless it is
     * already below it, so that {@code ..} cannot lead out.
     */
    public void chroot(Lwp l, String path) throws ErrnoException {
        Proc p = l.proc();
        if (!p.cred().isRoot()) {
            throw new ErrnoException(Errno.EPERM, "only root may chroot");
        }
        Vnode vp = namei.lookup(p, null, path, true);
        try {
            checkSearchableDir(p, vp);
            CwdInfo c = cwdInfo(p);
            Vnode cwd = c.refCwd();
            boolean under;
            try {
                under = namei.isUnder(cwd, vp);
            } finally {
                cwd.rele();
            }
            if (!under) {
                vp.ref();
                c.setCwd(vp);
            }
            vp.ref();
            c.setRoot(vp);
        } finally {
            vp.rele();
        }
    }

    /** {@code umask(2)}: sets the mask and returns the old one. */
    public int umask(Lwp l, int mask) {
        return cwdInfo(l.proc()).setUmask(mask);
    }

    // --- mounts ------------------------------------------------------------------------------------

    /** {@code mount(2)}: {@code data} is the type's option string (rumpfs: {@code size=64m}). */
    public void mount(Lwp l, String type, String path, int flags, String data) throws ErrnoException {
        mounts.mount(l.proc(), type, path, flags, data);
    }

    /** {@code unmount(2)}: EBUSY while in use, unless {@link MountFlags#MNT_FORCE}. */
    public void unmount(Lwp l, String path, int flags) throws ErrnoException {
        mounts.unmount(l.proc(), path, flags);
    }

    /** {@code statvfs(2)} of the file system holding {@code path}. */
    public StatVfs statvfs(Lwp l, String path) throws ErrnoException {
        Vnode vp = namei.lookup(l.proc(), null, path, true);
        try {
            return mounts.statvfs(vp.mount());
        } finally {
            vp.rele();
        }
    }

    /** {@code fstatvfs(2)}. */
    public StatVfs fstatvfs(Lwp l, int fd) throws ErrnoException {
        Vnode vp = fdVnode(l.proc(), fd, false);
        try {
            return mounts.statvfs(vp.mount());
        } finally {
            vp.rele();
        }
    }

    /** {@code getvfsstat(2)}: every mounted file system. */
    public List<StatVfs> getvfsstat(Lwp l, int flags) throws ErrnoException {
        return mounts.getvfsstat();
    }

    /** {@code sync(2)}. */
    public void sync(Lwp l) throws ErrnoException {
        mounts.sync();
    }
}
