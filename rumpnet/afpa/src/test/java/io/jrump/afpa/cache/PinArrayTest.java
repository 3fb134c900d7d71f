package io.jrump.afpa.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.afpa.cache.CacheResult.Status;
import io.jrump.kern.Kernel;
import io.jrump.testkit.RumpKernel;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The tdi mode's pin arrays: chunks read on first pin by a worker, pin counts as references. */
class PinArrayTest {
    private static CacheObject open(Docs d, AfpaCache c, String path) throws Exception {
        CacheResult r = d.onKThread(() -> c.open(path));
        assertEquals(Status.BUILT, r.status());
        return r.object();
    }

    @Test
    @RumpKernel(components = "rumpvfs")
    void chunks_are_read_by_a_worker_and_pinned_from_the_softint(Kernel k) throws Exception {
        byte[] data = Docs.pattern(200_000, 3);
        Docs d = new Docs(k).dir("/www").write("/www/big", data);
        AfpaCache c = new AfpaCache(k, 4 << 20);
        c.setDocroot("/www");
        CacheObject o = open(d, c, "/big");
        PinArray pa = o.pins();
        assertEquals(4, pa.chunks());
        for (int ch = 0; ch < pa.chunks(); ch++) {
            assertEquals(ChunkState.UNREAD, pa.state(ch));
        }
        assertEquals(0, c.memoryInUse(), "opening reads nothing");
        assertFalse(pa.tryPin(1), "an unread chunk is queued to a worker");
        assertEquals(0, pa.pinCount(1));
        assertSame(null, c.lookup("/big"), "the hook mode's lookup wants a resident object");

        assertTrue(d.onKThread(() -> pa.pin(1)));
        assertEquals(ChunkState.PINNED, pa.state(1));
        assertEquals(ChunkState.UNREAD, pa.state(0));
        assertEquals(1, pa.pinCount(1));
        assertTrue(c.memoryInUse() > 0);
        for (int i = o.chunkFirstFrame(1); i < o.chunkEndFrame(1); i++) {
            int at = (int) o.fileOffset(i);
            assertArrayEquals(Arrays.copyOfRange(data, at, at + o.payloadLen(i)),
                    Arrays.copyOfRange(o.frameBuf(i), o.payloadOff(i), o.payloadOff(i) + o.payloadLen(i)));
            assertEquals(CacheObjectTest.naiveSum(data, at, o.payloadLen(i)), o.payloadSum(i));
        }
        assertTrue(pa.tryPin(1), "a pinned chunk is sent from the softint");
        assertEquals(2, pa.pinCount(1));
        pa.unpin(1);
        assertEquals(1, pa.pinCount(1));

        c.invalidate("/big");
        o.release();
        assertTrue(c.memoryInUse() > 0, "a pin keeps the chunk's bytes after the object is dropped");
        pa.unpin(1);
        assertEquals(0, pa.pinCount(1));
        assertEquals(0, c.memoryInUse(), "the last unpin gives the memory back");
        assertThrows(IllegalStateException.class, () -> pa.unpin(1));
        assertFalse(pa.tryPin(1), "a freed object pins nothing");
        assertFalse(d.onKThread(() -> pa.pin(0)));
    }

    @Test
    @RumpKernel(components = "rumpvfs")
    void a_file_changed_since_open_is_not_pinned(Kernel k) throws Exception {
        Docs d = new Docs(k).dir("/www").write("/www/f", Docs.pattern(100_000, 1));
        AfpaCache c = new AfpaCache(k, 4 << 20);
        c.setDocroot("/www");
        CacheObject o = open(d, c, "/f");
        d.write("/www/f", Docs.pattern(90_000, 2));
        assertFalse(d.onKThread(() -> o.pins().pin(0)), "the worker sees a new size and passes the request on");
        assertFalse(o.valid());
        assertEquals(0, c.objects());
        o.release();
        assertEquals(0, c.memoryInUse());
    }

    @Test
    @RumpKernel(components = "rumpvfs")
    void a_get_completes_an_object_opened_lazily(Kernel k) throws Exception {
        byte[] data = Docs.pattern(150_000, 8);
        Docs d = new Docs(k).dir("/www").write("/www/f", data);
        AfpaCache c = new AfpaCache(k, 4 << 20);
        c.setDocroot("/www");
        CacheObject o = open(d, c, "/f");
        assertTrue(d.onKThread(() -> o.pins().pin(0)));
        CacheResult r = d.onKThread(() -> c.get("/f"));
        assertEquals(Status.HIT, r.status());
        assertSame(o, r.object());
        assertTrue(o.resident());
        assertArrayEquals(data, Docs.contents(o));
        assertEquals(1, o.pins().pinCount(0));
        assertEquals(0, o.pins().pinCount(1));
        o.pins().unpin(0);
        o.release();
        r.object().release();
        c.setRevalidateNanos(Long.MAX_VALUE);
        CacheObject hit = c.lookup("/f");
        assertSame(o, hit);
        hit.release();
    }
}
