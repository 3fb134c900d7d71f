package io.jrump.hypercall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class HostMemoryTest {

    private static HyperMemory limited(long limit) {
        return HostHypercall.builder().memoryLimit(limit).environment(java.util.Map.of()).build().memory();
    }

    @Test
    void reservesUpToTheLimitExactly() {
        HyperMemory mem = limited(1000);
        assertEquals(1000, mem.limit());
        assertTrue(mem.reserve(600));
        assertTrue(mem.reserve(400), "a reservation that lands exactly on the limit succeeds");
        assertEquals(1000, mem.used());
        assertEquals(0, mem.failures());
    }

    @Test
    void refusalPastTheLimitCountsAFailureAndReservesNothing() {
        HyperMemory mem = limited(1000);
        assertTrue(mem.reserve(900));
        assertFalse(mem.reserve(101));
        assertEquals(900, mem.used(), "a refused reservation takes nothing");
        assertEquals(1, mem.failures());
        assertFalse(mem.reserve(Long.MAX_VALUE), "an overflowing request is refused, not wrapped");
        assertEquals(900, mem.used());
        assertEquals(2, mem.failures());
        assertTrue(mem.reserve(100), "what is left under the limit can still be taken");
        assertEquals(1000, mem.used());
    }

    @Test
    void releaseReturnsBytesAndPeakRemembersTheHighWaterMark() {
        HyperMemory mem = limited(1000);
        assertTrue(mem.reserve(700));
        mem.release(500);
        assertEquals(200, mem.used());
        assertEquals(700, mem.peak());
        assertTrue(mem.reserve(300));
        assertEquals(500, mem.used());
        assertEquals(700, mem.peak(), "peak does not drop and only rises past its old value");
        assertTrue(mem.reserve(500));
        assertEquals(1000, mem.peak());
        mem.release(1000);
        assertEquals(0, mem.used());
        assertEquals(1000, mem.peak());
    }

    @Test
    void releasedBytesCanBeReservedAgain() {
        HyperMemory mem = limited(100);
        assertTrue(mem.reserve(100));
        assertFalse(mem.reserve(1));
        mem.release(40);
        assertTrue(mem.reserve(40));
        assertFalse(mem.reserve(1));
    }

    @Test
    void allocateReservesTheBufferAndFreeReleasesIt() {
        HyperMemory mem = limited(1000);
        ByteBuffer heap = mem.allocate(300, false);
        ByteBuffer direct = mem.allocate(200, true);
        assertNotNull(heap);
        assertNotNull(direct);
        assertEquals(300, heap.capacity());
        assertFalse(heap.isDirect());
        assertEquals(200, direct.capacity());
        assertTrue(direct.isDirect());
        assertEquals(500, mem.used());
        mem.free(heap);
        mem.free(direct);
        assertEquals(0, mem.used());
        assertEquals(500, mem.peak());
    }

    @Test
    void allocateReturnsNullPastTheLimit() {
        HyperMemory mem = limited(1000);
        assertNotNull(mem.allocate(800, false));
        assertNull(mem.allocate(201, false));
        assertNull(mem.allocate(201, true));
        assertEquals(800, mem.used());
        assertEquals(2, mem.failures());
    }

    @Test
    void allocateNeverThrowsOutOfMemoryErrorEvenWithoutALimit() {
        HyperMemory mem = HostHypercall.builder().environment(java.util.Map.of()).build().memory();
        assertEquals(Long.MAX_VALUE, mem.limit());
        // No JVM can make a byte array of Integer.MAX_VALUE elements: the JVM refuses, the layer must not.
        ByteBuffer b = assertDoesNotThrowError(() -> mem.allocate(Integer.MAX_VALUE, false));
        assertNull(b);
        assertEquals(0, mem.used(), "a failed allocation leaves nothing reserved");
        assertEquals(1, mem.failures());
    }

    private static ByteBuffer assertDoesNotThrowError(java.util.function.Supplier<ByteBuffer> s) {
        try {
            return s.get();
        } catch (OutOfMemoryError e) {
            throw new AssertionError("allocate() let an OutOfMemoryError through", e);
        }
    }

    @Test
    void doubleReleasePanicsAndLeavesTheAccountIntact() {
        HyperMemory mem = limited(1000);
        assertTrue(mem.reserve(100));
        mem.release(100);
        KernelPanic p = assertThrows(KernelPanic.class, () -> mem.release(100));
        assertTrue(p.getMessage().contains("released twice"), p.getMessage());
        assertEquals(0, mem.used());
        assertTrue(mem.reserve(1000), "the bad release did not corrupt the account");
    }

    @Test
    void doubleFreeOfABufferPanics() {
        HyperMemory mem = limited(1000);
        ByteBuffer b = mem.allocate(64, false);
        mem.free(b);
        assertThrows(KernelPanic.class, () -> mem.free(b));
        assertEquals(0, mem.used());
    }

    @Test
    void negativeReservationIsRejected() {
        HyperMemory mem = limited(1000);
        assertThrows(IllegalArgumentException.class, () -> mem.reserve(-1));
        assertEquals(0, mem.used());
    }

    @Test
    void nonPositiveLimitIsRejectedAtBuild() {
        assertThrows(IllegalArgumentException.class, () -> HostHypercall.builder().memoryLimit(0).build());
    }
}
