package io.jrump.afpa;

import io.jrump.afpa.cache.CacheObject;
import io.jrump.rumpnet.mbuf.ExtFree;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.mbuf.MbufPool;

/**
 * Turns frames of a cache object into an mbuf chain to queue on a connection, without copying the
 * frames: each mbuf is a prebuilt frame ({@link MbufPool#getPrebuilt}) over the frame's own buffer,
 * carrying the payload sum computed when the object was built (with the HTTP header's folded in for
 * the first frame, issue 17: "a send fills in only what changes"), and its free hook gives the frame
 * back ({@link CacheObject#releaseFrame}) once TCP is done with it. This is the Linux seed's "queues
 * each frame associated with the object for transmission". The seed copies a buffer another request
 * is still sending ("AFPA makes an additional copy of the buffer") because its sends write headers into
 * the buffer; here TCP never writes into a frame (its headers go in an mbuf of their own), so sends
 * share frames read-only, and only the first frame's HTTP header room, which a response does write, is
 * held by one send at a time ({@link CacheObject#claimHeaderRoom}): another response sends its header in
 * an mbuf of its own. A frame is copied, counted in {@link AfpaStats#COPIED}, only if the object's
 * frames could not be held.
 *
 * <p>The last frame of a chain may carry a {@link ChunkFreed} hook: hook mode's "last packet of a chunk
 * is flagged", whose buffer-free hook queues the next chunk. Free hooks run on whatever thread frees
 * the last reference, possibly under a socket lock, so they only release counts and call
 * {@link ChunkFreed#chunkFreed}, which may only queue work.
 */
public final class FrameChains {
    /** Told when the flagged frame of a chunk has been freed: the chunk has left (or the connection died). */
    @FunctionalInterface
    public interface ChunkFreed {
        void chunkFreed(Object ctx);
    }

    /**
     * What a frame mbuf's free hook needs: the object and frame to give back (none for a copy), whether
     * the send holds the header room, and for the flagged frame whom to tell. A plain frame's is made
     * once per frame and kept in the object ({@link CacheObject#frameTag}); only a flagged frame, the
     * first frame with a header and a copy get one per send.
     */
    private record FrameRef(CacheObject obj, int frame, ChunkFreed done, Object ctx, boolean room) {
    }

    private static final ExtFree FREE = (buf, off, len, arg) -> {
        FrameRef r = (FrameRef) arg;
        if (r.obj != null) {
            if (r.room) {
                r.obj.releaseHeaderRoom();
            }
            r.obj.releaseFrame(r.frame);
        }
        if (r.done != null) {
            r.done.chunkFreed(r.ctx);
        }
    };

    private FrameChains() {
    }

    /** Payload bytes of frames {@code [from, to)}. */
    public static long bytes(CacheObject o, int from, int to) {
        long n = 0;
        for (int i = from; i < to; i++) {
            n += o.payloadLen(i);
        }
        return n;
    }

    /**
     * A chain of {@code hdr[0, hdrLen)} (if {@code hdr} is not null) followed by frames {@code [from, to)}
     * of {@code o}; the last frame flagged with {@code done} if not null. The header goes into the first
     * frame's reserved room when it fits and the frame is not in flight, else into an mbuf of its own.
     * Null if the mbuf pool ran dry; every frame claimed so far is given back then, and {@code done} may
     * have been told (its receiver checks whether it still sends).
     */
    public static Mbuf build(MbufPool pool, CacheObject o, int from, int to, byte[] hdr, int hdrLen,
                             ChunkFreed done, Object ctx, AfpaStats stats) {
        Mbuf head = null;
        Mbuf tail = null;
        boolean hdrPending = hdr != null && hdrLen > 0;
        for (int i = from; i < to; i++) {
            int len = o.payloadLen(i);
            ChunkFreed flag = i == to - 1 ? done : null;
            Mbuf m;
            if (o.shareFrame(i)) {
                byte[] buf = o.frameBuf(i);
                int off = o.payloadOff(i);
                int room = o.headroom(i);
                int sum = o.payloadSum(i);
                boolean inRoom = false;
                if (hdrPending && i == 0 && hdrLen <= room - CacheObject.HEADROOM && o.claimHeaderRoom()) {
                    System.arraycopy(hdr, 0, buf, off - hdrLen, hdrLen);
                    sum = o.sumWithHeader(hdrLen);
                    off -= hdrLen;
                    len += hdrLen;
                    room -= hdrLen;
                    hdrPending = false;
                    inRoom = true;
                }
                Object arg = flag == null && !inRoom ? plainRef(o, i) : new FrameRef(o, i, flag, ctx, inRoom);
                m = pool.getPrebuilt(buf, off, len, room, sum, FREE, arg);
                if (m == null) {
                    if (inRoom) {
                        o.releaseHeaderRoom();
                    }
                    o.releaseFrame(i);
                }
            } else {
                byte[] copy = new byte[len];
                System.arraycopy(o.frameBuf(i), o.payloadOff(i), copy, 0, len);
                m = pool.getPrebuilt(copy, 0, len, 0, o.payloadSum(i), FREE, new FrameRef(null, i, flag, ctx, false));
                if (stats != null) {
                    stats.inc(AfpaStats.COPIED);
                }
            }
            if (m == null) {
                free(pool, head);
                return null;
            }
            if (hdrPending) {
                Mbuf h = MbufCopy.fromBytes(pool, hdr, 0, hdrLen);
                if (h == null) {
                    free(pool, head);
                    pool.free(m);
                    return null;
                }
                head = h;
                tail = last(h);
                hdrPending = false;
            }
            if (head == null) {
                head = m;
            } else {
                tail.setNext(m);
            }
            tail = m;
        }
        if (hdrPending) {
            return MbufCopy.fromBytes(pool, hdr, 0, hdrLen);
        }
        return head;
    }

    /** The free-hook argument of frame {@code i} sent with no flag and no header: made once per frame. */
    private static FrameRef plainRef(CacheObject o, int i) {
        Object t = o.frameTag(i);
        if (t instanceof FrameRef r) {
            return r;
        }
        FrameRef r = new FrameRef(o, i, null, null, false);
        o.setFrameTag(i, r);
        return r;
    }

    private static Mbuf last(Mbuf m) {
        while (m.next() != null) {
            m = m.next();
        }
        return m;
    }

    private static void free(MbufPool pool, Mbuf head) {
        if (head != null) {
            pool.freeChain(head);
        }
    }
}
