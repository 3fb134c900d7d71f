package io.jrump.fs.ext2fs;

import java.util.ArrayList;
import java.util.List;

/**
 * The superblock's feature flags ({@code s_feature_compat}, {@code _incompat}, {@code _ro_compat}),
 * with the names {@code mke2fs -O} and NetBSD's {@code sys/ufs/ext2fs/ext2fs.h} give them. The rule of
 * the three sets (ext2 documentation, "Superblock", and {@code ext2fs_vfsops.c}'s
 * {@code ext2fs_sbfill}): an unknown incompat feature forbids the mount, an unknown ro_compat feature
 * forbids writing, an unknown compat feature changes nothing.
 */
final class Features {
    static final int COMPAT_EXT_ATTR = 0x0008;
    static final int COMPAT_RESIZE_INODE = 0x0010;
    static final int COMPAT_DIR_INDEX = 0x0020;

    static final int INCOMPAT_FILETYPE = 0x0002;
    static final int INCOMPAT_RECOVER = 0x0004;

    static final int RO_COMPAT_SPARSE_SUPER = 0x0001;
    static final int RO_COMPAT_LARGE_FILE = 0x0002;

    /** The incompat features this driver reads and writes. */
    static final int INCOMPAT_SUPPORTED = INCOMPAT_FILETYPE;
    /** The ro_compat features this driver keeps right when it writes. */
    static final int RO_COMPAT_SUPPORTED = RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE;

    private static final String[] INCOMPAT_NAMES = {
        "compression", "filetype", "needs_recovery", "journal_dev", "meta_bg", "0x20", "extent", "64bit",
        "mmp", "flex_bg", "ea_inode", "0x800", "dirdata", "metadata_csum_seed", "large_dir", "inline_data",
        "encrypt", "casefold"};
    private static final String[] RO_COMPAT_NAMES = {
        "sparse_super", "large_file", "btree_dir", "huge_file", "uninit_bg", "dir_nlink", "extra_isize",
        "snapshot", "quota", "bigalloc", "metadata_csum", "replica", "read-only", "project", "shared_blocks",
        "verity"};

    private Features() {
    }

    /** The names of the incompat bits in {@code bits}. */
    static List<String> incompatNames(long bits) {
        return names(bits, INCOMPAT_NAMES);
    }

    static List<String> roCompatNames(long bits) {
        return names(bits, RO_COMPAT_NAMES);
    }

    private static List<String> names(long bits, String[] table) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            if ((bits & (1L << i)) != 0) {
                out.add(i < table.length ? table[i] : "0x" + Long.toHexString(1L << i));
            }
        }
        return out;
    }
}
