package io.jrump.fs.ext2fs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.kern.vfs.StatVfs;
import io.jrump.vfs.DevSw;
import io.jrump.vfs.Mount;
import io.jrump.vfs.PathConf;
import io.jrump.vfs.SpecOps;
import io.jrump.vfs.VType;
import io.jrump.vfs.VfsOps;
import io.jrump.vfs.Vfs;
import io.jrump.vfs.Vnode;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The {@code ext2fs} file system type ({@code ext2fs_vfsops.c}). {@code mount -t ext2fs} takes as its
 * data the path of the device in the kernel's namespace, then options, comma-separated:
 * {@code /dk} or {@code /dk,cache=16m}. The device is a block device (an etfs {@code BLK}
 * registration of a host image) or a regular file (an image in rumpfs). {@code MNT_RDONLY} mounts
 * read-only and writes nothing at all, not even the mount count.
 *
 * <p>Features (ext2 documentation, "Superblock"; {@code ext2fs_sbfill}): revision 0, and revision 1
 * with the incompat feature {@code filetype}; {@code sparse_super} and {@code large_file} among the
 * ro_compat ones. Any other incompat feature fails the mount with EINVAL and a console line naming it;
 * any other ro_compat feature allows a read-only mount only (EROFS otherwise, NetBSD's answer). A
 * superblock or group descriptor table that makes no sense is EINVAL with the field named.
 */
final class Ext2VfsOps implements VfsOps {
    static final String NAME = "ext2fs";
    /** The block cache of a mount unless {@code cache=} says otherwise. */
    static final long DEFAULT_CACHE = 16L << 20;

    private final Vfs vfs;
    private final Ext2VnodeOps vnops;
    private final List<Ext2Mount> mounts = new CopyOnWriteArrayList<>();

    Ext2VfsOps(Vfs vfs) {
        this.vfs = vfs;
        this.vnops = new Ext2VnodeOps(vfs);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The kernel's memory reclaimer: every mount gives back its clean cached blocks. */
    long reclaim() {
        long freed = 0;
        for (Ext2Mount em : mounts) {
            // the allocation that asked may be this mount's own, under its lock
            if (!em.lock.owned() && em.lock.tryEnter()) {
                try {
                    freed += em.cache.shrink();
                } finally {
                    em.lock.exit();
                }
            }
        }
        return freed;
    }

    @Override
    public Object mount(Mount mp, String data, Cred cred) throws ErrnoException {
        String dev = null;
        long cacheBytes = DEFAULT_CACHE;
        if (data != null) {
            for (String f : data.split(",")) {
                String o = f.trim();
                if (o.isEmpty()) {
                    continue;
                }
                int eq = o.indexOf('=');
                if (eq < 0 && dev == null) {
                    dev = o;
                } else if (o.startsWith("cache=")) {
                    try {
                        cacheBytes = KernelConfig.parseSize(o.substring(6));
                    } catch (IllegalArgumentException e) {
                        throw new ErrnoException(Errno.EINVAL, "ext2fs: bad option " + o);
                    }
                } else {
                    throw new ErrnoException(Errno.EINVAL, "ext2fs: unknown option " + o);
                }
            }
        }
        if (dev == null) {
            throw new ErrnoException(Errno.EINVAL, "ext2fs: mount needs the device's path as its data");
        }
        boolean ro = mp.readOnly();
        Vnode devvp = vfs.namei().lookup(vfs.kernel().proc0(), null, dev, true);
        boolean opened = false;
        int fflags = Fcntl.FREAD | (ro ? 0 : Fcntl.FWRITE);
        try {
            if (devvp.type() == VType.VBLK) {
                devvp.ops().open(devvp, fflags, Cred.ROOT);
                opened = true;
            }
            Disk disk = Disk.of(vfs.kernel(), devvp);
            Superblock sb = new Superblock(Ext2Mount.readSuper(disk));
            long badIncompat = sb.incompat & ~Features.INCOMPAT_SUPPORTED;
            if (badIncompat != 0) {
                vfs.kernel().log("ext2fs: " + dev + ": unsupported incompat feature(s) "
                        + String.join(", ", Features.incompatNames(badIncompat)) + ": not mounted");
                throw new ErrnoException(Errno.EINVAL, "ext2fs: unsupported incompat features "
                        + Features.incompatNames(badIncompat));
            }
            long badRo = sb.roCompat & ~Features.RO_COMPAT_SUPPORTED;
            if (badRo != 0 && !ro) {
                vfs.kernel().log("ext2fs: " + dev + ": unsupported ro_compat feature(s) "
                        + String.join(", ", Features.roCompatNames(badRo)) + ": mount read-only only");
                throw new ErrnoException(Errno.EROFS, "ext2fs: unsupported ro_compat features "
                        + Features.roCompatNames(badRo) + " allow a read-only mount only");
            }
            if ((sb.state() & Superblock.STATE_VALID) == 0) {
                vfs.kernel().log("ext2fs: " + dev + ": was not cleanly unmounted; running e2fsck is recommended");
            }
            Ext2Mount em = new Ext2Mount(vfs, mp, devvp, disk, sb, cacheBytes, !ro);
            em.lock.enter();
            try {
                Inode root = em.readInode(Inode.ROOT_INO);
                if (!root.isDir()) {
                    throw new ErrnoException(Errno.EINVAL, "ext2fs: the root inode is not a directory");
                }
                em.checkLive(root);
                if (!ro) {
                    em.markMounted();
                }
            } catch (ErrnoException | RuntimeException e) {
                em.cache.release();
                throw e;
            } finally {
                em.lock.exit();
            }
            mounts.add(em);
            return em;
        } catch (ErrnoException | RuntimeException e) {
            if (opened) {
                closeDev(devvp, fflags);
            }
            devvp.rele();
            if (e instanceof ErrnoException ee && (ee.errno() == Errno.EINVAL || ee.errno() == Errno.EIO)) {
                vfs.kernel().log("ext2fs: " + dev + " not mounted: " + e.getMessage());
            }
            throw e;
        }
    }

    private void closeDev(Vnode devvp, int fflags) {
        try {
            devvp.ops().close(devvp, fflags, Cred.ROOT);
        } catch (ErrnoException e) {
            vfs.kernel().log("ext2fs: closing the device: " + e.getMessage());
        }
    }

    static Ext2Mount state(Mount mp) {
        return (Ext2Mount) mp.data();
    }

    /** {@code VFS_ROOT}; called once, as the mount completes, so a failure here undoes the mount. */
    @Override
    public Vnode root(Mount mp) throws ErrnoException {
        try {
            return vfs.vnodeCache().get(mp, (long) Inode.ROOT_INO);
        } catch (ErrnoException | RuntimeException e) {
            if (mp.rootVnode() == null) {
                teardown(state(mp), false);
            }
            throw e;
        }
    }

    @Override
    public Vnode loadVnode(Mount mp, Object key) throws ErrnoException {
        Ext2Mount em = state(mp);
        if (!(key instanceof Long ino)) {
            throw new ErrnoException(Errno.EINVAL, "not an ext2fs key: " + key);
        }
        Inode ip;
        em.lock.enter();
        try {
            ip = em.readInode(ino);
            em.checkLive(ip);
        } finally {
            em.lock.exit();
        }
        VType t = ip.type();
        if (t == VType.VCHR || t == VType.VBLK) {
            int[] d = ip.device();
            long rdev = DevSw.makedev(d[0], d[1]);
            return new Vnode(mp, key, t, new SpecOps(vfs.kernel(), vfs.devsw(), vnops, rdev), ip);
        }
        return new Vnode(mp, key, t, vnops, ip);
    }

    @Override
    public void unmount(Mount mp, boolean force) {
        teardown(state(mp), true);
    }

    /** Writes back (if {@code flush}), frees the cache and lets go of the device. */
    private void teardown(Ext2Mount em, boolean flush) {
        mounts.remove(em);
        em.lock.enter();
        try {
            if (flush) {
                em.unmount();
            }
        } catch (ErrnoException e) {
            // the vnodes are gone already: the mount ends whatever the device says
            vfs.kernel().log("ext2fs on " + em.onName() + ": write-back at unmount failed: " + e.getMessage());
        } finally {
            em.cache.release();
            em.lock.exit();
            if (em.devvp.type() == VType.VBLK) {
                closeDev(em.devvp, Fcntl.FREAD | (em.writable ? Fcntl.FWRITE : 0));
            }
            em.devvp.rele();
        }
    }

    @Override
    public StatVfs statvfs(Mount mp) throws ErrnoException {
        Ext2Mount em = state(mp);
        Superblock sb = em.sb;
        long bavail = Math.max(0, sb.freeBlocks - sb.rBlocksCount);
        return mp.statvfs(em.bs, em.bs, BlockCache.MAX_RUN_BYTES, sb.blocksCount - sb.firstDataBlock,
                sb.freeBlocks, bavail, sb.inodesCount, sb.freeInodes, PathConf.NAME_MAX);
    }

    @Override
    public void sync(Mount mp, boolean wait) throws ErrnoException {
        Ext2Mount em = state(mp);
        em.lock.enter();
        try {
            em.sync();
        } finally {
            em.lock.exit();
        }
        if (em.writable) {
            em.disk.sync();
        }
    }
}
