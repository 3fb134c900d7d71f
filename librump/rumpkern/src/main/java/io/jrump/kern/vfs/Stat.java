package io.jrump.kern.vfs;

/**
 * NetBSD's {@code struct stat}, field for field: times as seconds and nanoseconds (the
 * {@code st_*timespec} members), {@code st_blocks} in 512-byte units. What {@code stat}, {@code lstat},
 * {@code fstat} and {@code fstatat} return.
 */
public record Stat(long dev, int mode, long ino, int nlink, int uid, int gid, long rdev,
                   long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec,
                   long ctimeSec, long ctimeNsec, long birthtimeSec, long birthtimeNsec,
                   long size, long blocks, int blksize, int flags, int gen) {

    /** The file type: one of the {@code S_IF*} values of {@link StatMode}. */
    public int type() {
        return mode & StatMode.S_IFMT;
    }

    public boolean isDir() {
        return type() == StatMode.S_IFDIR;
    }

    public boolean isReg() {
        return type() == StatMode.S_IFREG;
    }

    public boolean isLink() {
        return type() == StatMode.S_IFLNK;
    }

    public long atimeNanos() {
        return atimeSec * 1_000_000_000L + atimeNsec;
    }

    public long mtimeNanos() {
        return mtimeSec * 1_000_000_000L + mtimeNsec;
    }

    public long ctimeNanos() {
        return ctimeSec * 1_000_000_000L + ctimeNsec;
    }

    public long birthtimeNanos() {
        return birthtimeSec * 1_000_000_000L + birthtimeNsec;
    }

    /** Whole seconds of a nanosecond time, rounded down (pre-1970 times included). */
    public static long sec(long nanos) {
        return Math.floorDiv(nanos, 1_000_000_000L);
    }

    /** The nanoseconds past {@link #sec}. */
    public static long nsec(long nanos) {
        return Math.floorMod(nanos, 1_000_000_000L);
    }
}
