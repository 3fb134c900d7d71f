package io.jrump.fs.ext2fs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.mem.Kmem;
import io.jrump.kern.sync.KMutex;
import io.jrump.vfs.Mount;
import io.jrump.vfs.Vfs;
import io.jrump.vfs.Vnode;
import java.nio.ByteBuffer;
import java.util.BitSet;

/**
 * One mounted ext2 file system ({@code struct m_ext2fs} with its {@code ufsmount}): the device, the
 * superblock and group descriptors, the block cache, the allocator and the mount's lock.
 *
 * <p>One {@link KMutex} per mount guards every structure here and every block in the cache: each
 * vnode operation takes it for its whole run, so allocation, free counts and shared metadata blocks
 * (bitmaps, inode tables, indirect blocks) change in one order. The VFS's vnode locks come first; no
 * operation asks the vnode cache for a vnode while holding this lock (loading a vnode takes it).
 *
 * <p>A problem found in the file system's own structures is reported on the console once per mount
 * and comes back to the caller as EIO ({@link #corrupt}); the mount stays usable for what is intact.
 */
final class Ext2Mount {
    final Vfs vfs;
    final Kernel kernel;
    final Mount mp;
    final Vnode devvp;
    final Disk disk;
    final Superblock sb;
    final Groups gd;
    final BlockCache cache;
    final Allocator alloc;
    final BlockMap bmap;
    private final Directory dir;
    /** Zeros for reads of holes. */
    final byte[] zeros;
    final KMutex lock;
    final int bs;
    /** Block pointers per indirect block. */
    final int ptrs;
    /** 512-byte units per block, the unit of {@code i_blocks}. */
    final int sectorsPerBlock;
    /** Whether this mount may write at all: not {@code -r}, and every ro_compat feature known. */
    final boolean writable;
    final long maxFileSize;
    private final BitSet dirtyGroups = new BitSet();
    private boolean superDirty;
    private boolean reported;
    private long corruptions;

    Ext2Mount(Vfs vfs, Mount mp, Vnode devvp, Disk disk, Superblock sb, long cacheBytes, boolean writable)
            throws ErrnoException {
        this.vfs = vfs;
        this.kernel = vfs.kernel();
        this.mp = mp;
        this.devvp = devvp;
        this.disk = disk;
        this.sb = sb;
        this.bs = sb.blockSize;
        this.ptrs = bs / 4;
        this.sectorsPerBlock = bs / 512;
        this.writable = writable;
        if ((sb.blocksCount) * bs > disk.size) {
            throw new ErrnoException(Errno.EINVAL, "ext2fs: the file system has " + sb.blocksCount + " blocks of "
                    + bs + " bytes but the device only " + disk.size + " bytes");
        }
        this.gd = new Groups(sb);
        this.lock = kernel.newMutex();
        Kmem kmem = kernel.kmem();
        this.cache = new BlockCache(disk, bs, kmem, cacheBytes);
        try {
            long free = 0;
            long freeIno = 0;
            for (int g = 0; g < gd.count; g++) {
                long blk = gd.descBlock(g);
                if (blk >= sb.blocksCount) {
                    throw new ErrnoException(Errno.EINVAL, "ext2fs: group descriptors past the end");
                }
                gd.decode(g, cache.get(blk).data);
                free += gd.freeBlocks[g];
                freeIno += gd.freeInodes[g];
            }
            // the groups' counts are the truth, as Linux's ext2 sums them at mount
            sb.freeBlocks = free;
            sb.freeInodes = freeIno;
            this.alloc = new Allocator(this);
            this.bmap = new BlockMap(this);
            this.dir = new Directory(this);
            this.zeros = new byte[bs];
            long p = ptrs;
            long addressable = Inode.NDIR + p + p * p + p * p * p;
            long limit = sb.revLevel == Superblock.GOOD_OLD_REV ? Integer.MAX_VALUE : 1L << 40;
            this.maxFileSize = Math.min(addressable * bs, limit);
        } catch (ErrnoException | RuntimeException e) {
            cache.release();
            throw e;
        }
    }

    Directory dir() {
        return dir;
    }

    String onName() {
        return mp.onName();
    }

    /** Whether changes may be made now: the mount is writable and not updated to read-only. */
    boolean canWrite() {
        return writable && !mp.readOnly();
    }

    void checkWritable() throws ErrnoException {
        if (!canWrite()) {
            throw new ErrnoException(Errno.EROFS);
        }
    }

    long now() {
        return vfs.clock().now();
    }

    /**
     * A corrupt structure: one console line per mount (more would let a hostile image flood the
     * console), then EIO for the caller.
     */
    ErrnoException corrupt(String what) {
        corruptions++;
        if (!reported) {
            reported = true;
            kernel.log("ext2fs on " + onName() + ": corrupt file system: " + what);
        }
        return new ErrnoException(Errno.EIO, "ext2fs: corrupt: " + what);
    }

    long corruptions() {
        return corruptions;
    }

    /** EIO unless {@code blk} is a block of the file system past the boot block. */
    void checkBlock(long blk) throws ErrnoException {
        if (blk < sb.firstDataBlock || blk >= sb.blocksCount || blk == 0) {
            throw corrupt("block number " + blk + " out of range");
        }
    }

