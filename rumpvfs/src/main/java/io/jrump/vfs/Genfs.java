package io.jrump.vfs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;

/** What several file systems answer alike ({@code genfs}): the usual pathconf values and SEEK_DATA/SEEK_HOLE without holes. */
public final class Genfs {
    private Genfs() {
    }

    /** {@code pathconf} values of a POSIX file system with NetBSD's limits. */
    public static long pathconf(int name) throws ErrnoException {
        return switch (name) {
            case PathConf._PC_LINK_MAX -> PathConf.LINK_MAX;
            case PathConf._PC_NAME_MAX -> PathConf.NAME_MAX;
            case PathConf._PC_PATH_MAX -> PathConf.PATH_MAX;
            case PathConf._PC_PIPE_BUF -> 512;
            case PathConf._PC_CHOWN_RESTRICTED, PathConf._PC_NO_TRUNC, PathConf._PC_SYNC_IO,
                 PathConf._PC_2_SYMLINKS -> 1;
            case PathConf._PC_FILESIZEBITS -> 64;
            case PathConf._PC_SYMLINK_MAX -> PathConf.PATH_MAX - 1;
            case PathConf._PC_MAX_CANON, PathConf._PC_MAX_INPUT -> 255;
            case PathConf._PC_VDISABLE -> 0xff;
            default -> throw new ErrnoException(Errno.EINVAL, "pathconf name " + name);
        };
    }

    /** SEEK_DATA/SEEK_HOLE on a file of {@code size} bytes that has no holes. */
    public static long seekData(long size, long offset, boolean hole) throws ErrnoException {
        if (offset < 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
        if (offset >= size) {
            throw new ErrnoException(Errno.ENXIO);
        }
        return hole ? size : offset;
    }
}
