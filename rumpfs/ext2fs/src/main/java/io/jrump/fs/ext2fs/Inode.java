package io.jrump.fs.ext2fs;

import io.jrump.kern.vfs.StatMode;
import io.jrump.vfs.VType;

/**
 * An inode in memory: the fields of the on-disk inode this driver uses (ext2 documentation, "Inode
 * Table"; NetBSD's {@code struct ext2fs_dinode} in {@code sys/ufs/ext2fs/ext2fs_dinode.h}) and the
 * in-memory state of the file. {@link #encode} writes back only these fields, so whatever else the
 * on-disk inode holds (extended attribute pointers aside, which are kept) is left alone.
 *
 * <p>Times: seconds in the 128-byte inode; with a large inode whose {@code i_extra_isize} covers them,
 * nanoseconds and two more epoch bits in the {@code *_extra} fields, and the creation time, as Linux
 * and e2fsprogs write them.
 */
final class Inode {
    static final int ROOT_INO = 2;
    /** i_block: 12 direct, single, double and triple indirect. */
    static final int N_BLOCKS = 15;
    static final int NDIR = 12;
    static final int IND = 12;
    static final int DIND = 13;
    static final int TIND = 14;
    /** Fast symlinks keep their target in {@code i_block}: up to this many bytes. */
    static final int FAST_SYMLINK_MAX = 59;
    /** {@code EXT2_INDEX_FL}: the directory has a hash tree, which a linear change invalidates. */
    static final int INDEX_FL = 0x1000;
    /** Extra bytes a new large inode declares, as {@code ext2fs_write_new_inode} does. */
    static final int NEW_EXTRA_ISIZE = 32;

    private static final int I_MODE = 0;
    private static final int I_UID = 2;
    private static final int I_SIZE = 4;
    private static final int I_ATIME = 8;
    private static final int I_CTIME = 12;
    private static final int I_MTIME = 16;
    private static final int I_DTIME = 20;
    private static final int I_GID = 24;
    private static final int I_LINKS = 26;
    private static final int I_BLOCKS = 28;
    private static final int I_FLAGS = 32;
    private static final int I_BLOCK = 40;
    private static final int I_GENERATION = 100;
    private static final int I_FILE_ACL = 104;
    private static final int I_SIZE_HIGH = 108;
    private static final int I_UID_HIGH = 120;
    private static final int I_GID_HIGH = 122;
    private static final int I_EXTRA_ISIZE = 128;
    private static final int I_CTIME_EXTRA = 132;
    private static final int I_MTIME_EXTRA = 136;
    private static final int I_ATIME_EXTRA = 140;
    private static final int I_CRTIME = 144;
    private static final int I_CRTIME_EXTRA = 148;

    final long ino;
    int mode;
    int uid;
    int gid;
    long size;
    long atime;
    long mtime;
    long ctime;
    long crtime;
    long dtime;
    int links;
    /** {@code i_blocks}: 512-byte units held, data and indirect blocks. */
    long blocks;
    int flags;
    final int[] block = new int[N_BLOCKS];
    long generation;
    long fileAcl;
    int extraIsize;
    /** Where the next block of this file should go: after the last one allocated. */
    long allocGoal;
    /** The inode was freed (its vnode was reclaimed after its last name went). */
    boolean freed;

    Inode(long ino) {
        this.ino = ino;
    }

    VType type() {
        return VType.fromMode(mode);
    }

    boolean isDir() {
        return (mode & StatMode.S_IFMT) == StatMode.S_IFDIR;
    }

    boolean isReg() {
        return (mode & StatMode.S_IFMT) == StatMode.S_IFREG;
    }

    boolean isLnk() {
        return (mode & StatMode.S_IFMT) == StatMode.S_IFLNK;
    }

    /** Whether a symbolic link keeps its target in the inode: no data block beside an attribute block. */
    boolean fastSymlink(int blockSize) {
        long eaSectors = fileAcl != 0 ? blockSize / 512 : 0;
        return isLnk() && blocks - eaSectors == 0;
    }

