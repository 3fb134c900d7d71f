package io.jrump.vfs;

import io.jrump.kern.vfs.StatVfs;


import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.sync.KMutex;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The mounted file systems ({@code vfs_mount.c}): mounting on a directory, unmounting (EBUSY while any
 * of the mount's files is in use or something is mounted below it, unless forced), and the per-mount
 * {@code statvfs} figures. Mounts and unmounts are serialised by one lock.
 *
 * <p>Release order at unmount: the mount's busy lock is taken exclusively, so namei cannot enter; the
 * use counts are checked (the root's own reference from the mount aside); in-use vnodes are killed if
 * forced; the mount drops its root reference and every cached vnode is reclaimed; the file system
 * frees its state; last the covered vnode is uncovered and its reference dropped.
 */
public final class MountTable {
    private final Vfs vfs;
    private final KMutex lock;
    private final List<Mount> mounts = new CopyOnWriteArrayList<>();
    private final AtomicInteger nextIndex = new AtomicInteger(1);
    private volatile Mount root;

    MountTable(Vfs vfs) {
        this.vfs = vfs;
        this.lock = vfs.kernel().newMutex();
    }

    /** The root file system. */
    public Mount rootMount() {
        return root;
    }

    /** Mounted file systems in mount order. */
    public List<Mount> list() {
        return List.copyOf(mounts);
    }

    /** Mounts {@code ops} as the root file system ({@code vfs_mountroot}). */
    Mount mountRoot(VfsOps ops, String data) throws ErrnoException {
        lock.enter();
        try {
            if (root != null) {
                throw new ErrnoException(Errno.EBUSY, "a root file system is mounted");
            }
            Mount mp = new Mount(vfs, nextIndex.getAndIncrement(), ops, MountFlags.MNT_ROOTFS | MountFlags.MNT_LOCAL,
                    "/", ops.name(), null);
            start(mp, data, Cred.ROOT);
            root = mp;
            mounts.add(mp);
            return mp;
        } finally {
            lock.exit();
        }
    }

    private static void start(Mount mp, String data, Cred cred) throws ErrnoException {
        mp.setData(mp.vfsOps().mount(mp, data, cred));
        mp.setRoot(mp.vfsOps().root(mp));
    }

    /**
     * {@code mount(2)}: mounts a new file system of {@code type} on the directory {@code path}, or with
     * {@link MountFlags#MNT_UPDATE} changes the flags of the mount whose root {@code path} is. Only root
     * may mount (EPERM); EBUSY if something is already mounted there; ENODEV for an unknown type.
     */
    public void mount(Proc p, String type, String path, int flags, String data) throws ErrnoException {
        if (!p.cred().isRoot()) {
            throw new ErrnoException(Errno.EPERM, "only root may mount");
        }
        Vnode vp = vfs.namei().lookup(p, null, path, true);
        if ((flags & MountFlags.MNT_UPDATE) != 0) {
            try {
                if (!vp.isRoot()) {
                    throw new ErrnoException(Errno.EINVAL, path + " is not a mount point");
                }
                Mount mp = vp.mount();
                int keep = mp.flags() & (MountFlags.MNT_ROOTFS | MountFlags.MNT_LOCAL);
                mp.setFlags(keep | (flags & ~(MountFlags.MNT_UPDATE | MountFlags.MNT_FORCE)));
                return;
            } finally {
                vp.rele();
            }
        }
        VfsOps ops;
        String onName;
        try {
            ops = vfs.types().get(type);
            if (vp.type() != VType.VDIR) {
                throw new ErrnoException(Errno.ENOTDIR, path);
            }
            onName = vfs.getcwd().pathOf(vp, null);
        } catch (ErrnoException e) {
            vp.rele();
            throw e;
        }
        lock.enter();
        try {
            if (vp.mountedHere() != null) {
                throw new ErrnoException(Errno.EBUSY, "something is mounted on " + path);
            }
            Mount mp = new Mount(vfs, nextIndex.getAndIncrement(), ops,
                    (flags & ~(MountFlags.MNT_UPDATE | MountFlags.MNT_FORCE | MountFlags.MNT_ROOTFS)) | MountFlags.MNT_LOCAL,
                    onName, type, vp);
            start(mp, data, p.cred());
            vp.setMountedHere(mp);
            mounts.add(mp);
            vp = null;
        } finally {
            lock.exit();
            if (vp != null) {
                vp.rele();
            }
        }
    }

    /**
     * {@code unmount(2)}: {@code path} must be the root of a mount (EINVAL otherwise); EBUSY while its
     * files are in use, unless {@link MountFlags#MNT_FORCE} takes them away.
     */
    public void unmount(Proc p, String path, int flags) throws ErrnoException {
        if (!p.cred().isRoot()) {
            throw new ErrnoException(Errno.EPERM, "only root may unmount");
        }
        Vnode vp = vfs.namei().lookup(p, null, path, true);
        Mount mp;
        try {
            if (!vp.isRoot()) {
                throw new ErrnoException(Errno.EINVAL, path + " is not a mount point");
            }
            mp = vp.mount();
        } finally {
            vp.rele();
        }
        if (mp == root) {
            throw new ErrnoException(Errno.EBUSY, "the root file system stays mounted");
        }
        unmount(mp, (flags & MountFlags.MNT_FORCE) != 0);
    }

    /** Unmounts {@code mp} ({@code dounmount}). */
    void unmount(Mount mp, boolean force) throws ErrnoException {
        lock.enter();
        try {
            if (mp.unmounted()) {
                throw new ErrnoException(Errno.EINVAL, "not mounted");
            }
            for (Mount m : mounts) {
                if (m.covered() != null && m.covered().mount() == mp) {
                    throw new ErrnoException(Errno.EBUSY, m.onName() + " is mounted below " + mp.onName());
                }
            }
            mp.busyLock().enterWrite();
            try {
                vflush(mp, force);
                mp.markUnmounted();
            } finally {
                mp.busyLock().exit();
            }
            mp.vfsOps().unmount(mp, force);
            mounts.remove(mp);
            Vnode covered = mp.covered();
            if (covered != null) {
                covered.setMountedHere(null);
                covered.rele();
            }
            if (mp == root) {
                root = null;
            }
        } finally {
            lock.exit();
        }
    }

    /** Checks that nothing uses the mount (or kills what does), then reclaims all of its vnodes. */
    private void vflush(Mount mp, boolean force) throws ErrnoException {
        Vnode rootVp = mp.rootVnode();
        List<Vnode> busy = new ArrayList<>();
        for (Vnode vp : mp.vnodeList()) {
            int allowed = vp == rootVp ? 1 : 0;
            if (vp.usecount() > allowed) {
                busy.add(vp);
            }
        }
        if (!busy.isEmpty() && !force) {
            throw new ErrnoException(Errno.EBUSY, busy.size() + " file(s) in use on " + mp.onName());
        }
        VnodeCache cache = vfs.vnodeCache();
        for (Vnode vp : busy) {
            vp.lockExclusive();
            try {
                if (vp.usecount() > (vp == rootVp ? 1 : 0)) {
                    vp.ops().reclaim(vp);
                    vp.kill();
                }
            } finally {
                vp.unlock();
            }
            if (vp.dead()) {
                cache.forget(vp);
            }
        }
        mp.setRoot(null);
        if (rootVp != null) {
            rootVp.rele();
        }
        for (Vnode vp : mp.vnodeList()) {
            if (vp.claimForReclaim()) {
                cache.reclaim(vp);
            } else if (!force) {
                throw new IllegalStateException("vnode in use during unmount: " + vp);
            }
        }
    }

    /** {@code statvfs} of the mount holding {@code vp}. */
    public StatVfs statvfs(Mount mp) throws ErrnoException {
        return mp.vfsOps().statvfs(mp);
    }

    /** {@code getvfsstat(2)}: every mount's figures, in mount order. */
    public List<StatVfs> getvfsstat() throws ErrnoException {
        List<StatVfs> out = new ArrayList<>();
        for (Mount mp : mounts) {
            if (!mp.unmounted()) {
                out.add(mp.vfsOps().statvfs(mp));
            }
        }
        return out;
    }

    /** {@code sync(2)}: every mount writes back. */
    public void sync() throws ErrnoException {
        for (Mount mp : mounts) {
            if (!mp.unmounted()) {
                mp.vfsOps().sync(mp, false);
            }
        }
    }

    /** Unmounts everything, newest first, by force (component detach at halt). */
    void unmountAll() {
        List<Mount> l = new ArrayList<>(mounts);
        java.util.Collections.reverse(l);
        for (Mount mp : l) {
            try {
                unmount(mp, true);
            } catch (ErrnoException | RuntimeException e) {
                vfs.kernel().log("unmount " + mp.onName() + " at halt: " + e.getMessage());
            }
        }
    }
}
