package io.jrump.vfs.etfs;

import io.jrump.hypercall.Errno;
import io.jrump.hypercall.FileInfo;
import io.jrump.hypercall.HyperError;
import io.jrump.hypercall.HyperFile;
import io.jrump.hypercall.HyperFiles;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sync.KMutex;
import io.jrump.vfs.ComponentName;
import io.jrump.vfs.DevSw;
import io.jrump.kern.vfs.Dirent;
import io.jrump.vfs.Mount;
import io.jrump.vfs.Names;
import io.jrump.vfs.SpecOps;
import io.jrump.vfs.VType;
import io.jrump.vfs.Vfs;
import io.jrump.vfs.Vnode;
import io.jrump.vfs.rumpfs.RootLookup;
import io.jrump.vfs.rumpfs.RumpfsVfsOps;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * etfs, the extra-terrestrial file system ({@code rump_etfs_register}): host files and directories
 * shown in the kernel's namespace under a key. A key is looked up at the root of the root file system
 * before its own entries, matched against the rest of the path as NetBSD matches it: a file key
 * exactly ({@code /trip/to/the/moon}, slashes and all), a directory key as a prefix ending at a slash.
 *
 * <p>A directory registration never leads outside its host directory. Every host path etfs uses is the
 * directory's real path (symbolic links resolved once, at registration) followed by names checked to
 * hold no {@code /} and no NUL and to be neither {@code .} nor {@code ..}; {@code ..} at the top is the
 * kernel's root directory, not the host's parent. A symbolic link on the host is shown as a symbolic link
 * whose target namei resolves in the kernel's namespace, never on the host. Host entries are examined
 * without following links ({@link HyperFiles#getFileInfoNoFollow}), files are opened with
 * {@link HyperFiles#O_NOFOLLOW} (which also refuses a path through a linked directory), and a directory's
 * real path is checked again before each look into it, so a directory swapped for a link is refused.
 */
public final class Etfs implements RootLookup {
    /** {@code RUMP_ETFS_SIZE_ENDOFF}: the window runs to the end of the host file. */
    public static final long SIZE_ENDOFF = -1;

    private final Vfs vfs;
    private final Mount rootMount;
    private final HyperFiles hf;
    private final RumpBlk blk;
    private final EtfsVnodeOps ops;
    private final KMutex lock;
    private final List<Registration> regs = new CopyOnWriteArrayList<>();

    /** One registered key. */
    static final class Registration {
        final String key;
        final String hostPath;
        final EtfsType type;
        final long begin;
        /** Bytes in the window; {@link #SIZE_ENDOFF} for "to the end of the host file". */
        final long size;
        final HyperFile file;
        final boolean writable;
        final int minor;
        final long time;
        EtfsNode top;

        Registration(String key, String hostPath, EtfsType type, long begin, long size, HyperFile file,
                     boolean writable, int minor, long time) {
            this.key = key;
            this.hostPath = hostPath;
            this.type = type;
            this.begin = begin;
            this.size = size;
            this.file = file;
            this.writable = writable;
            this.minor = minor;
            this.time = time;
        }
    }

    public Etfs(Vfs vfs, Mount rootMount) {
        this.vfs = vfs;
        this.rootMount = rootMount;
        this.hf = vfs.kernel().hypercall().files();
        this.blk = new RumpBlk(vfs.kernel());
        this.ops = new EtfsVnodeOps(vfs, this);
        this.lock = vfs.kernel().newMutex();
        vfs.devsw().attachBlock(DevSw.RUMPBLK_MAJOR, blk);
        vfs.devsw().attachChar(DevSw.RUMPBLK_MAJOR, blk);
        RumpfsVfsOps.state(rootMount).setRootHook(this);
    }

    HyperFiles host() {
        return hf;
    }

    /** {@code rump_etfs_register}: the whole host file (or directory) under {@code key}. */
    public void register(String key, String hostPath, EtfsType type) throws ErrnoException {
        registerWithSize(key, hostPath, type, 0, SIZE_ENDOFF);
    }

    /**
     * {@code rump_etfs_register_withsize}: {@code size} bytes of the host file from {@code begin} (a
     * window of a disk image). A key must start with {@code /} (EINVAL) and be new (EEXIST); the host
     * path must exist (ENOENT) and be a directory exactly when the type is one (ENOTDIR, EISDIR); a
     * directory takes no window (EINVAL).
     */
    public void registerWithSize(String key, String hostPath, EtfsType type, long begin, long size)
            throws ErrnoException {
        String k = normalizeKey(key);
        if (hostPath == null || hostPath.isEmpty() || hostPath.indexOf('\0') >= 0) {
            throw new ErrnoException(Errno.EINVAL, "bad host path");
        }
        if (begin < 0 || (size < 0 && size != SIZE_ENDOFF)) {
            throw new ErrnoException(Errno.EINVAL, "bad window " + begin + "+" + size);
        }
        if (type.isDir() && (begin != 0 || size != SIZE_ENDOFF)) {
            throw new ErrnoException(Errno.EINVAL, "a directory takes no window");
        }
        lock.enter();
        try {
            if (find(k) != null) {
                throw new ErrnoException(Errno.EEXIST, "etfs key " + key + " is registered");
            }
            FileInfo info;
            String real;
            try {
                info = hf.getFileInfo(hostPath);
                real = hf.realPath(hostPath);
            } catch (HyperError e) {
                throw new ErrnoException(e.errno(), e.getMessage());
            }
            long now = vfs.clock().now();
            long fileid = RumpfsVfsOps.state(rootMount).nextFileId();
            Registration r;
            if (type.isDir()) {
                if (info.type() != FileInfo.Type.DIR) {
                    throw new ErrnoException(Errno.ENOTDIR, hostPath);
                }
                r = new Registration(k, real, type, 0, SIZE_ENDOFF, null, false, -1, now);
                r.top = new EtfsNode(this, r, null, null, real, VType.VDIR, fileid);
            } else {
                if (info.type() == FileInfo.Type.DIR) {
                    throw new ErrnoException(Errno.EISDIR, hostPath);
                }
                HyperFile f;
                boolean writable = true;
                try {
                    f = hf.open(real, HyperFiles.O_RDWR);
                } catch (HyperError e) {
                    try {
                        f = hf.open(real, HyperFiles.O_RDONLY);
                        writable = false;
                    } catch (HyperError e2) {
                        throw new ErrnoException(e2.errno(), e2.getMessage());
                    }
                }
                int minor = -1;
                if (type == EtfsType.BLK || type == EtfsType.CHR) {
                    long avail = (size == SIZE_ENDOFF ? Math.max(0, f.size() - begin) : size);
                    minor = blk.attach(new RumpBlk.Disk(f, begin, avail, writable));
                }
                r = new Registration(k, real, type, begin, size, f, writable, minor, now);
                VType vt = type == EtfsType.REG ? VType.VREG : type == EtfsType.BLK ? VType.VBLK : VType.VCHR;
                r.top = new EtfsNode(this, r, null, null, real, vt, fileid);
            }
            regs.add(r);
        } finally {
            lock.exit();
        }
    }

    /** {@code rump_etfs_remove}: ENOENT for an unknown key, EBUSY while one of its files is in use. */
    public void remove(String key) throws ErrnoException {
        String k = normalizeKey(key);
        lock.enter();
        try {
            Registration r = find(k);
            if (r == null) {
                throw new ErrnoException(Errno.ENOENT, "etfs key " + key + " is not registered");
            }
            if (!evictAll(r.top)) {
                throw new ErrnoException(Errno.EBUSY, "a file under etfs key " + key + " is in use");
            }
            regs.remove(r);
            close(r);
        } finally {
            lock.exit();
        }
    }

    private void close(Registration r) {
        if (r.minor >= 0) {
            blk.detach(r.minor);
        }
        if (r.file != null) {
            try {
                r.file.close();
            } catch (HyperError e) {
                vfs.kernel().log("etfs: closing " + r.hostPath + ": " + e.getMessage());
            }
        }
    }

    /** Takes every cached vnode under {@code n} out of the cache; false if one is in use. */
    private boolean evictAll(EtfsNode n) {
        if (n.children != null) {
            for (EtfsNode c : n.children.values()) {
                if (!evictAll(c)) {
                    return false;
                }
            }
        }
        return vfs.vnodeCache().evict(rootMount, n);
    }

    /** Registered keys, each with its leading slash. */
    public List<String> keys() {
        List<String> l = new ArrayList<>();
        for (Registration r : regs) {
            l.add("/" + r.key);
        }
        return l;
    }

    /** Closes every host file (component detach, after the root file system went). */
    public void shutdown() {
        for (Registration r : regs) {
            close(r);
        }
        regs.clear();
        vfs.devsw().detach(DevSw.RUMPBLK_MAJOR);
    }

    /** A key without its leading slashes; EINVAL unless it starts with one and names something. */
    static String normalizeKey(String key) throws ErrnoException {
        if (key == null || !key.startsWith("/")) {
            throw new ErrnoException(Errno.EINVAL, "etfs key must start with /: " + key);
        }
        int i = 0;
        while (i < key.length() && key.charAt(i) == '/') {
            i++;
        }
        String k = key.substring(i);
        if (k.isEmpty() || k.indexOf('\0') >= 0) {
            throw new ErrnoException(Errno.EINVAL, "bad etfs key " + key);
        }
        return k;
    }

    private Registration find(String k) {
        for (Registration r : regs) {
            if (r.key.equals(k)) {
                return r;
            }
        }
        return null;
    }

    @Override
    public Vnode lookup(Vnode root, ComponentName cn) throws ErrnoException {
        if (regs.isEmpty()) {
            return null;
        }
        CharSequence rest = cn.remaining();
        for (Registration r : regs) {
            String k = r.key;
            int kl = k.length();
            if (rest.length() < kl || !regionEquals(rest, k)) {
                continue;
            }
            boolean exact = rest.length() == kl;
            if (!exact && (!r.type.isDir() || rest.charAt(kl) != '/')) {
                continue;
            }
            if (exact && cn.nameiop() != ComponentName.LOOKUP) {
                continue;
            }
            cn.consume = kl - cn.length();
            return vfs.vnodeCache().get(root.mount(), r.top);
        }
        return null;
    }

    private static boolean regionEquals(CharSequence s, String k) {
        for (int i = 0; i < k.length(); i++) {
            if (s.charAt(i) != k.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public List<Dirent> extraEntries() {
        List<Dirent> l = new ArrayList<>();
        for (Registration r : regs) {
            if (r.key.indexOf('/') < 0) {
                l.add(Dirent.of(r.top.fileid, r.top.type.dtype(), r.key));
            }
        }
        return l;
    }

    /** The vnode of an etfs node, for the root mount's cache. */
    Vnode loadVnode(Mount mp, EtfsNode n) throws ErrnoException {
        Registration r = n.reg;
        if (n.parent == null && (n.type == VType.VBLK || n.type == VType.VCHR)) {
            long rdev = DevSw.makedev(DevSw.RUMPBLK_MAJOR, r.minor);
            return new Vnode(mp, n, n.type, new SpecOps(vfs.kernel(), vfs.devsw(), ops, rdev),
                    new EtfsFile(n, null, r.writable, true, rdev));
        }
        if (n.type == VType.VREG) {
            if (n.parent == null) {
                return new Vnode(mp, n, n.type, ops, new EtfsFile(n, r.file, r.writable, true, 0));
            }
            checkDir(n.parent);
            HyperFile f;
            boolean writable = true;
            try {
                f = hf.open(n.hostPath, HyperFiles.O_RDWR | HyperFiles.O_NOFOLLOW);
            } catch (HyperError e) {
                if (e.errno() == Errno.ELOOP || e.errno() == Errno.ENOENT) {
                    throw new ErrnoException(e.errno(), e.getMessage());
                }
                try {
                    f = hf.open(n.hostPath, HyperFiles.O_RDONLY | HyperFiles.O_NOFOLLOW);
                    writable = false;
                } catch (HyperError e2) {
                    throw new ErrnoException(e2.errno(), e2.getMessage());
                }
            }
            return new Vnode(mp, n, n.type, ops, new EtfsFile(n, f, writable, false, 0));
        }
        return new Vnode(mp, n, n.type, ops, new EtfsFile(n, null, false, true, 0));
    }

    /** ENOENT unless {@code dir}'s host path still resolves to itself (no link was swapped in). */
    void checkDir(EtfsNode dir) throws ErrnoException {
        try {
            if (!hf.realPath(dir.hostPath).equals(dir.hostPath)) {
                throw new ErrnoException(Errno.ENOENT, dir.hostPath + " no longer is the directory registered");
            }
        } catch (HyperError e) {
            throw new ErrnoException(e.errno(), e.getMessage());
        }
    }

    static String childPath(EtfsNode dir, String name) {
        return dir.hostPath.endsWith("/") ? dir.hostPath + name : dir.hostPath + "/" + name;
    }

    /**
     * The entry {@code name} of directory {@code dir} as etfs shows it, or null: a regular file, a
     * symbolic link, and in a {@link EtfsType#DIRSUB} registration a directory; anything else (devices,
     * fifos, and subdirectories of a {@link EtfsType#DIR} one) is not shown. EINVAL for a name that is
     * not a single component.
     */
    EtfsNode child(EtfsNode dir, String name) throws ErrnoException {
        if (!Names.validComponent(name, 0, name.length()) || name.equals(".") || name.equals("..")) {
            throw new ErrnoException(Errno.EINVAL, "not a name in a directory");
        }
        checkDir(dir);
        FileInfo fi;
        try {
            fi = hf.getFileInfoNoFollow(childPath(dir, name));
        } catch (HyperError e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) {
                dir.children.remove(name);
                return null;
            }
            throw new ErrnoException(e.errno(), e.getMessage());
        }
        VType t = fi.symlink() ? VType.VLNK : switch (fi.type()) {
            case REG -> VType.VREG;
            case DIR -> dir.reg.type == EtfsType.DIRSUB ? VType.VDIR : null;
            default -> null;
        };
        if (t == null) {
            return null;
        }
        EtfsNode old = dir.children.get(name);
        if (old != null && old.type == t) {
            return old;
        }
        EtfsNode n = new EtfsNode(this, dir.reg, dir, name, childPath(dir, name), t,
                RumpfsVfsOps.state(rootMount).nextFileId());
        EtfsNode raced = old == null ? dir.children.putIfAbsent(name, n) : dir.children.replace(name, old, n) ? null : dir.children.get(name);
        return raced != null && raced.type == t ? raced : n;
    }

    /** The entries of {@code dir} that etfs shows, in the host's sorted order. */
    List<EtfsNode> list(EtfsNode dir) throws ErrnoException {
        checkDir(dir);
        List<String> names;
        try {
            names = hf.list(dir.hostPath);
        } catch (HyperError e) {
            throw new ErrnoException(e.errno(), e.getMessage());
        }
        List<EtfsNode> out = new ArrayList<>(names.size());
        for (String nm : names) {
            if (!Names.validComponent(nm, 0, nm.length()) || nm.equals(".") || nm.equals("..")) {
                continue;
            }
            EtfsNode c = child(dir, nm);
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }
}
