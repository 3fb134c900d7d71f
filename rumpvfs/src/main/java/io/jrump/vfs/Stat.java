package io.jrump.vfs;

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

    /** Builds the record from vnode attributes, as {@code vn_stat} does. */
    public static Stat of(VType type, Vattr va) {
        return new Stat(va.fsid, type.ifmt() | (va.mode & StatMode.ALLPERMS), va.fileid, va.nlink, va.uid, va.gid,
                va.rdev, sec(va.atime), nsec(va.atime), sec(va.mtime), nsec(va.mtime), sec(va.ctime), nsec(va.ctime),
                sec(va.birthtime), nsec(va.birthtime), va.size, (va.bytes + StatMode.S_BLKSIZE - 1) / StatMode.S_BLKSIZE,
                va.blocksize, va.flags, (int) va.gen);
    }

    private static long sec(long nanos) {
        return Math.floorDiv(nanos, 1_000_000_000L);
    }

    private static long nsec(long nanos) {
        return Math.floorMod(nanos, 1_000_000_000L);
    }
}
