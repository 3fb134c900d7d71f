package io.jrump.p2k;

import io.jrump.kern.vfs.Fcntl;

/**
 * Linux's {@code open(2)} flags, as FUSE's OPEN and CREATE carry them, turned into the kernel's
 * (NetBSD's {@link Fcntl}). Only the flags that change what the file system does are kept:
 * {@code O_APPEND} is dropped because Linux has already placed each write (FUSE writes carry their
 * offset), {@code O_CREAT} and {@code O_EXCL} come only with CREATE.
 */
final class LinuxOpenFlags {
    private LinuxOpenFlags() {
    }

    static final int O_ACCMODE = 3;
    static final int O_CREAT = 0x40;
    static final int O_EXCL = 0x80;
    static final int O_TRUNC = 0x200;
    static final int O_DSYNC = 0x1000;
    static final int O_DIRECTORY = 0x10000;
    static final int O_SYNC = 0x101000;

    /** The kernel's flags for Linux's {@code flags}. */
    static int toKernel(int flags) {
        int r = flags & O_ACCMODE;
        if (r == O_ACCMODE) {
            r = Fcntl.O_RDWR;
        }
        if ((flags & O_CREAT) != 0) {
            r |= Fcntl.O_CREAT;
        }
        if ((flags & O_EXCL) != 0) {
            r |= Fcntl.O_EXCL;
        }
        if ((flags & O_TRUNC) != 0) {
            r |= Fcntl.O_TRUNC;
        }
        if ((flags & O_SYNC) == O_SYNC) {
            r |= Fcntl.O_SYNC;
        } else if ((flags & O_DSYNC) != 0) {
            r |= Fcntl.O_DSYNC;
        }
        if ((flags & O_DIRECTORY) != 0) {
            r |= Fcntl.O_DIRECTORY;
        }
        return r;
    }
}
