package io.jrump.vfs.etfs;

/**
 * What a host path becomes in the kernel ({@code enum rump_etfs_type}, NetBSD's numbering): a regular
 * file, a block device or a character device on a host file, a host directory with its immediate
 * children, or a host directory with its whole subtree.
 */
public enum EtfsType {
    REG, BLK, CHR, DIR, DIRSUB;

    public boolean isDir() {
        return this == DIR || this == DIRSUB;
    }

    /** The spelling of {@code rump_server -d ...,type=}: {@code reg}, {@code blk}, {@code chr}, {@code dir}, {@code dirsub}. */
    public static EtfsType parse(String s) {
        return switch (s) {
            case "reg" -> REG;
            case "blk" -> BLK;
            case "chr" -> CHR;
            case "dir" -> DIR;
            case "dirsub" -> DIRSUB;
            default -> throw new IllegalArgumentException("unknown etfs type '" + s + "' (reg, blk, chr, dir or dirsub)");
        };
    }
}
