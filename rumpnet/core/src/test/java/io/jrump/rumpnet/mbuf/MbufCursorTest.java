package io.jrump.rumpnet.mbuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.Kernel;
import io.jrump.testkit.RumpKernel;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

@RumpKernel
class MbufCursorTest {

    @Test
    void readsAcrossMbufBoundariesLikeAByteBuffer(Kernel k) {
        MbufPool pool = new MbufPool(k);
        Mbuf m = TestChains.numbered(pool, 1, 0, 2, 3, 1, 1, 40);
        ByteBuffer model = ByteBuffer.wrap(TestChains.sequence(0, 48));
        MbufCursor c = new MbufCursor().reset(m);

        assertEquals(48, c.remaining());
        assertEquals(model.get() & 0xff, c.u8());
        assertEquals(model.getShort() & 0xffff, c.u16());
        assertEquals(model.getInt(), c.i32());
        assertEquals(model.getInt() & 0xffffffffL, c.u32());
        c.skip(3);
        model.position(model.position() + 3);
        byte[] got = new byte[10];
        c.read(got, 0, 10);
        byte[] want = new byte[10];
        model.get(want);
        assertEquals(ByteBuffer.wrap(want), ByteBuffer.wrap(got));
        assertEquals(24, c.offset());
        assertEquals(24, c.remaining());
        assertTrue(c.has(24));
        assertFalse(c.has(25));

        c.reset(m, 46);
        assertEquals(0x2e2f, c.u16());
        assertThrows(BufferUnderflowException.class, c::u8);
        c.reset(m, 45);
        assertThrows(BufferUnderflowException.class, c::i32);
        assertEquals(45, c.offset(), "a failed read consumes nothing");
        pool.freeChain(m);
    }
}
