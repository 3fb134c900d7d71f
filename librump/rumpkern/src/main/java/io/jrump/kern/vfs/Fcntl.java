package io.jrump.kern.vfs;

/**
 * Open flags, {@code *at} flags, lock commands and seek origins with NetBSD's values
 * ({@code sys/fcntl.h}, {@code sys/unistd.h}), since remote clients put these numbers on the wire.
 */
public final class Fcntl {
    public static final int O_RDONLY = 0x0;
    public static final int O_WRONLY = 0x1;
    public static final int O_RDWR = 0x2;
    public static final int O_ACCMODE = 0x3;
    public static final int O_NONBLOCK = 0x4;
    public static final int O_APPEND = 0x8;
    public static final int O_SHLOCK = 0x10;
    public static final int O_EXLOCK = 0x20;
    public static final int O_ASYNC = 0x40;
    public static final int O_SYNC = 0x80;
    public static final int O_NOFOLLOW = 0x100;
    public static final int O_CREAT = 0x200;
    public static final int O_TRUNC = 0x400;
    public static final int O_EXCL = 0x800;
    public static final int O_NOCTTY = 0x8000;
    public static final int O_DSYNC = 0x10000;
    public static final int O_RSYNC = 0x20000;
    public static final int O_DIRECT = 0x80000;
    public static final int O_DIRECTORY = 0x200000;
    public static final int O_CLOEXEC = 0x400000;
    public static final int O_SEARCH = 0x800000;
    public static final int O_NOSIGPIPE = 0x1000000;
    public static final int O_REGULAR = 0x2000000;

    /** Kernel file flags ({@code FFLAGS(oflags)} is {@code oflags + 1}): opened for reading, writing. */
    public static final int FREAD = 0x1;
    public static final int FWRITE = 0x2;

    /** The {@code *at} calls: the current directory as the start. */
    public static final int AT_FDCWD = -100;
    public static final int AT_EACCESS = 0x100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x200;
    public static final int AT_SYMLINK_FOLLOW = 0x400;
    public static final int AT_REMOVEDIR = 0x800;

    /** {@code fcntl} advisory-lock commands and lock types. */
    public static final int F_GETLK = 7;
    public static final int F_SETLK = 8;
    public static final int F_SETLKW = 9;
    public static final int F_RDLCK = 1;
    public static final int F_UNLCK = 2;
    public static final int F_WRLCK = 3;

    public static final int SEEK_SET = 0;
    public static final int SEEK_CUR = 1;
    public static final int SEEK_END = 2;
    public static final int SEEK_DATA = 3;
    public static final int SEEK_HOLE = 4;

    /** {@code access(2)} modes. */
    public static final int F_OK = 0;
    public static final int X_OK = 0x01;
    public static final int W_OK = 0x02;
    public static final int R_OK = 0x04;

    private Fcntl() {
    }
}
