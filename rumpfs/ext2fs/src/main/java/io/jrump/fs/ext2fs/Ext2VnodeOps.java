package io.jrump.fs.ext2fs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.vfs.Flock;
import io.jrump.kern.vfs.StatMode;
import io.jrump.vfs.Access;
import io.jrump.vfs.ComponentName;
import io.jrump.vfs.DevSw;
import io.jrump.vfs.Genfs;
import io.jrump.vfs.PathConf;
import io.jrump.vfs.VType;
import io.jrump.vfs.Vattr;
import io.jrump.vfs.Vfs;
import io.jrump.vfs.Vnode;
import io.jrump.vfs.VnodeCache;
import io.jrump.vfs.VnodeOps;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * ext2's vnode operations ({@code ext2fs_vnops.c}, {@code ext2fs_readwrite.c}): names, attributes and
 * data of inodes. Each operation runs under the mount's lock ({@link Ext2Mount}), taken after the
 * VFS's vnode locks; vnodes are asked of the cache only after it is dropped.
 *
 * <p>File data is {@link Ext2ReadWrite}'s, rename {@link Ext2Rename}'s. Link counts are the file's names, for a directory its name, its {@code .} and each subdirectory's
 * {@code ..}. A file whose last name goes keeps its inode and blocks while it is open and gives them
 * back when its vnode is reclaimed.
 */
final class Ext2VnodeOps implements VnodeOps {
    /** {@code EXT2FS_LINK_MAX}. */
    static final int LINK_MAX = 32000;

    private final Vfs vfs;

    Ext2VnodeOps(Vfs vfs) {
        this.vfs = vfs;
    }

    static Inode ip(Vnode vp) {
        return (Inode) vp.data();
    }

    static Ext2Mount em(Vnode vp) {
        return (Ext2Mount) vp.mount().data();
    }

    private static byte[] nameBytes(ComponentName cn) throws ErrnoException {
        byte[] b = cn.name().getBytes(StandardCharsets.UTF_8);
        if (b.length > PathConf.NAME_MAX) {
            throw new ErrnoException(Errno.ENAMETOOLONG);
        }
        return b;
    }

    @Override
    public Vnode lookup(Vnode dvp, ComponentName cn) throws ErrnoException {
        Vnode vp = lookupIfPresent(dvp, cn);
        if (vp == null) {
            throw new ErrnoException(Errno.ENOENT);
        }
        return vp;
    }

    @Override
    public Vnode lookupIfPresent(Vnode dvp, ComponentName cn) throws ErrnoException {
        Inode d = ip(dvp);
        if (!d.isDir()) {
            throw new ErrnoException(Errno.ENOTDIR);
        }
        Ext2Mount m = em(dvp);
        long ino;
        m.lock.enter();
        try {
            if (d.links == 0) {
                return null;
            }
            ino = m.dir().lookup(d, cn);
        } finally {
            m.lock.exit();
        }
        return ino == 0 ? null : vfs.vnodeCache().get(dvp.mount(), ino);
    }

    @Override
    public Vnode create(Vnode dvp, ComponentName cn, Vattr va, Cred cred) throws ErrnoException {
        return make(dvp, cn, VType.VREG, va, null, cred);
    }

    @Override
    public Vnode mknod(Vnode dvp, ComponentName cn, Vattr va, Cred cred) throws ErrnoException {
        return make(dvp, cn, va.type, va, null, cred);
    }

    @Override
    public Vnode mkdir(Vnode dvp, ComponentName cn, Vattr va, Cred cred) throws ErrnoException {
        return make(dvp, cn, VType.VDIR, va, null, cred);
    }

    @Override
    public Vnode symlink(Vnode dvp, ComponentName cn, Vattr va, String target, Cred cred) throws ErrnoException {
        return make(dvp, cn, VType.VLNK, va, target, cred);
    }

    /**
     * A new inode and its name: the vnode is charged first (a full kernel is ENOSPC before anything is
     * made), and a name that does not fit undoes the inode, so a failed creation leaves the bitmaps
     * and counts as they were.
     */
    private Vnode make(Vnode dvp, ComponentName cn, VType type, Vattr va, String target, Cred cred)
            throws ErrnoException {
        Ext2Mount m = em(dvp);
        m.checkWritable();
        Inode d = ip(dvp);
        byte[] name = nameBytes(cn);
        byte[] tgt = target == null ? null : target.getBytes(StandardCharsets.UTF_8);
        if (tgt != null && (tgt.length >= m.bs || tgt.length >= PathConf.PATH_MAX)) {
            throw new ErrnoException(Errno.ENAMETOOLONG);
        }
        if (type == VType.VNON) {
            throw new ErrnoException(Errno.EINVAL);
        }
        VnodeCache vc = vfs.vnodeCache();
        if (!vc.chargeVnode()) {
            throw new ErrnoException(Errno.ENOSPC, "no kernel memory for the new file's vnode");
        }
        long ino;
        m.lock.enter();
        try {
            ino = makeLocked(m, d, name, type, va, tgt, cred);
        } catch (ErrnoException | RuntimeException e) {
            vc.unchargeVnode();
            throw e;
        } finally {
            m.lock.exit();
        }
        return vc.getCharged(dvp.mount(), ino);
    }

