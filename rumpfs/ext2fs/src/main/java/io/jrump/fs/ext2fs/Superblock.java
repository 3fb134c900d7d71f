package io.jrump.fs.ext2fs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;

/**
 * The superblock: 1024 bytes at byte 1024 of the device, whatever the block size. Layout from the
 * ext2 documentation ("The Second Extended File System", section "Superblock") and NetBSD's
 * {@code struct ext2fs} in {@code sys/ufs/ext2fs/ext2fs.h}. The raw bytes are kept, so a write-back
 * changes only the fields this driver maintains (free counts, state, times, mount count, features) and
 * every field it does not know stays as {@code mke2fs} left it.
 */
final class Superblock {
    static final int OFFSET = 1024;
    static final int SIZE = 1024;
    static final int MAGIC = 0xef53;
    static final int STATE_VALID = 1;
    static final int GOOD_OLD_REV = 0;
    static final int GOOD_OLD_INODE_SIZE = 128;
    static final int GOOD_OLD_FIRST_INO = 11;

    private static final int S_INODES_COUNT = 0;
    private static final int S_BLOCKS_COUNT = 4;
    private static final int S_R_BLOCKS_COUNT = 8;
    private static final int S_FREE_BLOCKS_COUNT = 12;
    private static final int S_FREE_INODES_COUNT = 16;
    private static final int S_FIRST_DATA_BLOCK = 20;
    private static final int S_LOG_BLOCK_SIZE = 24;
    private static final int S_BLOCKS_PER_GROUP = 32;
    private static final int S_INODES_PER_GROUP = 40;
    private static final int S_MTIME = 44;
    private static final int S_WTIME = 48;
    private static final int S_MNT_COUNT = 52;
    private static final int S_MAGIC = 56;
    private static final int S_STATE = 58;
    private static final int S_REV_LEVEL = 76;
    private static final int S_FIRST_INO = 84;
    private static final int S_INODE_SIZE = 88;
    private static final int S_FEATURE_COMPAT = 92;
    private static final int S_FEATURE_INCOMPAT = 96;
    private static final int S_FEATURE_RO_COMPAT = 100;
    private static final int S_RESERVED_GDT_BLOCKS = 206;

    final byte[] raw;
    final long inodesCount;
    final long blocksCount;
    final long rBlocksCount;
    final long firstDataBlock;
    final int blockSize;
    final int logBlockSize;
    final long blocksPerGroup;
    final long inodesPerGroup;
    final int revLevel;
    final long firstIno;
    final int inodeSize;
    final long compat;
    final long incompat;
    long roCompat;
    final int groups;
    final int reservedGdtBlocks;
    long freeBlocks;
    long freeInodes;

