package io.jrump.rumpnet.mbuf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.Kernel;
import io.jrump.testkit.RumpKernel;
import org.junit.jupiter.api.Test;

/**
 * Prebuilt frames ({@link MbufPool#getPrebuilt}): the payload sum holds only for the mbuf that covers
 * exactly the payload, the flag is the mbuf code's alone, and the free hook gets the whole region once.
 */
@RumpKernel
class PrebuiltMbufTest {
    @Test
    void theSumHoldsOnlyForTheWholePayloadAndTheHookFiresOnceWithTheRegion(Kernel k) {
        MbufPool pool = new MbufPool(k);
        byte[] buf = new byte[200];
        int[] got = new int[3];
        Mbuf m = pool.getPrebuilt(buf, 60, 100, 54, 0x12345, (b, o, l, a) -> {
            got[0]++;
            got[1] = o;
            got[2] = l;
        }, null);
        assertTrue(m.hasFlags(MbufFlags.M_PREBUILT));
        assertTrue(m.prebuiltIntact());
        assertTrue(m.hasExtFree());
        assertEquals(0x12345, m.prebuiltSum());
        assertEquals(54, m.prebuiltHeadroom());
        assertEquals(60, m.off());
        assertEquals(100, m.len());
        assertEquals(0, m.leadingSpace(), "the owner's headroom is not the protocols' to write");
        assertFalse(m.writable());
        Mbuf whole = MbufCopy.copym(m, 0, 100);
        assertFalse(whole.prebuiltIntact(), "a copy does not vouch for the sum");
        MbufChain.adj(m, 1);
        assertFalse(m.prebuiltIntact(), "a trimmed frame's sum no longer holds");
        assertThrows(IllegalArgumentException.class, () -> whole.setFlags(MbufFlags.M_PREBUILT));
        pool.free(m);
        assertEquals(0, got[0], "a copy still refers to the bytes");
        pool.free(whole);
        assertArrayEquals(new int[] {1, 6, 154}, got, "once, with the region headroom included");
        assertThrows(IndexOutOfBoundsException.class,
                () -> pool.getPrebuilt(buf, 10, 20, 11, 0, (b, o, l, a) -> { }, null));
    }
}