    private long makeLocked(Ext2Mount m, Inode d, byte[] name, VType type, Vattr va, byte[] tgt, Cred cred)
            throws ErrnoException {
        if (d.links == 0) {
            throw new ErrnoException(Errno.ENOENT, "directory was removed");
        }
        boolean isDir = type == VType.VDIR;
        if (isDir && d.links >= LINK_MAX) {
            throw new ErrnoException(Errno.EMLINK);
        }
        boolean root = cred.isRoot();
        long ino = m.alloc.allocInode(d.ino, isDir);
        Inode n = new Inode(ino);
        m.clearInodeRecord(n);
        long t = m.now();
        n.mode = type.ifmt() | (va.mode & StatMode.ALLPERMS);
        n.uid = va.uid == Vattr.VNOVAL ? cred.uid() : va.uid;
        n.gid = va.gid == Vattr.VNOVAL ? d.gid : va.gid;
        n.atime = t;
        n.mtime = t;
        n.ctime = t;
        n.crtime = t;
        n.links = isDir ? 2 : 1;
        n.generation = (t ^ (ino * 0x9E3779B97F4A7C15L)) & 0xffffffffL;
        try {
            if (isDir) {
                long blk = m.bmap.alloc(n, 0, root);
                BlockCache.Block b = m.cache.getZeroed(blk);
                m.dir().init(b.data, ino, d.ino);
                m.cache.dirty(b);
                n.size = m.bs;
            } else if (type == VType.VLNK) {
                n.size = tgt.length;
                if (tgt.length <= Inode.FAST_SYMLINK_MAX) {
                    byte[] raw = new byte[Inode.N_BLOCKS * 4];
                    System.arraycopy(tgt, 0, raw, 0, tgt.length);
                    for (int i = 0; i < Inode.N_BLOCKS; i++) {
                        n.block[i] = Le.i32(raw, i * 4);
                    }
                } else {
                    long blk = m.bmap.alloc(n, 0, root);
                    BlockCache.Block b = m.cache.getZeroed(blk);
                    System.arraycopy(tgt, 0, b.data, 0, tgt.length);
                    m.cache.dirty(b);
                }
            } else if ((type == VType.VCHR || type == VType.VBLK) && va.rdev != Vattr.VNOVAL) {
                n.setDevice(DevSw.major(va.rdev), DevSw.minor(va.rdev));
            }
            m.writeInode(n);
            m.dir().add(d, name, ino, Directory.ftype(n.mode), root);
        } catch (ErrnoException e) {
            undoMake(m, n, isDir);
            // a directory block allocated before the failure is the directory's now
            m.writeInode(d);
            throw e;
        }
        if (isDir) {
            d.links++;
        }
        d.mtime = t;
        d.ctime = t;
        m.writeInode(d);
        return ino;
    }

    private static void undoMake(Ext2Mount m, Inode n, boolean isDir) throws ErrnoException {
        if (n.isDir() || (n.isLnk() && !n.fastSymlink(m.bs))) {
            m.bmap.truncate(n, 0);
        }
        n.links = 0;
        n.mode = 0;
        m.writeInode(n);
        m.alloc.freeInode(n.ino, isDir);
    }

    @Override
    public String readlink(Vnode vp) throws ErrnoException {
        Inode n = ip(vp);
        if (!n.isLnk()) {
            throw new ErrnoException(Errno.EINVAL);
        }
        Ext2Mount m = em(vp);
        m.lock.enter();
        try {
            if (n.size >= m.bs || n.size >= PathConf.PATH_MAX) {
                throw m.corrupt("symbolic link " + n.ino + " of " + n.size + " bytes");
            }
            int len = (int) n.size;
            if (n.fastSymlink(m.bs)) {
                if (len > Inode.N_BLOCKS * 4) {
                    throw m.corrupt("fast symbolic link " + n.ino + " of " + len + " bytes");
                }
                byte[] raw = new byte[Inode.N_BLOCKS * 4];
                for (int i = 0; i < Inode.N_BLOCKS; i++) {
                    Le.put32(raw, i * 4, n.block[i]);
                }
                return new String(raw, 0, len, StandardCharsets.UTF_8);
            }
            long blk = m.bmap.get(n, 0);
            if (blk == 0) {
                throw m.corrupt("symbolic link " + n.ino + " has no block");
            }
            return new String(m.cache.get(blk).data, 0, len, StandardCharsets.UTF_8);
        } finally {
            m.lock.exit();
        }
    }

