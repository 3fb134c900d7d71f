package io.jrump.fs.ext2fs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;

/**
 * Block and inode allocation on the groups' bitmaps ({@code ext2fs_alloc.c}), keeping the group
 * descriptors' and the superblock's free counts equal to the bitmaps, which {@code e2fsck} checks.
 * Blocks go near a goal (the block after the file's last one, so files stay contiguous), else in the
 * first group with room after it; a new directory's inode goes to a group with an average share of
 * free inodes and the most free blocks (a simplified Orlov rule, as {@code ext2fs_dirpref}), a file's
 * to its directory's group. A bitmap that hands out metadata, or a free count the bitmap contradicts,
 * is a corrupt file system: EIO, never a block given twice.
 *
 * <p>Callers hold the mount's lock.
 */
final class Allocator {
    private final Ext2Mount m;
    private final Superblock sb;
    private final Groups gd;
    private final BlockCache cache;

    Allocator(Ext2Mount m) {
        this.m = m;
        this.sb = m.sb;
        this.gd = m.gd;
        this.cache = m.cache;
    }

    /** A free block near {@code goal}; ENOSPC when none is left (the reserve only for root). */
    long allocBlock(long goal, boolean root) throws ErrnoException {
        long avail = root ? sb.freeBlocks : sb.freeBlocks - sb.rBlocksCount;
        if (avail <= 0) {
            throw new ErrnoException(Errno.ENOSPC, "ext2fs on " + m.onName() + " is full");
        }
        if (goal < sb.firstDataBlock || goal >= sb.blocksCount) {
            goal = sb.firstDataBlock;
        }
        int g0 = (int) ((goal - sb.firstDataBlock) / sb.blocksPerGroup);
        for (int i = 0; i <= gd.count; i++) {
            int g = (g0 + i) % gd.count;
            if (gd.freeBlocks[g] == 0) {
                continue;
            }
            long start = gd.groupStart(g);
            int nbits = (int) (gd.groupEnd(g) - start);
            int from = i == 0 ? (int) (goal - start) : 0;
            BlockCache.Block b = cache.get(gd.blockBitmap[g]);
            int idx = findZero(b.data, from, nbits);
            if (idx < 0 && from > 0) {
                idx = findZero(b.data, 0, from);
            }
            if (idx < 0) {
                throw m.corrupt("group " + g + " counts " + gd.freeBlocks[g] + " free blocks but its bitmap has none");
            }
            long blk = start + idx;
            if (gd.isMetadata(blk)) {
                throw m.corrupt("the block bitmap of group " + g + " calls metadata block " + blk + " free");
            }
            b.data[idx >>> 3] |= (byte) (1 << (idx & 7));
            cache.dirty(b);
            gd.freeBlocks[g]--;
            sb.freeBlocks--;
            m.groupChanged(g);
            return blk;
        }
        throw m.corrupt("the superblock counts " + sb.freeBlocks + " free blocks but no group has one");
    }

    /** Gives block {@code blk} back; a block already free is a corrupt file system. */
    void freeBlock(long blk) throws ErrnoException {
        m.checkBlock(blk);
        if (gd.isMetadata(blk)) {
            throw m.corrupt("a file claims metadata block " + blk);
        }
        int g = (int) ((blk - sb.firstDataBlock) / sb.blocksPerGroup);
        int idx = (int) (blk - gd.groupStart(g));
        BlockCache.Block b = cache.get(gd.blockBitmap[g]);
        int bit = 1 << (idx & 7);
        if ((b.data[idx >>> 3] & bit) == 0) {
            throw m.corrupt("block " + blk + " is freed twice");
        }
        b.data[idx >>> 3] &= (byte) ~bit;
        cache.dirty(b);
        gd.freeBlocks[g]++;
        sb.freeBlocks++;
        m.groupChanged(g);
        cache.forget(blk);
    }

