package io.jrump.vfs.rumpfs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.vfs.Access;
import io.jrump.vfs.ComponentName;
import io.jrump.kern.vfs.Dirent;
import io.jrump.kern.vfs.Flock;
import io.jrump.vfs.Genfs;
import io.jrump.vfs.MountFlags;
import io.jrump.vfs.Names;
import io.jrump.vfs.PathConf;
import io.jrump.kern.vfs.StatMode;
import io.jrump.vfs.VType;
import io.jrump.vfs.Vattr;
import io.jrump.vfs.Vfs;
import io.jrump.vfs.Vnode;
import io.jrump.vfs.VnodeCache;
import io.jrump.vfs.VnodeOps;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * rumpfs's vnode operations: names, attributes and data of {@link RumpfsNode}s. Link counts are kept
 * as on a disk file system: a file counts its names, a directory its name in its parent, its own
 * {@code .} and each subdirectory's {@code ..}. Times are the VFS clock's, to the nanosecond: a read
 * sets the access time, a write the modification and change times, a change of attributes or names the
 * change time.
 *
 * <p>Reads and writes of pages allocate nothing once the pages exist: bytes go straight between the
 * caller's buffer and the page arrays, holes read from a shared page of zeros.
 */
final class RumpfsVnodeOps implements VnodeOps {
    /** The largest file, beyond which writes are EFBIG: 2^50 bytes, a thousand 1 TB sparse files. */
    static final long MAXFILESIZE = 1L << 50;
    /** {@code st_size} of a directory counts this much per entry. */
    private static final int DIRENT_SIZE = 32;
    /** Cookies of the root hook's entries, listed after the root's own. */
    private static final long EXTRA_BASE = 1L << 62;

    private final Vfs vfs;

    RumpfsVnodeOps(Vfs vfs) {
        this.vfs = vfs;
    }

    static RumpfsNode node(Vnode vp) {
        return (RumpfsNode) vp.data();
    }

    static RumpfsMount rm(Vnode vp) {
        return (RumpfsMount) vp.mount().data();
    }

    private long now() {
        return vfs.clock().now();
    }

    private Vnode vget(Vnode near, RumpfsNode n) throws ErrnoException {
        return vfs.vnodeCache().get(near.mount(), n);
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
        RumpfsNode dn = node(dvp);
        if (dn.removed) {
            return null;
        }
        if (cn.isDotDot()) {
            RumpfsNode p = dn.dir.parent;
            return vget(dvp, p == null ? dn : p);
        }
        RumpfsMount m = rm(dvp);
        if (dn == m.root) {
            RootLookup hook = m.rootHook();
            if (hook != null) {
                Vnode v = hook.lookup(dvp, cn);
                if (v != null) {
                    return v;
                }
            }
        }
        RumpfsDir.Entry e = dn.dir.lookup(cn);
        return e == null ? null : vget(dvp, e.node);
    }

    /** Makes a node and its entry in {@code dn}, charging both; the caller holds {@code dvp} exclusively. */
    private RumpfsNode make(Vnode dvp, String name, VType type, Vattr va, String target) throws ErrnoException {
        RumpfsNode dn = node(dvp);
        if (dn.removed) {
            throw new ErrnoException(Errno.ENOENT, "directory was removed");
        }
        if (type == VType.VDIR && dn.nlink >= PathConf.LINK_MAX) {
            throw new ErrnoException(Errno.EMLINK);
        }
        RumpfsMount m = rm(dvp);
        int targetBytes = target == null ? 0 : Names.utf8Length(target, 0, target.length());
        long cost = RumpfsMount.NODE_BYTES + entryCost(name) + 2L * targetBytes;
        m.chargeOrFail(cost);
        m.nodeMade();
        long t = now();
        int gid = va.gid == Vattr.VNOVAL ? dn.gid : va.gid;
        RumpfsNode n = new RumpfsNode(m.nextFileId(), type, va.mode & StatMode.ALLPERMS, va.uid == Vattr.VNOVAL ? 0 : va.uid,
                gid, t, dn, target, targetBytes);
        if (va.rdev != Vattr.VNOVAL) {
            n.rdev = va.rdev;
        }
        dn.dir.add(name, n);
        if (type == VType.VDIR) {
            dn.nlink++;
        }
        dn.mtime = t;
        dn.ctime = t;
        return n;
    }

