package io.jrump.afpa.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.Kernel;
import io.jrump.kern.mem.Kmem;
import io.jrump.testkit.RumpKernel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The 128 KB block allocator: carving, its limit, the kernel's account and blocks given back when empty. */
class BlockAllocatorTest {
    private static final int SLOT = CacheObject.slotSize(1460);

    @Test
    @RumpKernel
    void frames_are_carved_from_blocks_charged_to_kernel_memory_and_freed_when_empty(Kernel k) {
        BlockAllocator a = new BlockAllocator(k, 4L * BlockAllocator.BLOCK_SIZE);
        Kmem.Type t = k.kmem().type(BlockAllocator.KMEM_TYPE);
        int perBlock = BlockAllocator.BLOCK_SIZE / SLOT;
        List<FrameBuf> got = new ArrayList<>();
        Set<String> ranges = new HashSet<>();
        for (int i = 0; i < perBlock + 1; i++) {
            FrameBuf f = a.alloc(SLOT);
            assertNotNull(f);
            assertEquals(SLOT, f.size());
            assertTrue(f.off() + f.size() <= f.buf().length);
            assertTrue(ranges.add(System.identityHashCode(f.buf()) + ":" + f.off()), "no slot handed out twice");
            got.add(f);
        }
        assertEquals(2, a.blocks());
        assertEquals(2L * BlockAllocator.BLOCK_SIZE, a.inUse());
        assertEquals(2L * BlockAllocator.BLOCK_SIZE, t.bytes(), "netstat -m shows the blocks as afpa");
        a.free(got.remove(got.size() - 1));
        assertEquals(1, a.blocks(), "the block whose only frame went is given back at once");
        assertEquals(BlockAllocator.BLOCK_SIZE, t.bytes());
        for (FrameBuf f : got) {
            a.free(f);
        }
        assertEquals(0, a.blocks());
        assertEquals(0, a.inUse());
        assertEquals(0, t.bytes());
    }

    @Test
    @RumpKernel
    void the_cache_limit_refuses_a_block_without_an_exception(Kernel k) {
        BlockAllocator a = new BlockAllocator(k, BlockAllocator.BLOCK_SIZE);
        int perBlock = BlockAllocator.BLOCK_SIZE / SLOT;
        List<FrameBuf> got = new ArrayList<>();
        for (int i = 0; i < perBlock; i++) {
            got.add(a.alloc(SLOT));
        }
        assertNull(a.alloc(SLOT), "a second block would pass the limit");
        assertEquals(1, a.refusals());
        a.free(got.remove(0));
        FrameBuf again = a.alloc(SLOT);
        assertNotNull(again, "a freed slot is reused within the limit");
        a.free(again);
        got.forEach(a::free);
        assertEquals(0, a.inUse());
    }

    @Test
    @RumpKernel(memoryLimit = "1m")
    void the_kernel_limit_refuses_a_block_and_counts_it(Kernel k) {
        BlockAllocator a = new BlockAllocator(k, 64L << 20);
        List<FrameBuf> got = new ArrayList<>();
        FrameBuf f;
        while ((f = a.alloc(BlockAllocator.BLOCK_SIZE)) != null) {
            got.add(f);
        }
        assertTrue((long) got.size() * BlockAllocator.BLOCK_SIZE <= k.kmem().limit(), "never past the kernel's limit");
        assertTrue(k.kmem().type(BlockAllocator.KMEM_TYPE).failures() > 0);
        got.forEach(a::free);
        assertEquals(0, a.inUse());
    }
}