    @Override
    public void access(Vnode vp, int mode, Cred cred) throws ErrnoException {
        Inode n = ip(vp);
        Access.check(vp.type(), n.mode & StatMode.ALLPERMS, n.uid, n.gid, mode, cred);
    }

    @Override
    public void getattr(Vnode vp, Vattr va) {
        Inode n = ip(vp);
        Ext2Mount m = em(vp);
        va.type = vp.type();
        va.mode = n.mode & StatMode.ALLPERMS;
        va.nlink = n.links;
        va.uid = n.uid;
        va.gid = n.gid;
        va.fsid = vp.mount().fsid();
        va.fileid = n.ino;
        va.size = n.size;
        va.blocksize = m.bs;
        va.atime = n.atime;
        va.mtime = n.mtime;
        va.ctime = n.ctime;
        va.birthtime = n.crtime;
        va.gen = n.generation;
        va.flags = 0;
        va.bytes = n.blocks * 512;
        if (va.type == VType.VCHR || va.type == VType.VBLK) {
            int[] d = n.device();
            va.rdev = DevSw.makedev(d[0], d[1]);
            va.size = 0;
        } else {
            va.rdev = 0;
        }
    }

    @Override
    public void setattr(Vnode vp, Vattr va, Cred cred) throws ErrnoException {
        Ext2Mount m = em(vp);
        m.checkWritable();
        Inode n = ip(vp);
        m.lock.enter();
        try {
            long t = m.now();
            boolean changed = false;
            if (va.size != Vattr.VNOVAL) {
                if (n.isDir()) {
                    throw new ErrnoException(Errno.EISDIR);
                }
                if (n.isReg()) {
                    Ext2ReadWrite.truncate(m, n, va.size);
                    n.mtime = t;
                    changed = true;
                }
            }
            if (va.mode != Vattr.VNOVAL) {
                n.mode = (n.mode & StatMode.S_IFMT) | (va.mode & StatMode.ALLPERMS);
                changed = true;
            }
            if (va.uid != Vattr.VNOVAL) {
                n.uid = va.uid;
                changed = true;
            }
            if (va.gid != Vattr.VNOVAL) {
                n.gid = va.gid;
                changed = true;
            }
            if (va.atime != Vattr.NOTIME) {
                n.atime = va.atime;
                changed = true;
            }
            if (va.mtime != Vattr.NOTIME) {
                n.mtime = va.mtime;
                changed = true;
            }
            if (va.birthtime != Vattr.NOTIME) {
                n.crtime = va.birthtime;
                changed = true;
            }
            if (changed) {
                n.ctime = t;
            }
            m.writeInode(n);
        } finally {
            m.lock.exit();
        }
    }

    @Override
    public int read(Vnode vp, ByteBuffer dst, long offset, int ioflag, Cred cred) throws ErrnoException {
        return Ext2ReadWrite.read(vp, dst, offset, ioflag, cred);
    }

    @Override
    public long write(Vnode vp, ByteBuffer src, long offset, int ioflag, Cred cred) throws ErrnoException {
        return Ext2ReadWrite.write(vp, src, offset, ioflag, cred);
    }

    @Override
    public void fsync(Vnode vp, boolean dataOnly) throws ErrnoException {
        Ext2Mount m = em(vp);
        if (!m.writable) {
            return;
        }
        m.lock.enter();
        try {
            m.sync();
        } finally {
            m.lock.exit();
        }
        m.disk.sync();
    }

    @Override
    public long seekData(Vnode vp, long offset, boolean hole) throws ErrnoException {
        return Ext2ReadWrite.seekData(vp, offset, hole);
    }

    @Override
    public void remove(Vnode dvp, Vnode vp, ComponentName cn) throws ErrnoException {
        Ext2Mount m = em(dvp);
        m.checkWritable();
        Inode d = ip(dvp);
        Inode n = ip(vp);
        byte[] name = nameBytes(cn);
        m.lock.enter();
        try {
            Directory.Slot s = m.dir().find(d, name);
            if (s == null || s.ino != n.ino) {
                throw new ErrnoException(Errno.ENOENT);
            }
            m.dir().remove(d, s);
            long t = m.now();
            n.links--;
            n.ctime = t;
            d.mtime = t;
            d.ctime = t;
            m.writeInode(n);
            m.writeInode(d);
        } finally {
            m.lock.exit();
        }
    }

