package io.jrump.afpa.cache;

/**
 * One frame buffer: {@code size} bytes at {@code off} in a 128 KB block's array, handed out by
 * {@link BlockAllocator#alloc} and given back with {@link BlockAllocator#free}. The block's array is
 * shared by other frames: a user writes only inside its own range.
 */
public final class FrameBuf {
    final BlockAllocator.Block block;
    final int slot;
    private final byte[] buf;
    private final int off;
    private final int size;

    FrameBuf(BlockAllocator.Block block, int slot, int off, int size) {
        this.block = block;
        this.slot = slot;
        this.buf = block.bytes;
        this.off = off;
        this.size = size;
    }

    /** The block's array that holds this frame. */
    public byte[] buf() {
        return buf;
    }

    /** Where this frame starts in {@link #buf()}. */
    public int off() {
        return off;
    }

    public int size() {
        return size;
    }
}