    /**
     * Lets go of a freed file's extended attribute block ({@code i_file_acl}; ext2 documentation,
     * "Extended Attributes"): blocks are shared by reference count, so the count drops and the block is
     * freed with its last user.
     */
    void releaseAttrBlock(Inode ip) throws ErrnoException {
        long blk = ip.fileAcl;
        if (blk == 0) {
            return;
        }
        m.checkBlock(blk);
        BlockCache.Block b = cache.get(blk);
        if (Le.u32(b.data, 0) != 0xEA020000L) {
            throw m.corrupt("inode " + ip.ino + "'s attribute block " + blk + " has no attribute header");
        }
        long refs = Le.u32(b.data, 4);
        if (refs > 1) {
            Le.put32(b.data, 4, refs - 1);
            cache.dirty(b);
        } else {
            freeBlock(blk);
        }
        ip.fileAcl = 0;
        ip.blocks = Math.max(0, ip.blocks - m.sectorsPerBlock);
    }

    /** A free inode for a new file in directory {@code parent}; ENOSPC when none is left. */
    long allocInode(long parent, boolean dir) throws ErrnoException {
        if (sb.freeInodes == 0) {
            throw new ErrnoException(Errno.ENOSPC, "ext2fs on " + m.onName() + " has no free inodes");
        }
        int pg = (int) ((parent - 1) / sb.inodesPerGroup);
        int first = dir ? dirGroup(pg) : pg;
        for (int i = 0; i < gd.count; i++) {
            int g = (first + i) % gd.count;
            if (gd.freeInodes[g] == 0) {
                continue;
            }
            BlockCache.Block b = cache.get(gd.inodeBitmap[g]);
            long base = (long) g * sb.inodesPerGroup;
            int from = base + 1 < sb.firstIno ? (int) (sb.firstIno - 1 - base) : 0;
            int nbits = (int) Math.min(sb.inodesPerGroup, sb.inodesCount - base);
            int idx = from < nbits ? findZero(b.data, from, nbits) : -1;
            if (idx < 0) {
                throw m.corrupt("group " + g + " counts " + gd.freeInodes[g] + " free inodes but its bitmap has none");
            }
            b.data[idx >>> 3] |= (byte) (1 << (idx & 7));
            cache.dirty(b);
            gd.freeInodes[g]--;
            sb.freeInodes--;
            if (dir) {
                gd.usedDirs[g]++;
            }
            m.groupChanged(g);
            return base + idx + 1;
        }
        throw m.corrupt("the superblock counts " + sb.freeInodes + " free inodes but no group has one");
    }

    void freeInode(long ino, boolean dir) throws ErrnoException {
        m.checkIno(ino);
        int g = (int) ((ino - 1) / sb.inodesPerGroup);
        int idx = (int) ((ino - 1) % sb.inodesPerGroup);
        BlockCache.Block b = cache.get(gd.inodeBitmap[g]);
        int bit = 1 << (idx & 7);
        if ((b.data[idx >>> 3] & bit) == 0) {
            throw m.corrupt("inode " + ino + " is freed twice");
        }
        b.data[idx >>> 3] &= (byte) ~bit;
        cache.dirty(b);
        gd.freeInodes[g]++;
        sb.freeInodes++;
        if (dir && gd.usedDirs[g] > 0) {
            gd.usedDirs[g]--;
        }
        m.groupChanged(g);
    }

    /** The group for a new directory: at least the average of free inodes, then the most free blocks. */
    private int dirGroup(int parentGroup) {
        long avgInodes = sb.freeInodes / gd.count;
        int best = -1;
        for (int i = 0; i < gd.count; i++) {
            int g = (parentGroup + i) % gd.count;
            if (gd.freeInodes[g] > 0 && gd.freeInodes[g] >= avgInodes
                    && (best < 0 || gd.freeBlocks[g] > gd.freeBlocks[best])) {
                best = g;
            }
        }
        return best < 0 ? parentGroup : best;
    }

    /** The first clear bit in {@code [from, to)} of {@code map}, or -1. */
    static int findZero(byte[] map, int from, int to) {
        int i = from;
        while (i < to) {
            if ((i & 7) == 0) {
                while (i + 8 <= to && map[i >>> 3] == (byte) 0xff) {
                    i += 8;
                }
                if (i >= to) {
                    break;
                }
            }
            if ((map[i >>> 3] & (1 << (i & 7))) == 0) {
                return i;
            }
            i++;
        }
        return -1;
    }
}