    /**
     * {@link #make} and the new file's vnode, whose memory is charged first: a kernel too full for the
     * vnode is ENOSPC before the file exists, as it is for the node.
     */
    private Vnode makeAndGet(Vnode dvp, String name, VType type, Vattr va, String target) throws ErrnoException {
        VnodeCache vc = vfs.vnodeCache();
        if (!vc.chargeVnode()) {
            throw rm(dvp).noVnode();
        }
        RumpfsNode n;
        try {
            n = make(dvp, name, type, va, target);
        } catch (ErrnoException | RuntimeException e) {
            vc.unchargeVnode();
            throw e;
        }
        return vc.getCharged(dvp.mount(), n);
    }

    private static long entryCost(String name) {
        return RumpfsMount.ENTRY_BYTES + 2L * name.length();
    }

    @Override
    public Vnode create(Vnode dvp, ComponentName cn, Vattr va, Cred cred) throws ErrnoException {
        return makeAndGet(dvp, cn.name(), VType.VREG, va, null);
    }

    @Override
    public Vnode mknod(Vnode dvp, ComponentName cn, Vattr va, Cred cred) throws ErrnoException {
        return makeAndGet(dvp, cn.name(), va.type, va, null);
    }

    @Override
    public Vnode mkdir(Vnode dvp, ComponentName cn, Vattr va, Cred cred) throws ErrnoException {
        return makeAndGet(dvp, cn.name(), VType.VDIR, va, null);
    }

    @Override
    public Vnode symlink(Vnode dvp, ComponentName cn, Vattr va, String target, Cred cred) throws ErrnoException {
        return makeAndGet(dvp, cn.name(), VType.VLNK, va, target);
    }

    @Override
    public String readlink(Vnode vp) throws ErrnoException {
        RumpfsNode n = node(vp);
        if (n.type != VType.VLNK) {
            throw new ErrnoException(Errno.EINVAL);
        }
        touchAccess(vp, n);
        return n.target;
    }

    @Override
    public void access(Vnode vp, int mode, Cred cred) throws ErrnoException {
        RumpfsNode n = node(vp);
        Access.check(n.type, n.mode, n.uid, n.gid, mode, cred);
    }

    @Override
    public void getattr(Vnode vp, Vattr va) {
        RumpfsNode n = node(vp);
        va.type = n.type;
        va.mode = n.mode;
        va.nlink = n.nlink;
        va.uid = n.uid;
        va.gid = n.gid;
        va.fsid = vp.mount().fsid();
        va.fileid = n.fileid;
        va.blocksize = PageStore.PAGE_SIZE;
        va.atime = n.atime;
        va.mtime = n.mtime;
        va.ctime = n.ctime;
        va.birthtime = n.birthtime;
        va.gen = n.gen;
        va.flags = n.flags;
        va.rdev = n.type == VType.VCHR || n.type == VType.VBLK ? n.rdev : 0;
        switch (n.type) {
            case VREG -> {
                va.size = n.size;
                va.bytes = n.pages.pages() * PageStore.PAGE_SIZE;
            }
            case VDIR -> {
                va.size = (long) (n.dir.size() + 2) * DIRENT_SIZE;
                va.bytes = 0;
            }
            case VLNK -> {
                va.size = n.targetBytes;
                va.bytes = 0;
            }
            default -> {
                va.size = 0;
                va.bytes = 0;
            }
        }
    }

