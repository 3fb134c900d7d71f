package io.jrump.fs.ext2fs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;

/**
 * The block group descriptors ({@code struct ext2_gd} of NetBSD's {@code ext2fs.h}; ext2 documentation,
 * "Block Group Descriptor Table"): 32 bytes per group in the blocks after the primary superblock,
 * giving where each group's block bitmap, inode bitmap and inode table are and its free counts. The
 * locations are checked once at mount (every one inside its own group and clear of the superblock
 * copy), so a corrupt table is refused there and never followed later; the counts are kept here and
 * put back into the cached table blocks by {@link #encode}.
 */
final class Groups {
    static final int DESC_SIZE = 32;
    private static final int BG_BLOCK_BITMAP = 0;
    private static final int BG_INODE_BITMAP = 4;
    private static final int BG_INODE_TABLE = 8;
    private static final int BG_FREE_BLOCKS = 12;
    private static final int BG_FREE_INODES = 14;
    private static final int BG_USED_DIRS = 16;

    final Superblock sb;
    final int count;
    /** Blocks the descriptor table fills. */
    final int gdtBlocks;
    /** Blocks one group's inode table fills. */
    final int itableBlocks;
    final long[] blockBitmap;
    final long[] inodeBitmap;
    final long[] inodeTable;
    final int[] freeBlocks;
    final int[] freeInodes;
    final int[] usedDirs;

    Groups(Superblock sb) {
        this.sb = sb;
        this.count = sb.groups;
        this.gdtBlocks = (int) (((long) count * DESC_SIZE + sb.blockSize - 1) / sb.blockSize);
        this.itableBlocks = (int) ((sb.inodesPerGroup * sb.inodeSize + sb.blockSize - 1) / sb.blockSize);
        blockBitmap = new long[count];
        inodeBitmap = new long[count];
        inodeTable = new long[count];
        freeBlocks = new int[count];
        freeInodes = new int[count];
        usedDirs = new int[count];
    }

    /** The block holding descriptor {@code g} in the primary table. */
    long descBlock(int g) {
        return sb.firstDataBlock + 1 + (long) g * DESC_SIZE / sb.blockSize;
    }

    int descOffset(int g) {
        return (int) ((long) g * DESC_SIZE % sb.blockSize);
    }

    /** Reads descriptor {@code g} from {@code blk} (its table block) and checks it. */
    void decode(int g, byte[] blk) throws ErrnoException {
        int o = descOffset(g);
        blockBitmap[g] = Le.u32(blk, o + BG_BLOCK_BITMAP);
        inodeBitmap[g] = Le.u32(blk, o + BG_INODE_BITMAP);
        inodeTable[g] = Le.u32(blk, o + BG_INODE_TABLE);
        freeBlocks[g] = Le.u16(blk, o + BG_FREE_BLOCKS);
        freeInodes[g] = Le.u16(blk, o + BG_FREE_INODES);
        usedDirs[g] = Le.u16(blk, o + BG_USED_DIRS);
        long start = groupStart(g);
        long end = groupEnd(g);
        long meta = start + superBlocks(g);
        if (!within(blockBitmap[g], meta, end, 1) || !within(inodeBitmap[g], meta, end, 1)
                || !within(inodeTable[g], meta, end, itableBlocks)) {
            throw new ErrnoException(Errno.EINVAL, "ext2fs: group " + g + "'s bitmaps or inode table ("
                    + blockBitmap[g] + ", " + inodeBitmap[g] + ", " + inodeTable[g] + ") lie outside blocks "
                    + meta + ".." + (end - 1));
        }
        if (freeBlocks[g] > end - start || freeInodes[g] > sb.inodesPerGroup || usedDirs[g] > sb.inodesPerGroup) {
            throw new ErrnoException(Errno.EINVAL, "ext2fs: group " + g + "'s counts are impossible");
        }
    }

    private static boolean within(long blk, long lo, long hi, long n) {
        return blk >= lo && blk + n <= hi;
    }

    /** Puts descriptor {@code g}'s counts back into its table block. */
    void encode(int g, byte[] blk) {
        int o = descOffset(g);
        Le.put16(blk, o + BG_FREE_BLOCKS, freeBlocks[g]);
        Le.put16(blk, o + BG_FREE_INODES, freeInodes[g]);
        Le.put16(blk, o + BG_USED_DIRS, usedDirs[g]);
    }

    long groupStart(int g) {
        return sb.firstDataBlock + (long) g * sb.blocksPerGroup;
    }

    /** One past the group's last block. */
    long groupEnd(int g) {
        return Math.min(groupStart(g) + sb.blocksPerGroup, sb.blocksCount);
    }

    /** Blocks at the start of group {@code g} taken by a superblock copy, the descriptors and their reserve. */
    long superBlocks(int g) {
        return sb.groupHasSuper(g) ? 1 + gdtBlocks + sb.reservedGdtBlocks : 0;
    }

    /**
     * Whether {@code blk} is file system metadata that no file may own: a superblock copy, descriptor
     * blocks, a bitmap or an inode table block. A block bitmap that calls such a block free is corrupt.
     */
    boolean isMetadata(long blk) {
        if (blk < sb.firstDataBlock || blk >= sb.blocksCount) {
            return true;
        }
        int g = (int) ((blk - sb.firstDataBlock) / sb.blocksPerGroup);
        long start = groupStart(g);
        return blk < start + superBlocks(g) || blk == blockBitmap[g] || blk == inodeBitmap[g]
                || (blk >= inodeTable[g] && blk < inodeTable[g] + itableBlocks);
    }
}
