package io.jrump.vfs.etfs;

import io.jrump.hypercall.Errno;
import io.jrump.hypercall.HyperError;
import io.jrump.hypercall.HyperFile;
import io.jrump.hypercall.HyperFiles;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.vfs.Access;
import io.jrump.vfs.ComponentName;
import io.jrump.kern.vfs.Flock;
import io.jrump.vfs.Genfs;
import io.jrump.vfs.Names;
import io.jrump.kern.vfs.StatMode;
import io.jrump.vfs.VType;
import io.jrump.vfs.Vattr;
import io.jrump.vfs.Vfs;
import io.jrump.vfs.Vnode;
import io.jrump.vfs.VnodeOps;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The vnode operations of etfs files: data goes to and from the host file (within the registered
 * window), names are looked up and listed on the host through {@link Etfs}, and attributes the host
 * does not give (permissions, owner, times) are kept by the kernel. In a registered directory new
 * regular files can be created; removing and renaming host files is not offered (EOPNOTSUPP).
 */
final class EtfsVnodeOps implements VnodeOps {
    private final Vfs vfs;
    private final Etfs etfs;

    EtfsVnodeOps(Vfs vfs, Etfs etfs) {
        this.vfs = vfs;
        this.etfs = etfs;
    }

    @Override
    public boolean hostIo() {
        return true;
    }

    private static EtfsFile ef(Vnode vp) {
        return (EtfsFile) vp.data();
    }

    private static ErrnoException host(HyperError e) {
        return new ErrnoException(e.errno(), e.getMessage());
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
        EtfsNode n = ef(dvp).node;
        if (n.type != VType.VDIR) {
            throw new ErrnoException(Errno.ENOTDIR);
        }
        if (cn.isDotDot()) {
            // the top of a registration leads back into the kernel's root directory, never to the host
            return n.parent == null ? dvp.mount().vfsOps().root(dvp.mount()) : vfs.vnodeCache().get(dvp.mount(), n.parent);
        }
        EtfsNode c = etfs.child(n, cn.name());
        return c == null ? null : vfs.vnodeCache().get(dvp.mount(), c);
    }

    @Override
    public Vnode create(Vnode dvp, ComponentName cn, Vattr va, Cred cred) throws ErrnoException {
        EtfsNode n = ef(dvp).node;
        String name = cn.name();
        if (!cn.valid() || name.equals(".") || name.equals("..")) {
            throw new ErrnoException(Errno.EINVAL, "not a name in a directory");
        }
        etfs.checkDir(n);
        try {
            etfs.host().open(Etfs.childPath(n, name), HyperFiles.O_RDWR | HyperFiles.O_CREATE | HyperFiles.O_EXCL
                    | HyperFiles.O_NOFOLLOW).close();
        } catch (HyperError e) {
            throw host(e);
        }
        EtfsNode c = etfs.child(n, name);
        if (c == null) {
            throw new ErrnoException(Errno.ENOENT, "created file vanished");
        }
        c.mode = va.mode & StatMode.ALLPERMS;
        c.uid = va.uid == Vattr.VNOVAL ? 0 : va.uid;
        return vfs.vnodeCache().get(dvp.mount(), c);
    }

    private static int defaultMode(EtfsNode n, boolean writable) {
        return switch (n.type) {
            case VDIR -> 0755;
            case VLNK -> 0777;
            case VBLK, VCHR -> 0640;
            default -> writable ? 0644 : 0444;
        };
    }

    private long size(Vnode vp, EtfsFile f) throws ErrnoException {
        EtfsNode n = f.node;
        Etfs.Registration r = n.reg;
        try {
            if (n.type == VType.VREG) {
                long host = f.file.size();
                if (n.parent == null) {
                    return r.size == Etfs.SIZE_ENDOFF ? Math.max(0, host - r.begin) : r.size;
                }
                return host;
            }
            if (n.type == VType.VLNK) {
                String t = readlink(n, f);
                return Names.utf8Length(t, 0, t.length());
            }
        } catch (HyperError e) {
            throw host(e);
        }
        return 0;
    }

