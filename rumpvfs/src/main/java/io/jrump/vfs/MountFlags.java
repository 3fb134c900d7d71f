package io.jrump.vfs;

/** {@code mount(2)}/{@code unmount(2)} flags and {@code getvfsstat(2)} modes with NetBSD's values ({@code sys/fstypes.h}). */
public final class MountFlags {
    public static final int MNT_RDONLY = 0x00000001;
    public static final int MNT_SYNCHRONOUS = 0x00000002;
    public static final int MNT_NOEXEC = 0x00000004;
    public static final int MNT_NOSUID = 0x00000008;
    public static final int MNT_NODEV = 0x00000010;
    public static final int MNT_ASYNC = 0x00000040;
    public static final int MNT_LOCAL = 0x00001000;
    public static final int MNT_ROOTFS = 0x00004000;
    public static final int MNT_UPDATE = 0x00010000;
    /** {@code unmount}: in-use files lose their file system (they answer EBADF) instead of EBUSY. */
    public static final int MNT_FORCE = 0x00080000;
    public static final int MNT_NOATIME = 0x04000000;

    /** {@code getvfsstat}/{@code statvfs1} modes. */
    public static final int ST_WAIT = 1;
    public static final int ST_NOWAIT = 2;

    private MountFlags() {
    }
}