    @Override
    public void setattr(Vnode vp, Vattr va, Cred cred) throws ErrnoException {
        RumpfsNode n = node(vp);
        long t = now();
        boolean changed = false;
        if (va.size != Vattr.VNOVAL) {
            if (n.type == VType.VDIR) {
                throw new ErrnoException(Errno.EISDIR);
            }
            if (n.type == VType.VREG) {
                truncate(vp, n, va.size);
                n.mtime = t;
                changed = true;
            }
        }
        if (va.mode != Vattr.VNOVAL) {
            n.mode = va.mode & StatMode.ALLPERMS;
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
        if (va.flags != Vattr.VNOVAL) {
            n.flags = va.flags;
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
            n.birthtime = va.birthtime;
            changed = true;
        }
        if (changed) {
            n.ctime = t;
        }
    }

    private void truncate(Vnode vp, RumpfsNode n, long size) throws ErrnoException {
        if (size > MAXFILESIZE) {
            throw new ErrnoException(Errno.EFBIG);
        }
        if (size < n.size) {
            n.pages.truncate(size, rm(vp));
        }
        n.size = size;
    }

    private void touchAccess(Vnode vp, RumpfsNode n) {
        if ((vp.mount().flags() & MountFlags.MNT_NOATIME) == 0) {
            n.atime = now();
        }
    }

    @Override
    public int read(Vnode vp, ByteBuffer dst, long offset, int ioflag, Cred cred) throws ErrnoException {
        RumpfsNode n = node(vp);
        if (n.type != VType.VREG) {
            throw new ErrnoException(n.type == VType.VDIR ? Errno.EISDIR : Errno.EOPNOTSUPP);
        }
        long size = n.size;
        if (offset >= size || !dst.hasRemaining()) {
            touchAccess(vp, n);
            return 0;
        }
        int len = (int) Math.min(dst.remaining(), size - offset);
        PageStore ps = n.pages;
        byte[] zeros = rm(vp).zeroPage;
        int done = 0;
        while (done < len) {
            long off = offset + done;
            int po = (int) (off & (PageStore.PAGE_SIZE - 1));
            int c = Math.min(PageStore.PAGE_SIZE - po, len - done);
            byte[] pg = ps.get(off >>> PageStore.PAGE_SHIFT);
            if (pg == null) {
                dst.put(zeros, 0, c);
            } else {
                dst.put(pg, po, c);
            }
            done += c;
        }
        touchAccess(vp, n);
        return done;
    }

    @Override
    public long write(Vnode vp, ByteBuffer src, long offset, int ioflag, Cred cred) throws ErrnoException {
        RumpfsNode n = node(vp);
        if (n.type != VType.VREG) {
            throw new ErrnoException(n.type == VType.VDIR ? Errno.EISDIR : Errno.EOPNOTSUPP);
        }
        if ((ioflag & IO_APPEND) != 0) {
            offset = n.size;
        }
        int len = src.remaining();
        if (len == 0) {
            return offset;
        }
        if (offset >= MAXFILESIZE) {
            throw new ErrnoException(Errno.EFBIG);
        }
        len = (int) Math.min(len, MAXFILESIZE - offset);
        RumpfsMount m = rm(vp);
        PageStore ps = n.pages;
        int done = 0;
        try {
            while (done < len) {
                long off = offset + done;
                int po = (int) (off & (PageStore.PAGE_SIZE - 1));
                int c = Math.min(PageStore.PAGE_SIZE - po, len - done);
                byte[] pg = ps.getOrCreate(off >>> PageStore.PAGE_SHIFT, m);
                src.get(pg, po, c);
                done += c;
            }
        } catch (ErrnoException e) {
            if (done == 0) {
                throw e;
            }
        } finally {
            if (done > 0) {
                long end = offset + done;
                if (end > n.size) {
                    n.size = end;
                }
                long t = now();
                n.mtime = t;
                n.ctime = t;
                if ((n.mode & (StatMode.S_ISUID | StatMode.S_ISGID)) != 0 && !cred.isRoot()) {
                    n.mode &= ~(StatMode.S_ISUID | StatMode.S_ISGID);
                }
            }
        }
        return offset + done;
    }

    @Override
    public long seekData(Vnode vp, long offset, boolean hole) throws ErrnoException {
        RumpfsNode n = node(vp);
        if (n.type != VType.VREG) {
            return VnodeOps.super.seekData(vp, offset, hole);
        }
        if (offset < 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
        long size = n.size;
        if (offset >= size) {
            throw new ErrnoException(Errno.ENXIO);
        }
        long idx = offset >>> PageStore.PAGE_SHIFT;
        if (hole) {
            long h = n.pages.nextHole(idx);
            return Math.min(size, Math.max(offset, h << PageStore.PAGE_SHIFT));
        }
        long d = n.pages.nextPage(idx);
        if (d < 0) {
            throw new ErrnoException(Errno.ENXIO);
        }
        long at = Math.max(offset, d << PageStore.PAGE_SHIFT);
        if (at >= size) {
            throw new ErrnoException(Errno.ENXIO);
        }
        return at;
    }

    @Override
    public void remove(Vnode dvp, Vnode vp, ComponentName cn) throws ErrnoException {
        RumpfsNode dn = node(dvp);
        RumpfsNode n = node(vp);
        RumpfsDir.Entry e = dn.dir.remove(cn.name());
        if (e == null) {
            throw new ErrnoException(Errno.ENOENT);
        }
        rm(dvp).uncharge(entryCost(e.name));
        long t = now();
        n.nlink--;
        n.ctime = t;
        dn.mtime = t;
        dn.ctime = t;
    }

    @Override
    public void link(Vnode dvp, Vnode vp, ComponentName cn) throws ErrnoException {
        RumpfsNode dn = node(dvp);
        RumpfsNode n = node(vp);
        if (dn.removed) {
            throw new ErrnoException(Errno.ENOENT, "directory was removed");
        }
        if (n.nlink <= 0) {
            throw new ErrnoException(Errno.ENOENT, "file was removed");
        }
        if (n.nlink >= PathConf.LINK_MAX) {
            throw new ErrnoException(Errno.EMLINK);
        }
        String name = cn.name();
        rm(dvp).chargeOrFail(entryCost(name));
        dn.dir.add(name, n);
        long t = now();
        n.nlink++;
        n.ctime = t;
        dn.mtime = t;
        dn.ctime = t;
    }

    @Override
    public void rmdir(Vnode dvp, Vnode vp, ComponentName cn) throws ErrnoException {
        RumpfsNode dn = node(dvp);
        RumpfsNode n = node(vp);
        if (n.dir.size() > 0) {
            throw new ErrnoException(Errno.ENOTEMPTY);
        }
        RumpfsDir.Entry e = dn.dir.remove(cn.name());
        if (e == null) {
            throw new ErrnoException(Errno.ENOENT);
        }
        rm(dvp).uncharge(entryCost(e.name));
        long t = now();
        n.nlink = 0;
        n.removed = true;
        n.ctime = t;
        dn.nlink--;
        dn.mtime = t;
        dn.ctime = t;
    }

    @Override
    public void rename(Vnode fdvp, Vnode fvp, ComponentName fcn, Vnode tdvp, Vnode tvp, ComponentName tcn)
            throws ErrnoException {
        RumpfsNode fd = node(fdvp);
        RumpfsNode fn = node(fvp);
        RumpfsNode td = node(tdvp);
        RumpfsNode tn = tvp == null ? null : node(tvp);
        if (fd.removed || td.removed) {
            throw new ErrnoException(Errno.ENOENT, "directory was removed");
        }
        if (tn != null && tn.type == VType.VDIR && tn.dir.size() > 0) {
            throw new ErrnoException(Errno.ENOTEMPTY);
        }
        boolean dirMove = fn.type == VType.VDIR && fd != td;
        if (dirMove && tn == null && td.nlink >= PathConf.LINK_MAX) {
            throw new ErrnoException(Errno.EMLINK);
        }
        RumpfsMount m = rm(fdvp);
        String tname = tcn.name();
        m.chargeOrFail(entryCost(tname));
        long t = now();
        if (tn != null) {
            RumpfsDir.Entry old = td.dir.remove(tname);
            if (old != null) {
                m.uncharge(entryCost(old.name));
            }
            if (tn.type == VType.VDIR) {
                tn.nlink = 0;
                tn.removed = true;
                td.nlink--;
            } else {
                tn.nlink--;
            }
            tn.ctime = t;
        }
        RumpfsDir.Entry e = fd.dir.remove(fcn.name());
        if (e != null) {
            m.uncharge(entryCost(e.name));
        }
        td.dir.add(tname, fn);
        if (dirMove) {
            fn.dir.parent = td;
            fd.nlink--;
            td.nlink++;
        }
        fn.ctime = t;
        fd.mtime = t;
        fd.ctime = t;
        td.mtime = t;
        td.ctime = t;
    }

    @Override
    public long readdir(Vnode vp, long cookie, DirentSink sink) throws ErrnoException {
        RumpfsNode n = node(vp);
        if (n.type != VType.VDIR) {
            throw new ErrnoException(Errno.ENOTDIR);
        }
        touchAccess(vp, n);
        if (n.removed) {
            return Math.max(cookie, RumpfsDir.FIRST_SEQ);
        }
        if (cookie <= 0) {
            if (!sink.accept(n.fileid, StatMode.DT_DIR, ".", 1)) {
                return 0;
            }
            cookie = 1;
        }
        if (cookie == 1) {
            RumpfsNode p = n.dir.parent == null ? n : n.dir.parent;
            if (!sink.accept(p.fileid, StatMode.DT_DIR, "..", RumpfsDir.FIRST_SEQ)) {
                return 1;
            }
        }
        RumpfsMount m = rm(vp);
        RootLookup hook = n == m.root ? m.rootHook() : null;
        if (cookie < EXTRA_BASE) {
            long c = n.dir.readdir(cookie, sink);
            if (hook == null || !n.dir.atEnd(c)) {
                return c;
            }
            cookie = EXTRA_BASE;
        }
        if (hook == null) {
            return cookie;
        }
        List<Dirent> extra = hook.extraEntries();
        for (long i = cookie - EXTRA_BASE; i < extra.size(); i++) {
            Dirent d = extra.get((int) i);
            if (!sink.accept(d.fileno(), d.type(), d.name(), EXTRA_BASE + i + 1)) {
                return EXTRA_BASE + i;
            }
        }
        return EXTRA_BASE + extra.size();
    }

    @Override
    public Flock advlock(Vnode vp, Object owner, int pid, int op, Flock fl, boolean wait) throws ErrnoException {
        RumpfsNode n = node(vp);
        return vp.lockf().advlock(owner, pid, op, fl, n.type == VType.VREG ? n.size : 0, wait);
    }

    @Override
    public long pathconf(Vnode vp, int name) throws ErrnoException {
        if (name == PathConf._PC_FILESIZEBITS) {
            return 51;
        }
        return Genfs.pathconf(name);
    }

    @Override
    public boolean inactive(Vnode vp) {
        return node(vp).nlink <= 0;
    }

    /** The vnode leaves the cache; a node no name refers to any more gives its memory back now. */
    @Override
    public void reclaim(Vnode vp) {
        RumpfsNode n = node(vp);
        if (n == null || n.nlink > 0 || n.freed) {
            return;
        }
        n.freed = true;
        RumpfsMount m = rm(vp);
        if (n.pages != null) {
            n.pages.freeAll(m);
            n.size = 0;
        }
        m.uncharge(RumpfsMount.NODE_BYTES + 2L * n.targetBytes);
        m.nodeFreed();
    }
}
