package io.jrump.vfs;

import io.jrump.kern.vfs.StatVfs;


import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sync.KMutex;
import io.jrump.kern.sync.KRwLock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A mounted file system ({@code struct mount}): its type, flags and names, the vnode it covers, its
 * root vnode and the cache's map of its vnodes.
 *
 * <p>References: the mount holds one on its root vnode and one on the vnode it covers, both dropped at
 * unmount. Entering the mount from the covered vnode takes the root under the mount's busy lock
 * ({@link #rootRef}), so that an unmount, which takes that lock exclusively while it counts references,
 * sees every way in.
 */
public final class Mount {
    private final Vfs vfs;
    private final int index;
    private final VfsOps ops;
    private final String onName;
    private final String fromName;
    private final Vnode covered;
    private final KRwLock busy;
    private final KMutex renameLock;
    final ConcurrentHashMap<Object, Vnode> vnodes = new ConcurrentHashMap<>();
    private volatile int flags;
    private volatile Object data;
    private volatile Vnode root;
    private volatile boolean unmounted;

    Mount(Vfs vfs, int index, VfsOps ops, int flags, String onName, String fromName, Vnode covered) {
        this.vfs = vfs;
        this.index = index;
        this.ops = ops;
        this.flags = flags;
        this.onName = onName;
        this.fromName = fromName;
        this.covered = covered;
        this.busy = vfs.kernel().newRwLock();
        this.renameLock = vfs.kernel().newMutex();
    }

    public Vfs vfs() {
        return vfs;
    }

    public VfsOps vfsOps() {
        return ops;
    }

    public String fsType() {
        return ops.name();
    }

    /** The file system's per-mount state. */
    public Object data() {
        return data;
    }

    void setData(Object d) {
        this.data = d;
    }

    public int flags() {
        return flags;
    }

    void setFlags(int f) {
        this.flags = f;
    }

    public boolean readOnly() {
        return (flags & MountFlags.MNT_RDONLY) != 0;
    }

    /** {@code f_fsidx}: the mount's number, which is also the {@code st_dev} of its files. */
    public int index() {
        return index;
    }

    /** {@code st_dev} of the files on this mount. */
    public long fsid() {
        return index;
    }

    /** Where it is mounted ({@code f_mntonname}). */
    public String onName() {
        return onName;
    }

    /** What is mounted ({@code f_mntfromname}). */
    public String fromName() {
        return fromName;
    }

    /** The vnode this mount covers ({@code mnt_vnodecovered}); null for the root file system. */
    public Vnode covered() {
        return covered;
    }

    /** The root vnode, which the mount holds a reference on; null before mount completes and after unmount. */
    public Vnode rootVnode() {
        return root;
    }

    void setRoot(Vnode r) {
        this.root = r;
    }

    public boolean unmounted() {
        return unmounted;
    }

    void markUnmounted() {
        this.unmounted = true;
    }

    KRwLock busyLock() {
        return busy;
    }

    /** Serialises renames that move directories within this mount (NetBSD's {@code mnt_renamelock}). */
    KMutex renameLock() {
        return renameLock;
    }

    /** The root vnode with a reference, for namei entering the mount; ENOENT if it is going away. */
    Vnode rootRef() throws ErrnoException {
        busy.enterRead();
        try {
            Vnode r = root;
            if (unmounted || r == null) {
                throw new ErrnoException(Errno.ENOENT, "file system on " + onName + " is being unmounted");
            }
            r.ref();
            return r;
        } finally {
            busy.exit();
        }
    }

    /** The vnodes of this mount in the cache, referenced or not. */
    List<Vnode> vnodeList() {
        return new ArrayList<>(vnodes.values());
    }

    /**
     * A {@link StatVfs} for this mount from the file system's figures: sizes in {@code frsize} units, the
     * VFS fills in the flags, the identity and the names.
     */
    public StatVfs statvfs(long bsize, long frsize, long iosize, long blocks, long bfree, long bavail,
                           long files, long ffree, long namemax) {
        return new StatVfs(flags & ~(MountFlags.MNT_FORCE | MountFlags.MNT_UPDATE), bsize, frsize, iosize,
                blocks, bfree, bavail, 0, files, ffree, ffree, 0, 0, 0, 0, 0, index, fsid(), namemax, 0,
                ops.name(), onName, fromName);
    }

    @Override
    public String toString() {
        return fromName + " on " + onName + " type " + ops.name();
    }
}
