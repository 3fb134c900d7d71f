package io.jrump.kern.mem;

import io.jrump.kern.Kernel;
import io.jrump.kern.Kernels;
import io.jrump.kern.intr.Softint;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoolTest {

    @Test
    void itemsAreReusedNotReallocated() throws Exception {
        Kernel k = Kernels.boot();
        Pool<byte[]> p = k.createPool("buf", 2048, () -> new byte[2048], null, 100);
        byte[] a = p.get();
        p.put(a);
        assertSame(a, p.get(), "the returned item comes back");
        p.put(a);
        assertEquals(1, p.allocated());
        assertEquals(0, p.outstanding());
        assertEquals(2048, k.kmem().used());
        assertTrue(k.halt().clean());
        assertEquals(0, k.kmem().used(), "halt gives pooled memory back");
    }

    @Test
    void hardLimitRefusesAndCounts() throws Exception {
        Kernel k = Kernels.boot();
        Pool<Object> p = k.createPool("obj", 32, Object::new, null, 3);
        List<Object> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(p.get());
        }
        assertNull(p.get());
        assertEquals(1, p.failures());
        p.put(held.remove(0));
        assertNotNull(p.get(), "a returned item can be handed out again");
        k.halt();
    }

    @Test
    void kernelMemoryLimitGivesNullNeverOutOfMemoryError() throws Exception {
        Kernel k = Kernel.boot(Kernels.config().memoryLimit(64 * 1024).build());
        Pool<byte[]> p = k.createPool("big", 16 * 1024, () -> new byte[16 * 1024], null, Integer.MAX_VALUE);
        int got = 0;
        while (p.get() != null) {
            got++;
        }
        assertEquals(4, got);
        assertEquals(1, p.failures());
        assertTrue(k.kmem().failures() >= 1);
        assertEquals(1, k.kmem().type("pool:big").failures());
        k.halt();
    }

    @Test
    void idleItemsOfOnePoolGoBackToTheBudgetWhenAnotherNeedsMemory() throws Exception {
        Kernel k = Kernel.boot(Kernels.config().memoryLimit(64 * 1024).build());
        Pool<byte[]> small = k.createPool("small", 1024, () -> new byte[1024], null, Integer.MAX_VALUE);
        Pool<byte[]> big = k.createPool("big", 16 * 1024, () -> new byte[16 * 1024], null, Integer.MAX_VALUE);
        List<byte[]> held = new ArrayList<>();
        for (byte[] b; (b = small.get()) != null; ) {
            held.add(b);
        }
        assertNull(big.get(), "the small pool holds the whole limit");
        held.forEach(small::put);
        held.clear();
        for (int i = 0; i < 4; i++) {
            assertNotNull(big.get(), "memory the small pool no longer uses serves the big one (" + i + ")");
        }
        assertEquals(0, small.allocated(), "the small pool's idle items were reclaimed");
        assertTrue(k.kmem().reclaims() >= 1);
        assertEquals(64 * 1024, k.kmem().used());
        k.halt();
    }

    @Test
    void cpuCacheIsUsedInsideTheKernelAndCountsStayExact() throws Exception {
        Kernel k = Kernels.boot();
        Pool<int[]> p = k.createPool("ints", 16, () -> new int[4], v -> v[0] = 0, 1000);
        Softint s = k.softints().establish("user", Softint.NET, () -> {
            List<int[]> l = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                int[] v = p.get();
                v[0] = 7;
                l.add(v);
            }
            for (int[] v : l) {
                p.put(v);
            }
        });
        for (int round = 0; round < 3; round++) {
            k.softints().schedule(s);
            k.softints().drain();
        }
        assertEquals(0, p.outstanding());
        assertEquals(100, p.allocated(), "rounds 2 and 3 reused round 1's items");
        assertEquals(0, p.get()[0], "items are reset on return");
        k.halt();
    }
}
