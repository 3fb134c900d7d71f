package io.jrump.fs.ext2fs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.mem.Kmem;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The mount's write-back block cache (NetBSD's buffer cache, {@code vfs_bio.c}, for one mount): file
 * system blocks by number, least recently used first out, changed blocks written back when the cache
 * needs room, at {@code sync} and at unmount. Each block's buffer is kernel memory ({@link Kmem} type
 * {@value #KMEM_TYPE}); past the kernel's limit the cache reuses its own buffers instead of growing,
 * and under memory pressure it gives its clean buffers back.
 *
 * <p>Write-back sorts the dirty blocks and writes each run of consecutive blocks in one transfer, and
 * {@link #readAhead} reads a run of consecutive uncached blocks in one transfer, so sequential file
 * I/O reaches the host in large requests. A hit allocates nothing; buffers are reused, never dropped
 * for new ones, while the cache is at its size.
 *
 * <p>Not thread-safe: the mount's lock guards it. A {@link Block} is valid until the next call into
 * the cache, which may reuse its buffer, so callers copy what they need before calling again.
 */
final class BlockCache {
    static final String KMEM_TYPE = "ext2fs";
    /** The largest single transfer of a run. */
    static final int MAX_RUN_BYTES = 256 * 1024;

    /** A cached block. */
    static final class Block {
        long blkno = -1;
        final byte[] data;
        final ByteBuffer bb;
        boolean dirty;
        Block prev;
        Block next;
        Block hnext;

        Block(int size) {
            data = new byte[size];
            bb = ByteBuffer.wrap(data);
        }
    }

    private static final Comparator<Block> BY_NUMBER = Comparator.comparingLong(b -> b.blkno);

    private final Disk disk;
    private final int bs;
    private final Kmem kmem;
    private final Kmem.Type memType;
    private final int capacity;
    private final Block[] table;
    private final int mask;
    /** LRU list: {@code lru.next} is the most recently used. */
    private final Block lru;
    private final byte[] staging;
    private final ByteBuffer stagingBuf;
    private final int runBlocks;
    private final Block[] raBuf;
    private Block[] sortBuf = new Block[16];
    private int count;
    private int dirtyCount;
    private long charged;
    private long reads;
    private long writes;

    BlockCache(Disk disk, int blockSize, Kmem kmem, long cacheBytes) throws ErrnoException {
        this.disk = disk;
        this.bs = blockSize;
        this.kmem = kmem;
        this.memType = kmem.type(KMEM_TYPE);
        this.capacity = (int) Math.max(16, Math.min(1 << 22, cacheBytes / blockSize));
        int t = Integer.highestOneBit(capacity * 2 - 1) << 1;
        this.table = new Block[t];
        this.mask = t - 1;
        this.lru = new Block(0);
        lru.prev = lru;
        lru.next = lru;
        this.runBlocks = Math.max(1, MAX_RUN_BYTES / blockSize);
        this.raBuf = new Block[runBlocks];
        if (!kmem.alloc(memType, (long) runBlocks * blockSize)) {
            throw new ErrnoException(Errno.ENOMEM, "ext2fs: no kernel memory for the block cache");
        }
        charged = (long) runBlocks * blockSize;
        this.staging = new byte[runBlocks * blockSize];
        this.stagingBuf = ByteBuffer.wrap(staging);
    }

    int blockSize() {
        return bs;
    }

    /** Block {@code blkno}, read from the disk if it is not cached. */
    Block get(long blkno) throws ErrnoException {
        Block b = lookup(blkno);
        if (b != null) {
            touch(b);
            return b;
        }
        b = obtain();
        b.bb.clear();
        disk.read(blkno * bs, b.bb);
        reads++;
        insert(b, blkno);
        return b;
    }

    /** Block {@code blkno} filled with zeros, not read (a block just allocated); the caller dirties it. */
    Block getZeroed(long blkno) throws ErrnoException {
        Block b = lookup(blkno);
        if (b == null) {
            b = obtain();
            insert(b, blkno);
        } else {
            touch(b);
        }
        Arrays.fill(b.data, (byte) 0);
        return b;
    }

    /**
     * Block {@code blkno} without reading it, its old contents unspecified: for a caller about to
     * overwrite all of it, who dirties it.
     */
    Block getForOverwrite(long blkno) throws ErrnoException {
        Block b = lookup(blkno);
        if (b == null) {
            b = obtain();
            insert(b, blkno);
        } else {
            touch(b);
        }
        return b;
    }

    /** Whether {@code blkno} is cached. */
    boolean cached(long blkno) {
        return lookup(blkno) != null;
    }

    void dirty(Block b) {
        if (!b.dirty) {
            b.dirty = true;
            dirtyCount++;
        }
    }

    /**
     * Reads blocks {@code blkno} to {@code blkno + n - 1}, which lie on the disk one after another, in
     * as few transfers as possible, stopping at the first block already cached.
     */
    void readAhead(long blkno, int n) throws ErrnoException {
        n = Math.min(n, Math.min(runBlocks, capacity / 4));
        int k = 0;
        while (k < n && lookup(blkno + k) == null) {
            k++;
        }
        if (k <= 1) {
            return;
        }
        // buffers first: obtaining one may write dirty blocks back through the staging buffer
        for (int i = 0; i < k; i++) {
            Block b = obtain();
            touch(b);
            raBuf[i] = b;
        }
        stagingBuf.clear().limit(k * bs);
        try {
            disk.read(blkno * bs, stagingBuf);
        } catch (ErrnoException e) {
            Arrays.fill(raBuf, 0, k, null);
            throw e;
        }
        reads++;
        for (int i = 0; i < k; i++) {
            Block b = raBuf[i];
            raBuf[i] = null;
            System.arraycopy(staging, i * bs, b.data, 0, bs);
            insert(b, blkno + i);
        }
    }

    /** Drops block {@code blkno} without writing it: it was freed, its contents no longer matter. */
    void forget(long blkno) {
        Block b = lookup(blkno);
        if (b == null) {
            return;
        }
        unhash(b);
        if (b.dirty) {
            b.dirty = false;
            dirtyCount--;
        }
        b.blkno = -1;
        unlink(b);
        linkTail(b);
    }

    /** Writes every dirty block back, runs of consecutive blocks in one transfer each. */
    void flush() throws ErrnoException {
        if (dirtyCount == 0) {
            return;
        }
        if (sortBuf.length < dirtyCount) {
            sortBuf = new Block[Math.max(dirtyCount, sortBuf.length * 2)];
        }
        int n = 0;
        for (Block b = lru.next; b != lru; b = b.next) {
            if (b.dirty) {
                sortBuf[n++] = b;
            }
        }
        Arrays.sort(sortBuf, 0, n, BY_NUMBER);
        int i = 0;
        try {
            while (i < n) {
                int j = i + 1;
                while (j < n && j - i < runBlocks && sortBuf[j].blkno == sortBuf[j - 1].blkno + 1) {
                    j++;
                }
                if (j - i == 1) {
                    Block b = sortBuf[i];
                    b.bb.clear();
                    disk.write(b.blkno * bs, b.bb);
                } else {
                    for (int x = i; x < j; x++) {
                        System.arraycopy(sortBuf[x].data, 0, staging, (x - i) * bs, bs);
                    }
                    stagingBuf.clear().limit((j - i) * bs);
                    disk.write(sortBuf[i].blkno * bs, stagingBuf);
                }
                writes++;
                for (int x = i; x < j; x++) {
                    sortBuf[x].dirty = false;
                    dirtyCount--;
                }
                i = j;
            }
        } finally {
            Arrays.fill(sortBuf, 0, n, null);
        }
    }

    /** Gives back the buffers of clean blocks (memory pressure); returns the bytes freed. */
    long shrink() {
        long freed = 0;
        Block b = lru.prev;
        while (b != lru) {
            Block p = b.prev;
            if (!b.dirty) {
                if (b.blkno >= 0) {
                    unhash(b);
                }
                unlink(b);
                count--;
                freed += bs;
            }
            b = p;
        }
        if (freed > 0) {
            charged -= freed;
            kmem.free(memType, freed);
        }
        return freed;
    }

    /** Drops everything and gives all memory back (unmount, after {@link #flush}). */
    void release() {
        Arrays.fill(table, null);
        lru.next = lru;
        lru.prev = lru;
        count = 0;
        dirtyCount = 0;
        if (charged > 0) {
            kmem.free(memType, charged);
            charged = 0;
        }
    }

    int dirtyBlocks() {
        return dirtyCount;
    }

    long reads() {
        return reads;
    }

    long writes() {
        return writes;
    }

    private Block lookup(long blkno) {
        for (Block b = table[hash(blkno)]; b != null; b = b.hnext) {
            if (b.blkno == blkno) {
                return b;
            }
        }
        return null;
    }

    private int hash(long blkno) {
        long h = blkno * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & mask;
    }

    /** A buffer for a new block: a new one while the cache may grow, else the least recently used one. */
    private Block obtain() throws ErrnoException {
        if (count < capacity && kmem.alloc(memType, bs)) {
            charged += bs;
            count++;
            Block b = new Block(bs);
            linkTail(b);
            return b;
        }
        Block v = lru.prev;
        if (v == lru) {
            throw new ErrnoException(Errno.ENOMEM, "ext2fs: no kernel memory for a block buffer");
        }
        if (v.dirty) {
            flush();
        }
        if (v.blkno >= 0) {
            unhash(v);
            v.blkno = -1;
        }
        return v;
    }

    private void insert(Block b, long blkno) {
        b.blkno = blkno;
        int h = hash(blkno);
        b.hnext = table[h];
        table[h] = b;
        touch(b);
    }

    private void unhash(Block b) {
        int h = hash(b.blkno);
        Block p = null;
        for (Block c = table[h]; c != null; p = c, c = c.hnext) {
            if (c == b) {
                if (p == null) {
                    table[h] = c.hnext;
                } else {
                    p.hnext = c.hnext;
                }
                b.hnext = null;
                return;
            }
        }
    }

    private void touch(Block b) {
        if (lru.next != b) {
            unlink(b);
            b.next = lru.next;
            b.prev = lru;
            lru.next.prev = b;
            lru.next = b;
        }
    }

    private void unlink(Block b) {
        if (b.prev != null) {
            b.prev.next = b.next;
            b.next.prev = b.prev;
            b.prev = null;
            b.next = null;
        }
    }

    private void linkTail(Block b) {
        b.prev = lru.prev;
        b.next = lru;
        lru.prev.next = b;
        lru.prev = b;
    }
}
