package io.jrump.fs.ext2fs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sched.Lwp;
import io.jrump.vfs.MountFlags;
import io.jrump.vfs.Vfs;
import io.jrump.vfs.etfs.Etfs;
import io.jrump.vfs.etfs.EtfsType;

/**
 * How a program mounts an ext2 image with this component: register the host image with etfs as a
 * block device (rumpblk), make the mount point, {@code mount -t ext2fs} with the device's path as the
 * data, as {@code rump_ext2fs} and {@code mount_ext2fs} do.
 *
 * <pre>{@code
 * Kernel k = Kernel.boot("rumpvfs", "rumpfs_ext2fs");
 * Lwp l = k.proc1().newLwp("main");
 * Ext2fs.mountImage(k.service(Vfs.class), l, "/dk", "disk.img", "/mnt", false);
 * }</pre>
 */
public final class Ext2fs {
    /** The file system type name, NetBSD's. */
    public static final String TYPE = Ext2VfsOps.NAME;

    private Ext2fs() {
    }

    /**
     * Registers {@code hostImage} as block device {@code key} (unless that key is already there),
     * makes {@code mountPoint} if it is missing and mounts the image on it; read-only with
     * {@code readOnly}, which then writes nothing to the image.
     */
    public static void mountImage(Vfs vfs, Lwp l, String key, String hostImage, String mountPoint, boolean readOnly)
            throws ErrnoException {
        Etfs etfs = vfs.kernel().service(Etfs.class);
        try {
            etfs.register(key, hostImage, EtfsType.BLK);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
        try {
            vfs.mkdir(l, mountPoint, 0755);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
        vfs.mount(l, TYPE, mountPoint, readOnly ? MountFlags.MNT_RDONLY : 0, key);
    }
}
