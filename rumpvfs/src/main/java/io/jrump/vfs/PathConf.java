package io.jrump.vfs;

/**
 * Limits of names and paths ({@code sys/syslimits.h}, {@code sys/param.h}) and the {@code pathconf(2)}
 * names with NetBSD's values ({@code sys/unistd.h}).
 */
public final class PathConf {
    /** Bytes in one path component. */
    public static final int NAME_MAX = 255;
    /** Bytes in a path, its terminating NUL included: a path of 1024 or more bytes is ENAMETOOLONG. */
    public static final int PATH_MAX = 1024;
    /** Symbolic links one lookup follows before it gives up with ELOOP. */
    public static final int MAXSYMLINKS = 32;
    public static final int LINK_MAX = 32767;

    public static final int _PC_LINK_MAX = 1;
    public static final int _PC_MAX_CANON = 2;
    public static final int _PC_MAX_INPUT = 3;
    public static final int _PC_NAME_MAX = 4;
    public static final int _PC_PATH_MAX = 5;
    public static final int _PC_PIPE_BUF = 6;
    public static final int _PC_CHOWN_RESTRICTED = 7;
    public static final int _PC_NO_TRUNC = 8;
    public static final int _PC_VDISABLE = 9;
    public static final int _PC_SYNC_IO = 10;
    public static final int _PC_FILESIZEBITS = 11;
    public static final int _PC_SYMLINK_MAX = 12;
    public static final int _PC_2_SYMLINKS = 13;

    private PathConf() {
    }
}