    @Override
    public void link(Vnode dvp, Vnode vp, ComponentName cn) throws ErrnoException {
        Ext2Mount m = em(dvp);
        m.checkWritable();
        Inode d = ip(dvp);
        Inode n = ip(vp);
        byte[] name = nameBytes(cn);
        m.lock.enter();
        try {
            if (d.links == 0) {
                throw new ErrnoException(Errno.ENOENT, "directory was removed");
            }
            if (n.links <= 0) {
                throw new ErrnoException(Errno.ENOENT, "file was removed");
            }
            if (n.links >= LINK_MAX) {
                throw new ErrnoException(Errno.EMLINK);
            }
            try {
                m.dir().add(d, name, n.ino, Directory.ftype(n.mode), true);
            } finally {
                m.writeInode(d);
            }
            long t = m.now();
            n.links++;
            n.ctime = t;
            d.mtime = t;
            d.ctime = t;
            m.writeInode(n);
            m.writeInode(d);
        } finally {
            m.lock.exit();
        }
    }

    @Override
    public void rmdir(Vnode dvp, Vnode vp, ComponentName cn) throws ErrnoException {
        Ext2Mount m = em(dvp);
        m.checkWritable();
        Inode d = ip(dvp);
        Inode n = ip(vp);
        byte[] name = nameBytes(cn);
        m.lock.enter();
        try {
            if (!m.dir().isEmpty(n)) {
                throw new ErrnoException(Errno.ENOTEMPTY);
            }
            Directory.Slot s = m.dir().find(d, name);
            if (s == null || s.ino != n.ino) {
                throw new ErrnoException(Errno.ENOENT);
            }
            m.dir().remove(d, s);
            long t = m.now();
            n.links = 0;
            n.ctime = t;
            d.links--;
            d.mtime = t;
            d.ctime = t;
            m.writeInode(n);
            m.writeInode(d);
        } finally {
            m.lock.exit();
        }
    }

    @Override
    public void rename(Vnode fdvp, Vnode fvp, ComponentName fcn, Vnode tdvp, Vnode tvp, ComponentName tcn)
            throws ErrnoException {
        Ext2Mount m = em(fdvp);
        m.checkWritable();
        byte[] fname = nameBytes(fcn);
        byte[] tname = nameBytes(tcn);
        m.lock.enter();
        try {
            Ext2Rename.rename(m, ip(fdvp), ip(fvp), fname, ip(tdvp), tvp == null ? null : ip(tvp), tname);
        } finally {
            m.lock.exit();
        }
    }

    @Override
    public long readdir(Vnode vp, long cookie, DirentSink sink) throws ErrnoException {
        Inode n = ip(vp);
        if (!n.isDir()) {
            throw new ErrnoException(Errno.ENOTDIR);
        }
        Ext2Mount m = em(vp);
        m.lock.enter();
        try {
            if (n.links == 0) {
                return cookie;
            }
            long c = m.dir().readdir(n, cookie, sink);
            Ext2ReadWrite.touchAccess(vp, m, n);
            return c;
        } finally {
            m.lock.exit();
        }
    }

    @Override
    public Flock advlock(Vnode vp, Object owner, int pid, int op, Flock fl, boolean wait) throws ErrnoException {
        Inode n = ip(vp);
        return vp.lockf().advlock(owner, pid, op, fl, n.isReg() ? n.size : 0, wait);
    }

    @Override
    public long pathconf(Vnode vp, int name) throws ErrnoException {
        return switch (name) {
            case PathConf._PC_LINK_MAX -> LINK_MAX;
            case PathConf._PC_FILESIZEBITS -> 64 - Long.numberOfLeadingZeros(em(vp).maxFileSize);
            default -> Genfs.pathconf(name);
        };
    }

    @Override
    public boolean inactive(Vnode vp) {
        Inode n = ip(vp);
        return n != null && n.links <= 0;
    }

    /** A file with no name left gives back its blocks and inode as its vnode goes. */
    @Override
    public void reclaim(Vnode vp) {
        Inode n = ip(vp);
        if (n == null || n.links > 0 || n.freed) {
            return;
        }
        Ext2Mount m = em(vp);
        if (!m.writable) {
            return;
        }
        boolean owned = m.lock.owned();
        if (!owned) {
            m.lock.enter();
        }
        try {
            if (n.isReg() || n.isDir() || (n.isLnk() && !n.fastSymlink(m.bs))) {
                m.bmap.truncate(n, 0);
            }
            m.alloc.releaseAttrBlock(n);
            n.size = 0;
            n.links = 0;
            n.dtime = m.now() / 1_000_000_000L;
            m.writeInode(n);
            m.alloc.freeInode(n.ino, n.isDir());
            n.freed = true;
        } catch (ErrnoException e) {
            vfs.kernel().log("ext2fs on " + m.onName() + ": freeing inode " + n.ino + ": " + e.getMessage());
        } finally {
            if (!owned) {
                m.lock.exit();
            }
        }
    }
}