    @Override
    public void getattr(Vnode vp, Vattr va) throws ErrnoException {
        EtfsFile f = ef(vp);
        EtfsNode n = f.node;
        long t = n.reg.time;
        va.type = n.type;
        va.mode = n.mode >= 0 ? n.mode : defaultMode(n, f.writable);
        va.nlink = n.type == VType.VDIR ? 2 : 1;
        va.uid = n.uid;
        va.gid = n.gid;
        va.fsid = vp.mount().fsid();
        va.fileid = n.fileid;
        va.size = size(vp, f);
        va.bytes = va.size;
        va.blocksize = 512;
        va.atime = n.atime != Long.MIN_VALUE ? n.atime : t;
        va.mtime = n.mtime != Long.MIN_VALUE ? n.mtime : hostMtime(f, t);
        va.ctime = n.ctime != Long.MIN_VALUE ? n.ctime : t;
        va.birthtime = t;
        va.flags = 0;
        va.rdev = f.rdev;
    }

    /**
     * A regular host file's own mtime, so that an edit on the host shows inside the kernel; the registration
     * time for what the host gives no time for (directories, devices, a window of a file is still the file's).
     */
    private static long hostMtime(EtfsFile f, long registered) {
        if (f.node.type != VType.VREG || f.file == null) {
            return registered;
        }
        long m = f.file.mtimeNanos();
        return m == Long.MIN_VALUE ? registered : m;
    }

    @Override
    public void access(Vnode vp, int mode, Cred cred) throws ErrnoException {
        EtfsFile f = ef(vp);
        EtfsNode n = f.node;
        if ((mode & Access.VWRITE) != 0 && !f.writable && n.type == VType.VREG) {
            throw new ErrnoException(Errno.EROFS, "the host file is read-only");
        }
        Access.check(n.type, n.mode >= 0 ? n.mode : defaultMode(n, f.writable), n.uid, n.gid, mode, cred);
    }

    @Override
    public void setattr(Vnode vp, Vattr va, Cred cred) throws ErrnoException {
        EtfsFile f = ef(vp);
        EtfsNode n = f.node;
        if (va.size != Vattr.VNOVAL && n.type == VType.VREG) {
            if (n.parent == null && n.reg.size != Etfs.SIZE_ENDOFF) {
                if (va.size != n.reg.size) {
                    throw new ErrnoException(Errno.EINVAL, "a window of a host file keeps its size");
                }
            } else {
                try {
                    f.file.truncate(n.parent == null ? n.reg.begin + va.size : va.size);
                } catch (HyperError e) {
                    throw host(e);
                }
            }
        }
        if (va.mode != Vattr.VNOVAL) {
            n.mode = va.mode & StatMode.ALLPERMS;
        }
        if (va.uid != Vattr.VNOVAL) {
            n.uid = va.uid;
        }
        if (va.gid != Vattr.VNOVAL) {
            n.gid = va.gid;
        }
        if (va.atime != Vattr.NOTIME) {
            n.atime = va.atime;
        }
        if (va.mtime != Vattr.NOTIME) {
            n.mtime = va.mtime;
        }
        n.ctime = vfs.clock().now();
    }

    @Override
    public int read(Vnode vp, ByteBuffer dst, long offset, int ioflag, Cred cred) throws ErrnoException {
        EtfsFile f = ef(vp);
        if (f.node.type != VType.VREG) {
            throw new ErrnoException(f.node.type == VType.VDIR ? Errno.EISDIR : Errno.EOPNOTSUPP);
        }
        Etfs.Registration r = f.node.reg;
        long base = f.node.parent == null ? r.begin : 0;
        try {
            if (f.node.parent == null && r.size != Etfs.SIZE_ENDOFF) {
                long left = r.size - offset;
                if (left <= 0) {
                    return 0;
                }
                if (dst.remaining() > left) {
                    ByteBuffer part = dst.slice(dst.position(), (int) left);
                    int n = f.file.pread(part, base + offset);
                    dst.position(dst.position() + n);
                    return n;
                }
            }
            return f.file.pread(dst, base + offset);
        } catch (HyperError e) {
            throw host(e);
        }
    }

