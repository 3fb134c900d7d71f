package io.jrump.hypercall;

/**
 * {@code rumpuser_getfileinfo}: what a host path is, so that etfs knows whether it registers a
 * regular file, a block device or a directory.
 */
public record FileInfo(long size, Type type) {
    /** {@code RUMPUSER_FT_*}. */
    public enum Type { REG, DIR, BLK, CHR, OTHER }
}
