package io.jrump.vfs.rumpfs;

import com.google.common.base.Splitter;
import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.KernelConfig;
import io.jrump.vfs.Mount;
import io.jrump.vfs.PathConf;
import io.jrump.vfs.SpecOps;
import io.jrump.kern.vfs.StatVfs;
import io.jrump.vfs.VType;
import io.jrump.vfs.VfsOps;
import io.jrump.vfs.Vfs;
import io.jrump.vfs.Vnode;
import io.jrump.vfs.VnodeSource;
import java.util.Map;

/**
 * The rumpfs file system type: the kernel's root file system, and a memory file system any directory
 * can have mounted on it ({@code mount -t rumpfs}). Options, comma-separated: {@code size=64m} caps the
 * mount's memory, {@code mode=0755} sets the root directory's permissions; the kernel's memory limit
 * caps every mount in any case.
 */
public final class RumpfsVfsOps implements VfsOps {
    public static final String NAME = "rumpfs";
    private static final int IOSIZE = 64 * 1024;

    private final Vfs vfs;
    private final RumpfsVnodeOps vnops;

    public RumpfsVfsOps(Vfs vfs) {
        this.vfs = vfs;
        this.vnops = new RumpfsVnodeOps(vfs);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Object mount(Mount mp, String data, Cred cred) throws ErrnoException {
        long size = Long.MAX_VALUE;
        int mode = 0755;
        if (data != null && !data.isBlank()) {
            Map<String, String> opts;
            try {
                opts = Splitter.on(',').trimResults().omitEmptyStrings().withKeyValueSeparator('=').split(data);
            } catch (IllegalArgumentException e) {
                throw new ErrnoException(Errno.EINVAL, "rumpfs options: " + data);
            }
            for (Map.Entry<String, String> o : opts.entrySet()) {
                try {
                    switch (o.getKey()) {
                        case "size" -> size = KernelConfig.parseSize(o.getValue());
                        case "mode" -> mode = Integer.parseInt(o.getValue(), 8) & 07777;
                        default -> throw new ErrnoException(Errno.EINVAL, "unknown rumpfs option " + o.getKey());
                    }
                } catch (IllegalArgumentException e) {
                    throw new ErrnoException(Errno.EINVAL, "bad rumpfs option " + o.getKey() + "=" + o.getValue());
                }
            }
            if (size <= 0) {
                throw new ErrnoException(Errno.EINVAL, "rumpfs size must be positive");
            }
        }
        return new RumpfsMount(mp, vfs.kernel().kmem(), size, mode, cred.uid(), cred.gid(), vfs.clock().now());
    }

    @Override
    public Vnode root(Mount mp) throws ErrnoException {
        return vfs.vnodeCache().get(mp, ((RumpfsMount) mp.data()).root);
    }

    @Override
    public Vnode loadVnode(Mount mp, Object key) throws ErrnoException {
        if (key instanceof RumpfsNode n) {
            if (n.type == VType.VCHR || n.type == VType.VBLK) {
                return new Vnode(mp, n, n.type, new SpecOps(vfs.kernel(), vfs.devsw(), vnops, n.rdev), n);
            }
            return new Vnode(mp, n, n.type, vnops, n);
        }
        if (key instanceof VnodeSource s) {
            return s.loadVnode(mp);
        }
        throw new ErrnoException(Errno.EINVAL, "not a rumpfs key: " + key);
    }

    @Override
    public void unmount(Mount mp, boolean force) {
        ((RumpfsMount) mp.data()).releaseAll();
    }

    /**
     * Sizes in pages: {@code blocks} is what the mount holds plus what it could still take, so
     * {@code blocks = used + bfree}; files likewise, counting what a new node costs.
     */
    @Override
    public StatVfs statvfs(Mount mp) throws ErrnoException {
        RumpfsMount m = (RumpfsMount) mp.data();
        long physmem = vfs.kernel().sysctl().lookup("hw.physmem64").longValue();
        long free = m.free(physmem);
        long bs = PageStore.PAGE_SIZE;
        long usedBlocks = (m.used() + bs - 1) / bs;
        long freeBlocks = free / bs;
        long freeFiles = free / (RumpfsMount.NODE_BYTES + RumpfsMount.ENTRY_BYTES);
        return mp.statvfs(bs, bs, IOSIZE, usedBlocks + freeBlocks, freeBlocks, freeBlocks,
                m.nodes() + freeFiles, freeFiles, PathConf.NAME_MAX);
    }

    /** The rumpfs state of a mount of this type, for etfs and tests. */
    public static RumpfsMount state(Mount mp) {
        return (RumpfsMount) mp.data();
    }
}
