package io.jrump.hypercall;

/**
 * {@code rumpuser_getfileinfo}: what a host path is, so that etfs knows whether it registers a
 * regular file, a block device or a directory. {@code symlink} is set only by
 * {@link HyperFiles#getFileInfoNoFollow}, for a path whose last component is a symbolic link (its type is
 * then {@link Type#OTHER} and its size the length of the link's target).
 */
public record FileInfo(long size, Type type, boolean symlink) {
    /** {@code RUMPUSER_FT_*}. */
    public enum Type { REG, DIR, BLK, CHR, OTHER }

    public FileInfo(long size, Type type) {
        this(size, type, false);
    }
}