    /** Parses and checks {@code raw}; EINVAL naming the first field that makes no sense. */
    Superblock(byte[] raw) throws ErrnoException {
        this.raw = raw;
        if (Le.u16(raw, S_MAGIC) != MAGIC) {
            throw bad("bad magic 0x" + Integer.toHexString(Le.u16(raw, S_MAGIC)));
        }
        inodesCount = Le.u32(raw, S_INODES_COUNT);
        blocksCount = Le.u32(raw, S_BLOCKS_COUNT);
        rBlocksCount = Le.u32(raw, S_R_BLOCKS_COUNT);
        freeBlocks = Le.u32(raw, S_FREE_BLOCKS_COUNT);
        freeInodes = Le.u32(raw, S_FREE_INODES_COUNT);
        firstDataBlock = Le.u32(raw, S_FIRST_DATA_BLOCK);
        long lbs = Le.u32(raw, S_LOG_BLOCK_SIZE);
        if (lbs > 6) {
            throw bad("block size 1024 << " + lbs);
        }
        logBlockSize = (int) lbs + 10;
        blockSize = 1 << logBlockSize;
        blocksPerGroup = Le.u32(raw, S_BLOCKS_PER_GROUP);
        inodesPerGroup = Le.u32(raw, S_INODES_PER_GROUP);
        revLevel = (int) Le.u32(raw, S_REV_LEVEL);
        if (revLevel > 1) {
            throw bad("revision " + revLevel);
        }
        if (revLevel == GOOD_OLD_REV) {
            firstIno = GOOD_OLD_FIRST_INO;
            inodeSize = GOOD_OLD_INODE_SIZE;
            compat = 0;
            incompat = 0;
            roCompat = 0;
            reservedGdtBlocks = 0;
        } else {
            firstIno = Le.u32(raw, S_FIRST_INO);
            inodeSize = Le.u16(raw, S_INODE_SIZE);
            compat = Le.u32(raw, S_FEATURE_COMPAT);
            incompat = Le.u32(raw, S_FEATURE_INCOMPAT);
            roCompat = Le.u32(raw, S_FEATURE_RO_COMPAT);
            reservedGdtBlocks = (compat & Features.COMPAT_RESIZE_INODE) != 0 ? Le.u16(raw, S_RESERVED_GDT_BLOCKS) : 0;
        }
        if (firstDataBlock != (blockSize == 1024 ? 1 : 0)) {
            throw bad("first data block " + firstDataBlock + " with " + blockSize + "-byte blocks");
        }
        if (blocksPerGroup == 0 || blocksPerGroup > 8L * blockSize || blocksPerGroup % 8 != 0) {
            throw bad("blocks per group " + blocksPerGroup);
        }
        if (inodesPerGroup == 0 || inodesPerGroup > 8L * blockSize || inodesPerGroup % 8 != 0) {
            throw bad("inodes per group " + inodesPerGroup);
        }
        if (blocksCount <= firstDataBlock + 1) {
            throw bad("blocks count " + blocksCount);
        }
        long g = (blocksCount - firstDataBlock + blocksPerGroup - 1) / blocksPerGroup;
        groups = (int) g;
        if (inodesCount == 0 || inodesCount > g * inodesPerGroup) {
            throw bad("inodes count " + inodesCount + " for " + g + " groups of " + inodesPerGroup);
        }
        if (inodeSize < GOOD_OLD_INODE_SIZE || inodeSize > blockSize || Integer.bitCount(inodeSize) != 1) {
            throw bad("inode size " + inodeSize);
        }
        if (firstIno < 3 || firstIno >= inodesCount) {
            throw bad("first inode " + firstIno);
        }
        if (rBlocksCount > blocksCount) {
            throw bad("reserved blocks " + rBlocksCount);
        }
        if (reservedGdtBlocks > blockSize / 4) {
            throw bad("reserved GDT blocks " + reservedGdtBlocks);
        }
    }

    private static ErrnoException bad(String what) {
        return new ErrnoException(Errno.EINVAL, "ext2fs: bad superblock: " + what);
    }

    boolean has(int incompatBit) {
        return (incompat & incompatBit) != 0;
    }

    boolean sparse() {
        return (roCompat & Features.RO_COMPAT_SPARSE_SUPER) != 0;
    }

    /**
     * Whether group {@code g} holds a copy of the superblock and group descriptors: every group
     * without {@code sparse_super}, else 0, 1 and powers of 3, 5 and 7 (NetBSD's {@code cg_has_sb} in
     * {@code ext2fs.h}).
     */
    boolean groupHasSuper(long g) {
        if (g <= 1 || !sparse()) {
            return true;
        }
        return isPower(g, 3) || isPower(g, 5) || isPower(g, 7);
    }

    private static boolean isPower(long g, int base) {
        long n = base;
        while (n < g) {
            n *= base;
        }
        return n == g;
    }

    int state() {
        return Le.u16(raw, S_STATE);
    }

    void setState(int s) {
        Le.put16(raw, S_STATE, s);
    }

    void mounted(long nowSec) {
        Le.put16(raw, S_MNT_COUNT, Le.u16(raw, S_MNT_COUNT) + 1);
        Le.put32(raw, S_MTIME, nowSec);
    }

    /** The fields this driver changes, put back into {@link #raw} for a write. */
    void encode(long nowSec) {
        Le.put32(raw, S_FREE_BLOCKS_COUNT, freeBlocks);
        Le.put32(raw, S_FREE_INODES_COUNT, freeInodes);
        Le.put32(raw, S_WTIME, nowSec);
        if (revLevel > GOOD_OLD_REV) {
            Le.put32(raw, S_FEATURE_RO_COMPAT, roCompat);
        }
    }
}
