package io.jrump.fs.ext2fs;

import io.jrump.kern.BootException;
import io.jrump.kern.Component;
import io.jrump.kern.ComponentLevel;
import io.jrump.kern.Kernel;
import io.jrump.vfs.Vfs;
import java.util.Set;

/**
 * {@code rumpfs_ext2fs}: the ext2 file system (NetBSD's {@code librumpfs_ext2fs}), registered with the
 * VFS as type {@value Ext2VfsOps#NAME} when it attaches, so that {@code mount -t ext2fs} finds it. Its
 * block caches are one of the kernel's memory reclaimers.
 */
public final class Ext2fsComponent implements Component {
    public static final String NAME = "rumpfs_ext2fs";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ComponentLevel level() {
        return ComponentLevel.VFS;
    }

    @Override
    public Set<String> requires() {
        return Set.of("rumpvfs");
    }

    @Override
    public String description() {
        return "ext2 file system (revision 0 and 1) on a block device or image file";
    }

    @Override
    public void attach(Kernel k) throws BootException {
        Vfs vfs = k.service(Vfs.class);
        if (vfs == null) {
            throw new BootException("rumpfs_ext2fs needs rumpvfs");
        }
        Ext2VfsOps ops = new Ext2VfsOps(vfs);
        vfs.types().register(ops);
        k.kmem().addReclaimer(ops::reclaim);
    }

    @Override
    public void detach(Kernel k) {
        Vfs vfs = k.service(Vfs.class);
        if (vfs != null) {
            vfs.types().unregister(Ext2VfsOps.NAME);
        }
    }
}
