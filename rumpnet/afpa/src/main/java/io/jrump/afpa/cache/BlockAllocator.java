package io.jrump.afpa.cache;

import io.jrump.kern.Kernel;
import io.jrump.kern.mem.Kmem;
import io.jrump.kern.sync.KMutex;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The accelerator's own memory allocator (the Linux AFPA seed: "a number of 128 KB blocks ... managed
 * by AFPA's own memory allocator"). Blocks are charged to the kernel's memory limit as the Kmem type
 * {@value #KMEM_TYPE}, so {@code netstat -m} shows what the cache holds and the cache can never take
 * memory the rest of the kernel was promised; they are also bounded by the cache's own limit
 * ({@code net.afpa.cache_size}). Each block is cut into slots of one size (a frame: headroom plus
 * payload), and goes back to the kernel as soon as its last slot is freed, so an emptied cache holds
 * no memory at all.
 *
 * <p>A refusal (the cache limit, the kernel limit, or the host heap) is a null from {@link #alloc},
 * never an exception. {@link Kmem#alloc} is called without this allocator's lock, since a refusal there
 * runs the kernel's reclaimers, the cache's among them, which free slots here.
 */
public final class BlockAllocator {
    /** The block size of the seed. */
    public static final int BLOCK_SIZE = 128 * 1024;
    /** The name of the kernel memory account the blocks are charged to. */
    public static final String KMEM_TYPE = "afpa";

    private final Kernel kernel;
    private final Kmem kmem;
    private final Kmem.Type type;
    private final KMutex lock;
    /** Per slot size, the blocks with at least one free slot. Guarded by {@link #lock}. */
    private final Map<Integer, ArrayDeque<Block>> partial = new HashMap<>();
    private final AtomicLong inUse = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();
    private volatile long limit;
    private int blocks;

    /** A 128 KB block cut into same-sized slots, with a stack of the free ones. */
    static final class Block {
        final byte[] bytes;
        final int slotSize;
        final int[] free;
        int freeTop;
        boolean listed;

        Block(byte[] bytes, int slotSize) {
            this.bytes = bytes;
            this.slotSize = slotSize;
            int n = BLOCK_SIZE / slotSize;
            this.free = new int[n];
            for (int i = 0; i < n; i++) {
                free[i] = n - 1 - i;
            }
            this.freeTop = n;
        }

        int slots() {
            return free.length;
        }
    }

    public BlockAllocator(Kernel kernel, long limit) {
        this.kernel = kernel;
        this.kmem = kernel.kmem();
        this.type = kmem.type(KMEM_TYPE);
        this.lock = kernel.newMutex();
        this.limit = limit;
    }

    /** The cache's limit in bytes of blocks; lowering it frees nothing by itself (the cache evicts). */
    public void setLimit(long bytes) {
        this.limit = bytes;
    }

    public long limit() {
        return limit;
    }

    /** Bytes of blocks held (each charged to the kernel's memory). */
    public long inUse() {
        return inUse.get();
    }

    /** Blocks held. */
    public int blocks() {
        lock.enter();
        try {
            return blocks;
        } finally {
            lock.exit();
        }
    }

    /** Allocations refused by a limit or by the host. */
    public long refusals() {
        return refusals.get();
    }

    /**
     * A frame buffer of {@code size} bytes (1 to {@link #BLOCK_SIZE}), from a block with a free slot of
     * that size or from a new block; null when a new block would pass the cache's limit or the
     * kernel's, or the host has no heap for it.
     */
    public FrameBuf alloc(int size) {
        if (size <= 0 || size > BLOCK_SIZE) {
            throw new IllegalArgumentException("frame of " + size + " bytes");
        }
        FrameBuf f = fromPartial(size);
        if (f != null) {
            return f;
        }
        Block b = newBlock(size);
        if (b == null) {
            refusals.incrementAndGet();
            return null;
        }
        lock.enter();
        try {
            blocks++;
            f = take(b);
            if (b.freeTop > 0) {
                list(b);
            }
            return f;
        } finally {
            lock.exit();
        }
    }

    private FrameBuf fromPartial(int size) {
        lock.enter();
        try {
            ArrayDeque<Block> q = partial.get(size);
            Block b = q == null ? null : q.peekFirst();
            if (b == null) {
                return null;
            }
            FrameBuf f = take(b);
            if (b.freeTop == 0) {
                q.pollFirst();
                b.listed = false;
            }
            return f;
        } finally {
            lock.exit();
        }
    }

    private Block newBlock(int size) {
        if (inUse.addAndGet(BLOCK_SIZE) > limit) {
            inUse.addAndGet(-BLOCK_SIZE);
            return null;
        }
        if (!kmem.alloc(type, BLOCK_SIZE)) {
            inUse.addAndGet(-BLOCK_SIZE);
            return null;
        }
        try {
            return new Block(new byte[BLOCK_SIZE], size);
        } catch (OutOfMemoryError e) {
            kmem.free(type, BLOCK_SIZE);
            inUse.addAndGet(-BLOCK_SIZE);
            kernel.log("afpa: no host heap for a cache block");
            return null;
        }
    }

    private static FrameBuf take(Block b) {
        int slot = b.free[--b.freeTop];
        return new FrameBuf(b, slot, slot * b.slotSize, b.slotSize);
    }

    private void list(Block b) {
        if (!b.listed) {
            partial.computeIfAbsent(b.slotSize, s -> new ArrayDeque<>()).addFirst(b);
            b.listed = true;
        }
    }

    /**
     * Gives a frame buffer back; the block goes back to the kernel once all its slots are free. Safe
     * from any thread, a buffer-free hook under a socket lock included (it takes only this allocator's
     * short lock).
     */
    public void free(FrameBuf f) {
        Block b = f.block;
        boolean empty;
        lock.enter();
        try {
            b.free[b.freeTop++] = f.slot;
            empty = b.freeTop == b.slots();
            if (empty) {
                if (b.listed) {
                    ArrayDeque<Block> q = partial.get(b.slotSize);
                    q.remove(b);
                    if (q.isEmpty()) {
                        partial.remove(b.slotSize);
                    }
                    b.listed = false;
                }
                blocks--;
            } else {
                list(b);
            }
        } finally {
            lock.exit();
        }
        if (empty) {
            kmem.free(type, BLOCK_SIZE);
            inUse.addAndGet(-BLOCK_SIZE);
        }
    }
}
