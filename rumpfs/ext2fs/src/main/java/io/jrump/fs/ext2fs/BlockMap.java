package io.jrump.fs.ext2fs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;

/**
 * A file's logical blocks to disk blocks ({@code ext2fs_bmap.c}, {@code ext2fs_balloc.c} and the
 * truncation of {@code ext2fs_inode.c}): twelve direct pointers in the inode, then a single, a double
 * and a triple indirect block, each holding {@code blocksize / 4} little-endian pointers; a zero
 * pointer is a hole, which reads as zeros and takes no block. Every pointer followed is checked to lie
 * inside the file system, and a walk has a fixed depth, so no image can send it outside the device or
 * round in a loop.
 *
 * <p>Callers hold the mount's lock. Nothing here keeps a cache block across another cache call.
 */
final class BlockMap {
    private final Ext2Mount m;
    private final BlockCache cache;
    private final int ptrs;
    private final int shift;
    /** The path of the last {@link #path} call: the root slot in {@code i_block}, then one index per level. */
    private final int[] idx = new int[4];
    private int depth;
    /** Whether the last {@link #alloc} allocated the data block (which then holds no data yet). */
    boolean fresh;

    BlockMap(Ext2Mount m) {
        this.m = m;
        this.cache = m.cache;
        this.ptrs = m.ptrs;
        this.shift = Integer.numberOfTrailingZeros(ptrs);
    }

    /** Logical blocks a file can address. */
    long maxBlocks() {
        long p = ptrs;
        return Inode.NDIR + p + p * p + p * p * p;
    }

    /** Fills {@link #idx} and {@link #depth} for logical block {@code lb}; EFBIG past the triple indirect. */
    private void path(long lb) throws ErrnoException {
        if (lb < Inode.NDIR) {
            idx[0] = (int) lb;
            depth = 0;
            return;
        }
        lb -= Inode.NDIR;
        long p = ptrs;
        if (lb < p) {
            idx[0] = Inode.IND;
            idx[1] = (int) lb;
            depth = 1;
            return;
        }
        lb -= p;
        if (lb < p * p) {
            idx[0] = Inode.DIND;
            idx[1] = (int) (lb >>> shift);
            idx[2] = (int) (lb & (p - 1));
            depth = 2;
            return;
        }
        lb -= p * p;
        if (lb < p * p * p) {
            idx[0] = Inode.TIND;
            idx[1] = (int) (lb >>> (2 * shift));
            idx[2] = (int) ((lb >>> shift) & (p - 1));
            idx[3] = (int) (lb & (p - 1));
            depth = 3;
            return;
        }
        throw new ErrnoException(Errno.EFBIG);
    }

    /** The disk block of logical block {@code lb}, 0 for a hole. */
    long get(Inode ip, long lb) throws ErrnoException {
        path(lb);
        long ptr = ip.block[idx[0]] & 0xffffffffL;
        for (int level = 1; level <= depth; level++) {
            if (ptr == 0) {
                return 0;
            }
            m.checkBlock(ptr);
            ptr = Le.u32(cache.get(ptr).data, idx[level] * 4);
        }
        if (ptr != 0) {
            m.checkBlock(ptr);
        }
        return ptr;
    }

    /**
     * The disk block of logical block {@code lb}, allocating it and any indirect block on the way;
     * {@link #fresh} says whether the data block is new. The inode's {@code i_blocks} counts what was
     * allocated; the caller writes the inode back.
     */
    long alloc(Inode ip, long lb, boolean root) throws ErrnoException {
        fresh = false;
        path(lb);
        int d = depth;
        int slot = idx[0];
        long ptr = ip.block[slot] & 0xffffffffL;
        if (ptr == 0) {
            ptr = newBlock(ip, root, d > 0);
            ip.block[slot] = (int) ptr;
            if (d == 0) {
                fresh = true;
            }
        } else {
            m.checkBlock(ptr);
        }
        for (int level = 1; level <= d; level++) {
            int i = idx[level];
            long child = Le.u32(cache.get(ptr).data, i * 4);
            if (child == 0) {
                child = newBlock(ip, root, level < d);
                BlockCache.Block b = cache.get(ptr);
                Le.put32(b.data, i * 4, child);
                cache.dirty(b);
                if (level == d) {
                    fresh = true;
                }
            } else {
                m.checkBlock(child);
            }
            ptr = child;
        }
        return ptr;
    }

