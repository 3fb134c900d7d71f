package io.jrump.vfs;

/**
 * A vnode's attributes ({@code struct vattr}), filled by {@link VnodeOps#getattr} and read by
 * {@link VnodeOps#setattr}, where only the fields that are not "no value" are changed. Times are
 * nanoseconds since the epoch.
 */
public final class Vattr {
    /** "No value" for the int and size fields ({@code VNOVAL}). */
    public static final int VNOVAL = -1;
    /** "No value" for the time fields. */
    public static final long NOTIME = Long.MIN_VALUE;

    public VType type = VType.VNON;
    public int mode = VNOVAL;
    public int nlink = VNOVAL;
    public int uid = VNOVAL;
    public int gid = VNOVAL;
    public long fsid = VNOVAL;
    public long fileid = VNOVAL;
    public long size = VNOVAL;
    public int blocksize = VNOVAL;
    public long atime = NOTIME;
    public long mtime = NOTIME;
    public long ctime = NOTIME;
    public long birthtime = NOTIME;
    public long gen;
    public int flags = VNOVAL;
    public long rdev = VNOVAL;
    /** Bytes of storage the file holds (its pages, not its size). */
    public long bytes;
    /** {@code VA_UTIMES_NULL}: the times are "now" from {@code utimes(path, NULL)}, which write access permits. */
    public boolean utimesNull;

    /** An empty request for {@link VnodeOps#setattr}: every field "no value". */
    public static Vattr none() {
        return new Vattr();
    }
}
