package io.jrump.kern.vfs;

/**
 * File type and permission bits of {@code st_mode} and the {@code d_type} of a directory entry, with
 * NetBSD's values ({@code sys/stat.h}, {@code sys/dirent.h}).
 */
public final class StatMode {
    public static final int S_IFMT = 0170000;
    public static final int S_IFIFO = 0010000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_ISUID = 04000;
    public static final int S_ISGID = 02000;
    /** The sticky bit: in a directory only an entry's owner (or the directory's) may remove or rename it. */
    public static final int S_ISVTX = 01000;
    public static final int ACCESSPERMS = 0777;
    public static final int ALLPERMS = 07777;
    /** {@code st_blocks} counts units of this many bytes. */
    public static final int S_BLKSIZE = 512;

    public static final int DT_UNKNOWN = 0;
    public static final int DT_FIFO = 1;
    public static final int DT_CHR = 2;
    public static final int DT_DIR = 4;
    public static final int DT_BLK = 6;
    public static final int DT_REG = 8;
    public static final int DT_LNK = 10;
    public static final int DT_SOCK = 12;

    private StatMode() {
    }
}