    void decode(byte[] b, int o, int inodeSize) {
        mode = Le.u16(b, o + I_MODE);
        uid = Le.u16(b, o + I_UID) | (Le.u16(b, o + I_UID_HIGH) << 16);
        gid = Le.u16(b, o + I_GID) | (Le.u16(b, o + I_GID_HIGH) << 16);
        size = Le.u32(b, o + I_SIZE);
        if (isReg()) {
            size |= Le.u32(b, o + I_SIZE_HIGH) << 32;
        }
        dtime = Le.u32(b, o + I_DTIME);
        links = Le.u16(b, o + I_LINKS);
        blocks = Le.u32(b, o + I_BLOCKS);
        flags = Le.i32(b, o + I_FLAGS);
        for (int i = 0; i < N_BLOCKS; i++) {
            block[i] = Le.i32(b, o + I_BLOCK + 4 * i);
        }
        generation = Le.u32(b, o + I_GENERATION);
        fileAcl = Le.u32(b, o + I_FILE_ACL);
        extraIsize = inodeSize > Superblock.GOOD_OLD_INODE_SIZE ? Le.u16(b, o + I_EXTRA_ISIZE) : 0;
        if (extraIsize > inodeSize - Superblock.GOOD_OLD_INODE_SIZE || (extraIsize & 3) != 0) {
            extraIsize = 0;
        }
        atime = time(b, o, I_ATIME, I_ATIME_EXTRA);
        mtime = time(b, o, I_MTIME, I_MTIME_EXTRA);
        ctime = time(b, o, I_CTIME, I_CTIME_EXTRA);
        crtime = hasExtra(I_CRTIME_EXTRA) ? time(b, o, I_CRTIME, I_CRTIME_EXTRA) : ctime;
    }

    void encode(byte[] b, int o) {
        Le.put16(b, o + I_MODE, mode);
        Le.put16(b, o + I_UID, uid & 0xffff);
        Le.put16(b, o + I_UID_HIGH, uid >>> 16);
        Le.put16(b, o + I_GID, gid & 0xffff);
        Le.put16(b, o + I_GID_HIGH, gid >>> 16);
        Le.put32(b, o + I_SIZE, size);
        if (isReg()) {
            Le.put32(b, o + I_SIZE_HIGH, size >>> 32);
        }
        Le.put32(b, o + I_DTIME, dtime);
        Le.put16(b, o + I_LINKS, links);
        Le.put32(b, o + I_BLOCKS, blocks);
        Le.put32(b, o + I_FLAGS, flags);
        for (int i = 0; i < N_BLOCKS; i++) {
            Le.put32(b, o + I_BLOCK + 4 * i, block[i]);
        }
        Le.put32(b, o + I_GENERATION, generation);
        Le.put32(b, o + I_FILE_ACL, fileAcl);
        putTime(b, o, I_ATIME, I_ATIME_EXTRA, atime);
        putTime(b, o, I_MTIME, I_MTIME_EXTRA, mtime);
        putTime(b, o, I_CTIME, I_CTIME_EXTRA, ctime);
        if (hasExtra(I_CRTIME_EXTRA)) {
            putTime(b, o, I_CRTIME, I_CRTIME_EXTRA, crtime);
        }
    }

    /** Whether {@code i_extra_isize} reaches past the 4-byte field at {@code field}. */
    private boolean hasExtra(int field) {
        return extraIsize > 0 && Superblock.GOOD_OLD_INODE_SIZE + extraIsize >= field + 4;
    }

    private long time(byte[] b, int o, int secOff, int extraOff) {
        long sec = Le.i32(b, o + secOff);
        long nsec = 0;
        if (hasExtra(extraOff)) {
            long extra = Le.u32(b, o + extraOff);
            sec += (extra & 3) << 32;
            nsec = Math.min(999_999_999L, extra >>> 2);
        }
        return sec * 1_000_000_000L + nsec;
    }

    private void putTime(byte[] b, int o, int secOff, int extraOff, long t) {
        long sec = Math.floorDiv(t, 1_000_000_000L);
        long nsec = Math.floorMod(t, 1_000_000_000L);
        Le.put32(b, o + secOff, sec);
        if (hasExtra(extraOff)) {
            long epoch = ((sec - (int) sec) >> 32) & 3;
            Le.put32(b, o + extraOff, epoch | (nsec << 2));
        }
    }

    /** A device number from {@code i_block}: Linux's old 16-bit form in the first slot, or the new one in the second. */
    int[] device() {
        if (block[0] != 0) {
            return new int[] {(block[0] >>> 8) & 0xff, block[0] & 0xff};
        }
        int d = block[1];
        return new int[] {(d & 0xfff00) >>> 8, (d & 0xff) | ((d >>> 12) & 0xfff00)};
    }

    void setDevice(int major, int minor) {
        if (major < 256 && minor < 256) {
            block[0] = (major << 8) | minor;
            block[1] = 0;
        } else {
            block[0] = 0;
            block[1] = (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12);
        }
    }
}