    @Override
    public long write(Vnode vp, ByteBuffer src, long offset, int ioflag, Cred cred) throws ErrnoException {
        EtfsFile f = ef(vp);
        if (f.node.type != VType.VREG) {
            throw new ErrnoException(f.node.type == VType.VDIR ? Errno.EISDIR : Errno.EOPNOTSUPP);
        }
        if (!f.writable) {
            throw new ErrnoException(Errno.EBADF, "the host file is read-only");
        }
        Etfs.Registration r = f.node.reg;
        boolean window = f.node.parent == null;
        long base = window ? r.begin : 0;
        try {
            if ((ioflag & IO_APPEND) != 0) {
                offset = size(vp, f);
            }
            if (window && r.size != Etfs.SIZE_ENDOFF) {
                long left = r.size - offset;
                if (left <= 0) {
                    throw new ErrnoException(Errno.ENOSPC, "write past the registered window");
                }
                if (src.remaining() > left) {
                    ByteBuffer part = src.slice(src.position(), (int) left);
                    int n = f.file.pwrite(part, base + offset);
                    src.position(src.position() + n);
                    return offset + n;
                }
            }
            int n = f.file.pwrite(src, base + offset);
            if ((ioflag & IO_SYNC) != 0) {
                f.file.sync();
            }
            return offset + n;
        } catch (HyperError e) {
            throw host(e);
        }
    }

    @Override
    public void fsync(Vnode vp, boolean dataOnly) throws ErrnoException {
        EtfsFile f = ef(vp);
        if (f.file != null) {
            try {
                f.file.sync();
            } catch (HyperError e) {
                throw host(e);
            }
        }
    }

    private String readlink(EtfsNode n, EtfsFile f) throws ErrnoException {
        etfs.checkDir(n.parent);
        try {
            return etfs.host().readlink(n.hostPath);
        } catch (HyperError e) {
            throw host(e);
        }
    }

    /** A host link's target, for namei to resolve in the kernel's namespace. */
    @Override
    public String readlink(Vnode vp) throws ErrnoException {
        EtfsFile f = ef(vp);
        if (f.node.type != VType.VLNK) {
            throw new ErrnoException(Errno.EINVAL);
        }
        return readlink(f.node, f);
    }

    @Override
    public long readdir(Vnode vp, long cookie, DirentSink sink) throws ErrnoException {
        EtfsNode n = ef(vp).node;
        if (n.type != VType.VDIR) {
            throw new ErrnoException(Errno.ENOTDIR);
        }
        if (cookie <= 0) {
            if (!sink.accept(n.fileid, StatMode.DT_DIR, ".", 1)) {
                return 0;
            }
            cookie = 1;
        }
        if (cookie == 1) {
            long up = n.parent != null ? n.parent.fileid : rootFileid(vp);
            if (!sink.accept(up, StatMode.DT_DIR, "..", 2)) {
                return 1;
            }
            cookie = 2;
        }
        List<EtfsNode> entries = etfs.list(n);
        for (long i = cookie - 2; i < entries.size(); i++) {
            EtfsNode c = entries.get((int) i);
            if (!sink.accept(c.fileid, c.type.dtype(), c.name, i + 3)) {
                return i + 2;
            }
        }
        return Math.max(cookie, entries.size() + 2L);
    }

    private long rootFileid(Vnode vp) throws ErrnoException {
        Vnode r = vp.mount().vfsOps().root(vp.mount());
        try {
            Vattr va = new Vattr();
            r.ops().getattr(r, va);
            return va.fileid;
        } finally {
            r.rele();
        }
    }

    @Override
    public Flock advlock(Vnode vp, Object owner, int pid, int op, Flock fl, boolean wait) throws ErrnoException {
        EtfsFile f = ef(vp);
        return vp.lockf().advlock(owner, pid, op, fl, f.node.type == VType.VREG ? size(vp, f) : 0, wait);
    }

    @Override
    public long seekData(Vnode vp, long offset, boolean hole) throws ErrnoException {
        return Genfs.seekData(size(vp, ef(vp)), offset, hole);
    }

    @Override
    public void reclaim(Vnode vp) {
        EtfsFile f = ef(vp);
        if (f != null && !f.shared && f.file != null) {
            try {
                f.file.close();
            } catch (HyperError e) {
                vfs.kernel().log("etfs: closing " + f.node.hostPath + ": " + e.getMessage());
            }
        }
    }
}
