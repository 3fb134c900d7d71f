package io.jrump.afpa.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.afpa.cache.CacheResult.Status;
import io.jrump.kern.Kernel;
import io.jrump.testkit.RumpKernel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Cache objects as frames: layout, payload sums against a plain recomputation, headers in front, in-flight claims. */
class CacheObjectTest {
    /** RFC 1071's sum the slow way: big-endian 16-bit words, an odd last byte padded with zero, carries folded. */
    static int naiveSum(byte[] b, int off, int len) {
        long s = 0;
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xff;
            int lo = i + 1 < len ? b[off + i + 1] & 0xff : 0;
            s += hi << 8 | lo;
        }
        while (s >>> 16 != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    private static CacheObject build(Docs d, AfpaCache c, String path) throws Exception {
        CacheResult r = d.onKThread(() -> c.get(path));
        assertEquals(Status.BUILT, r.status(), path);
        return r.object();
    }

    @Test
    @RumpKernel(components = "rumpvfs")
    void a_small_file_is_one_frame_with_the_golden_sum(Kernel k) throws Exception {
        Docs d = new Docs(k).dir("/www").write("/www/hello.txt", "hello, world\n".getBytes(StandardCharsets.US_ASCII));
        AfpaCache c = new AfpaCache(k, 1 << 20);
        c.setDocroot("/www");
        c.setContentTypes(p -> p.endsWith(".txt") ? "text/plain" : "application/octet-stream");
        CacheObject o = build(d, c, "/hello.txt");
        assertEquals(1, o.frameCount());
        assertEquals(13, o.size());
        assertEquals(13, o.payloadLen(0));
        assertEquals("text/plain", o.contentType());
        assertEquals("hello, world\n", new String(o.frameBuf(0), o.payloadOff(0), 13, StandardCharsets.US_ASCII));
        assertEquals(0x4a4c, o.payloadSum(0), "the sum of 'hello, world\\n' as RFC 1071 adds it");
        assertEquals(CacheObject.HDR_ROOM, o.headroom(0));
        assertTrue(o.payloadOff(0) - o.headroom(0) >= 0);

        byte[] h = "HTTP/1.0 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(h, 0, o.frameBuf(0), o.payloadOff(0) - h.length, h.length);
        assertEquals(0x161c, o.sumWithHeader(h.length), "19 header bytes put the data at an odd offset");
        assertEquals(o.payloadSum(0), o.sumWithHeader(0));
        o.release();
        c.close();
        assertEquals(0, c.memoryInUse());
    }

    @Test
    @RumpKernel(components = "rumpvfs")
    void frames_and_sums_match_a_recomputation(Kernel k) throws Exception {
        byte[] data = Docs.pattern(200_001, 7);
        Docs d = new Docs(k).dir("/www").write("/www/big.bin", data).write("/www/empty", new byte[0]);
        AfpaCache c = new AfpaCache(k, 4 << 20);
        c.setDocroot("/www");
        CacheObject o = build(d, c, "/big.bin");
        int fp = o.framePayload();
        assertEquals(AfpaCache.DEFAULT_FRAME_PAYLOAD, fp);
        assertEquals(CacheObject.frameCount(data.length, fp), o.frameCount());
        assertEquals(fp - CacheObject.HDR_ROOM, o.payloadLen(0), "the first frame leaves room for the HTTP header");
        long at = 0;
        for (int i = 0; i < o.frameCount(); i++) {
            assertEquals(at, o.fileOffset(i));
            int n = o.payloadLen(i);
            assertTrue(n > 0 && n <= (i == 0 ? fp - CacheObject.HDR_ROOM : fp));
            assertTrue(o.payloadOff(i) - o.headroom(i) >= 0 && o.payloadOff(i) + n <= o.frameBuf(i).length);
            assertArrayEquals(Arrays.copyOfRange(data, (int) at, (int) at + n),
                    Arrays.copyOfRange(o.frameBuf(i), o.payloadOff(i), o.payloadOff(i) + n), "frame " + i);
            assertEquals(naiveSum(data, (int) at, n), o.payloadSum(i), "sum of frame " + i);
            at += n;
        }
        assertEquals(data.length, at);
        assertArrayEquals(data, Docs.contents(o));

        // chunks are runs of whole frames of at most 64 KB, the last frame of each flagged
        int chunks = o.pins().chunks();
        assertEquals((o.frameCount() + o.framesPerChunk() - 1) / o.framesPerChunk(), chunks);
        for (int ch = 0; ch < chunks; ch++) {
            long bytes = 0;
            for (int i = o.chunkFirstFrame(ch); i < o.chunkEndFrame(ch); i++) {
                bytes += o.payloadLen(i);
                assertEquals(ch, o.chunkOf(i));
                assertEquals(i == o.chunkEndFrame(ch) - 1, o.lastOfChunk(i), "frame " + i);
            }
            assertTrue(bytes <= PinArray.CHUNK_SIZE);
        }

        // every header length, even and odd, in front of the first frame's data
        byte[] hdr = Docs.pattern(CacheObject.HDR_ROOM, 3);
        byte[] seg = new byte[CacheObject.HDR_ROOM + o.payloadLen(0)];
        for (int len = 0; len <= CacheObject.HDR_ROOM; len++) {
            System.arraycopy(hdr, 0, o.frameBuf(0), o.payloadOff(0) - len, len);
            System.arraycopy(hdr, 0, seg, 0, len);
            System.arraycopy(data, 0, seg, len, o.payloadLen(0));
            assertEquals(naiveSum(seg, 0, len + o.payloadLen(0)), o.sumWithHeader(len), "header of " + len);
        }
        o.release();

        CacheObject e = build(d, c, "/empty");
        assertEquals(1, e.frameCount(), "an empty file still has a frame for the header");
        assertEquals(0, e.payloadLen(0));
        assertEquals(0, e.payloadSum(0));
        e.release();
    }

    @Test
    @RumpKernel(components = "rumpvfs")
    void frames_in_flight_are_shared_and_the_header_room_is_claimed_by_one_send(Kernel k) throws Exception {
        Docs d = new Docs(k).dir("/www").write("/www/a", Docs.pattern(5000, 1));
        AfpaCache c = new AfpaCache(k, 1 << 20);
        c.setDocroot("/www");
        CacheObject o = build(d, c, "/a");
        assertTrue(o.shareFrame(0));
        assertTrue(o.shareFrame(0), "a second send shares the frame's read-only bytes");
        assertEquals(2, o.inFlight(0));
        assertTrue(o.claimHeaderRoom());
        assertFalse(o.claimHeaderRoom(), "a second response's header goes in an mbuf of its own");
        assertTrue(o.shareFrame(1));
        c.invalidate("/a");
        o.release();
        assertTrue(c.memoryInUse() > 0, "frames in flight keep their bytes after the object is dropped");
        o.releaseHeaderRoom();
        assertTrue(o.claimHeaderRoom(), "the room is free once the send that wrote it let go");
        o.releaseHeaderRoom();
        o.releaseFrame(0);
        o.releaseFrame(0);
        assertEquals(0, o.inFlight(0));
        o.releaseFrame(1);
        assertEquals(0, c.memoryInUse(), "the last free hook gives the blocks back");
    }
}