    private long newBlock(Inode ip, boolean root, boolean indirect) throws ErrnoException {
        long goal = ip.allocGoal;
        if (goal == 0) {
            int g = (int) ((ip.ino - 1) / m.sb.inodesPerGroup);
            goal = m.gd.groupStart(g);
        }
        long blk = m.alloc.allocBlock(goal, root);
        ip.allocGoal = blk + 1;
        ip.blocks += m.sectorsPerBlock;
        if (indirect) {
            cache.dirty(cache.getZeroed(blk));
        }
        return blk;
    }

    /**
     * How many logical blocks from {@code lb} (at most {@code max}) lie one after another on the disk
     * from {@code phys}: the run a read-ahead can fetch in one transfer.
     */
    int contiguous(Inode ip, long lb, long phys, int max) throws ErrnoException {
        int n = 1;
        while (n < max && get(ip, lb + n) == phys + n) {
            n++;
        }
        return n;
    }

    /**
     * Frees every block of logical number {@code from} and above, and the indirect blocks left with
     * nothing to point to; {@code i_blocks} follows.
     */
    void truncate(Inode ip, long from) throws ErrnoException {
        for (int i = Inode.NDIR; i-- > 0;) {
            if (i >= from && ip.block[i] != 0) {
                free(ip, ip.block[i] & 0xffffffffL);
                ip.block[i] = 0;
            }
        }
        long p = ptrs;
        long base = Inode.NDIR;
        long span = p;
        for (int slot = Inode.IND; slot <= Inode.TIND; slot++) {
            long ptr = ip.block[slot] & 0xffffffffL;
            if (ptr != 0 && truncTree(ip, ptr, slot - Inode.IND + 1, base, from)) {
                ip.block[slot] = 0;
            }
            base += span;
            span *= p;
        }
    }

    /**
     * Truncates the tree of indirect depth {@code level} at {@code ptr}, covering logical blocks from
     * {@code base}; true if the tree's block itself was freed.
     */
    private boolean truncTree(Inode ip, long ptr, int level, long base, long from) throws ErrnoException {
        m.checkBlock(ptr);
        long childSpan = 1L << (shift * (level - 1));
        long end = base + (childSpan << shift);
        if (from >= end) {
            return false;
        }
        int[] children = new int[ptrs];
        byte[] data = cache.get(ptr).data;
        for (int i = 0; i < ptrs; i++) {
            children[i] = Le.i32(data, i * 4);
        }
        boolean changed = false;
        boolean empty = true;
        for (int i = 0; i < ptrs; i++) {
            long child = children[i] & 0xffffffffL;
            if (child == 0) {
                continue;
            }
            long cbase = base + i * childSpan;
            boolean gone;
            if (level == 1) {
                gone = cbase >= from;
                if (gone) {
                    free(ip, child);
                }
            } else {
                gone = truncTree(ip, child, level - 1, cbase, from);
            }
            if (gone) {
                children[i] = 0;
                changed = true;
            } else {
                empty = false;
            }
        }
        if (empty) {
            free(ip, ptr);
            return true;
        }
        if (changed) {
            BlockCache.Block b = cache.get(ptr);
            for (int i = 0; i < ptrs; i++) {
                Le.put32(b.data, i * 4, children[i]);
            }
            cache.dirty(b);
        }
        return false;
    }

    private void free(Inode ip, long blk) throws ErrnoException {
        m.alloc.freeBlock(blk);
        ip.blocks = Math.max(0, ip.blocks - m.sectorsPerBlock);
    }

    /** The first logical block at or after {@code lb} that holds data, or -1 (SEEK_DATA). */
    long nextData(Inode ip, long lb, long lastBlock) throws ErrnoException {
        for (long b = lb; b <= lastBlock; b++) {
            if (get(ip, b) != 0) {
                return b;
            }
            long skip = holeSpan(ip, b);
            if (skip > 1) {
                b += skip - 1;
            }
        }
        return -1;
    }

    /**
     * How many logical blocks from {@code lb} are certainly holes because a whole indirect subtree
     * is missing (at least 1), so that SEEK_DATA crosses a sparse triple-indirect file quickly.
     */
    private long holeSpan(Inode ip, long lb) throws ErrnoException {
        path(lb);
        long ptr = ip.block[idx[0]] & 0xffffffffL;
        long span = depth == 0 ? 1 : 1L << (shift * depth);
        for (int level = 1; level <= depth; level++) {
            if (ptr == 0) {
                long within = 0;
                for (int l = level; l <= depth; l++) {
                    within = (within << shift) | idx[l];
                }
                return span - within;
            }
            span >>>= shift;
            ptr = Le.u32(cache.get(ptr).data, idx[level] * 4);
            if (ptr != 0 && level < depth) {
                m.checkBlock(ptr);
            }
        }
        return 1;
    }
}