    void checkIno(long ino) throws ErrnoException {
        if (ino < 1 || ino > sb.inodesCount) {
            throw corrupt("inode number " + ino + " out of range");
        }
    }

    private long inodeBlock(long ino) {
        long g = (ino - 1) / sb.inodesPerGroup;
        long idx = (ino - 1) % sb.inodesPerGroup;
        return gd.inodeTable[(int) g] + idx * sb.inodeSize / bs;
    }

    private int inodeOffset(long ino) {
        long idx = (ino - 1) % sb.inodesPerGroup;
        return (int) (idx * sb.inodeSize % bs);
    }

    Inode readInode(long ino) throws ErrnoException {
        checkIno(ino);
        Inode ip = new Inode(ino);
        ip.decode(cache.get(inodeBlock(ino)).data, inodeOffset(ino), sb.inodeSize);
        return ip;
    }

    /** EIO unless {@code ip} is an inode in use whose size makes sense for its type. */
    void checkLive(Inode ip) throws ErrnoException {
        if (ip.links == 0 || ip.type() == io.jrump.vfs.VType.VNON) {
            throw corrupt("a directory entry names unused inode " + ip.ino);
        }
        if (ip.size < 0 || (ip.isDir() && ip.size % bs != 0)) {
            throw corrupt("inode " + ip.ino + " has size " + ip.size);
        }
    }

    /** Puts {@code ip} into its inode table block in the cache. */
    void writeInode(Inode ip) throws ErrnoException {
        if (ip.freed) {
            return;
        }
        BlockCache.Block b = cache.get(inodeBlock(ip.ino));
        ip.encode(b.data, inodeOffset(ip.ino));
        cache.dirty(b);
    }

    /** Zeroes the on-disk record of a newly allocated inode, declaring its extra space as e2fsprogs does. */
    void clearInodeRecord(Inode ip) throws ErrnoException {
        BlockCache.Block b = cache.get(inodeBlock(ip.ino));
        int o = inodeOffset(ip.ino);
        int links = Le.u16(b.data, o + 26);
        if (links != 0) {
            throw corrupt("the inode bitmap calls inode " + ip.ino + " free but it has " + links + " links");
        }
        java.util.Arrays.fill(b.data, o, o + sb.inodeSize, (byte) 0);
        if (sb.inodeSize >= Superblock.GOOD_OLD_INODE_SIZE + Inode.NEW_EXTRA_ISIZE) {
            Le.put16(b.data, o + Superblock.GOOD_OLD_INODE_SIZE, Inode.NEW_EXTRA_ISIZE);
            ip.extraIsize = Inode.NEW_EXTRA_ISIZE;
        }
        cache.dirty(b);
    }

    void groupChanged(int g) {
        dirtyGroups.set(g);
        superDirty = true;
    }

    /** Sets a ro_compat feature the file system now needs ({@code large_file} for a file past 2 GiB). */
    void needRoCompat(int bit) {
        if ((sb.roCompat & bit) == 0) {
            sb.roCompat |= bit;
            superDirty = true;
        }
    }

    /** Writes the group descriptors and superblock into the cache, then every dirty block to the disk. */
    void sync() throws ErrnoException {
        if (!writable) {
            return;
        }
        for (int g = dirtyGroups.nextSetBit(0); g >= 0; g = dirtyGroups.nextSetBit(g + 1)) {
            BlockCache.Block b = cache.get(gd.descBlock(g));
            gd.encode(g, b.data);
            cache.dirty(b);
        }
        dirtyGroups.clear();
        if (superDirty) {
            writeSuper();
        }
        cache.flush();
    }

    /** The superblock into its cached block ({@code ext2fs_sbupdate}, primary copy only, as Linux writes it). */
    void writeSuper() throws ErrnoException {
        sb.encode(now() / 1_000_000_000L);
        long blk = Superblock.OFFSET / bs;
        int off = Superblock.OFFSET % bs;
        BlockCache.Block b = cache.get(blk);
        System.arraycopy(sb.raw, 0, b.data, off, Superblock.SIZE);
        cache.dirty(b);
        superDirty = false;
    }

    /** Marks the file system in use (not cleanly unmounted) and counts the mount, written at once. */
    void markMounted() throws ErrnoException {
        sb.mounted(now() / 1_000_000_000L);
        sb.setState(sb.state() & ~Superblock.STATE_VALID);
        writeSuper();
        cache.flush();
        disk.sync();
    }

    /** Writes everything back and marks the file system clean. */
    void unmount() throws ErrnoException {
        if (writable) {
            sb.setState(sb.state() | Superblock.STATE_VALID);
            superDirty = true;
            sync();
            disk.sync();
        }
    }

    /** Reads the raw superblock bytes of {@code disk}. */
    static byte[] readSuper(Disk disk) throws ErrnoException {
        byte[] raw = new byte[Superblock.SIZE];
        if (disk.size < Superblock.OFFSET + Superblock.SIZE) {
            throw new ErrnoException(Errno.EINVAL, "ext2fs: the device is too small for a superblock");
        }
        disk.read(Superblock.OFFSET, ByteBuffer.wrap(raw));
        return raw;
    }
}
