package io.jrump.afpa;

import io.jrump.afpa.cache.CacheObject;
import io.jrump.rumpnet.mbuf.ExtFree;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.mbuf.MbufFlags;
import io.jrump.rumpnet.mbuf.MbufPool;

/**
 * Turns frames of a cache object into an mbuf chain to queue on a connection, without copying the
 * frames: each mbuf is a prebuilt run ({@link MbufPool#getPrebuiltRun}) over frames that lie back to back
 * in one cache block, carrying each frame's payload sum computed when the object was built (the first
 * frame's with the HTTP header folded in, issue 17: "a send fills in only what changes"), and its free
 * hook gives the frames back ({@link CacheObject#releaseFrames}) once TCP is done with them. This is the
 * Linux seed's "queues each frame associated with the object for transmission", with one mbuf for a run
 * of frames rather than one per frame: TCP that cuts its own segments still cuts at each frame's end and
 * takes that frame's sum, and an interface that segments itself (TSO) takes the run whole.
 *
 * <p><b>Frames in flight are shared, not copied.</b> The seed copies a frame that another response is
 * still sending ("If an additional request is received for a cache object that is in the process of being
 * sent, AFPA makes an additional copy of the buffer (i.e. Ethernet frame)", {@code
 * ../shared/seeds/000_e72d5458a6362c1e.txt}) because there a frame is the packet: each send writes the
 * TCP, IP and Ethernet headers and the HTTP header into the buffer's reserved space, so a second send would
 * overwrite the headers of the first while its packet still waits to go. Here nothing a send writes lands
 * in a frame's bytes: TCP builds its headers in an mbuf of its own and never writes into prebuilt storage,
 * even for a retransmission (ksock's {@code TcpTransmit}), and the mbuf layer treats shared external
 * storage as read-only. The one region a response does write, the first frame's HTTP header room, is
 * claimed by one send at a time ({@link CacheObject#claimHeaderRoom}); another response meanwhile sends
 * its header in an mbuf of its own. So two responses reading one frame read the same unchanging bytes, and
 * the unsafe sharing the seed's copy avoids cannot happen. A frame is still copied, counted in
 * {@link AfpaStats#COPIED}, when the object's frames could not be held (it was freed under the sender).
 *
 * <p>The last mbuf of a chain may carry a {@link ChunkFreed} hook: hook mode's "last packet of a chunk
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
     * What a run mbuf's free hook needs: the object and frames {@code [from, to)} to give back (no object
     * for a copy), whether the send holds the header room, and for the flagged run whom to tell. A plain
     * run's is made once per first frame and kept in the object ({@link CacheObject#frameTag}); only a
     * flagged run, one with a header in the room and a copy get one per send.
     */
    private record FrameRef(CacheObject obj, int from, int to, ChunkFreed done, Object ctx, boolean room) {
    }

    private static final ExtFree FREE = (buf, off, len, arg) -> {
        FrameRef r = (FrameRef) arg;
        if (r.obj != null) {
            if (r.room) {
                r.obj.releaseHeaderRoom();
            }
            r.obj.releaseFrames(r.from, r.to);
        }
        if (r.done != null) {
            r.done.chunkFreed(r.ctx);
        }
    };

    /**
     * The most file bytes one run mbuf carries: a jumbo cluster's worth, as the user-level server's socket
     * writes fill. A peer kernel on an in-memory wire is lent the run rather than a copy, and each mbuf it
     * keeps in its receive buffer charges the whole storage behind it ({@code sb_mbcnt}): a run of a whole
     * chunk would close that peer's window after a few segments.
     */
    static final int MAX_RUN = Mbuf.MJUMBYTES;

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
     * of {@code o}, the frames that lie back to back in one block as one mbuf each run; the last run
     * flagged with {@code done} if not null. The header goes into the first frame's reserved room when it
     * fits and no other send has the room, else into an mbuf of its own. Null if the mbuf pool ran dry;
     * every frame claimed so far is given back then, and {@code done} may have been told (its receiver
     * checks whether it still sends).
     */
    public static Mbuf build(MbufPool pool, CacheObject o, int from, int to, byte[] hdr, int hdrLen,
                             ChunkFreed done, Object ctx, AfpaStats stats) {
        Mbuf head = null;
        Mbuf tail = null;
        boolean hdrPending = hdr != null && hdrLen > 0;
        int i = from;
        while (i < to) {
            int end = i + 1;
            int runLen = o.payloadLen(i);
            while (end < to && o.contiguous(end - 1) && runLen + o.payloadLen(end) <= MAX_RUN) {
                runLen += o.payloadLen(end);
                end++;
            }
            ChunkFreed flag = end == to ? done : null;
            Mbuf m;
            if (o.shareFrames(i, end)) {
                m = run(pool, o, i, end, hdrPending ? hdr : null, hdrLen, flag, ctx);
                if (m != null && i == 0 && hdrPending && (m.flags() & MbufFlags.M_PREBUILT) != 0
                        && m.off() < o.payloadOff(0)) {
                    hdrPending = false;
                }
            } else {
                // the object was freed under the sender: copies, frame by frame
                m = copies(pool, o, i, end, flag, ctx, stats);
            }
            if (m == null) {
                free(pool, head);
                return null;
            }
            if (hdrPending) {
                Mbuf h = MbufCopy.fromBytes(pool, hdr, 0, hdrLen);
                if (h == null) {
                    free(pool, head);
                    pool.freeChain(m);
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
            tail = last(m);
            i = end;
        }
        if (hdrPending) {
            return MbufCopy.fromBytes(pool, hdr, 0, hdrLen);
        }
        return head;
    }

    /**
     * One mbuf over frames {@code [from, to)}, which the caller has shared; with the header written into
     * the room of frame 0 if {@code hdr} is given and the room can be claimed. Null (the frames given
     * back) if the pool ran dry.
     */
    private static Mbuf run(MbufPool pool, CacheObject o, int from, int to, byte[] hdr, int hdrLen, ChunkFreed flag,
                            Object ctx) {
        byte[] buf = o.frameBuf(from);
        int off = o.payloadOff(from);
        int room = o.headroom(from);
        int firstLen = o.payloadLen(from);
        int firstSum = o.payloadSum(from);
        int len = 0;
        for (int k = from; k < to; k++) {
            len += o.payloadLen(k);
        }
        boolean inRoom = false;
        if (hdr != null && from == 0 && hdrLen <= room && o.claimHeaderRoom()) {
            System.arraycopy(hdr, 0, buf, off - hdrLen, hdrLen);
            firstSum = o.sumWithHeader(hdrLen);
            off -= hdrLen;
            len += hdrLen;
            firstLen += hdrLen;
            room -= hdrLen;
            inRoom = true;
        }
        Object arg = flag == null && !inRoom ? plainRef(o, from, to) : new FrameRef(o, from, to, flag, ctx, inRoom);
        Mbuf m = pool.getPrebuiltRun(buf, off, len, room, firstLen, firstSum, o.framePayload(), o.sums(), from,
                FREE, arg);
        if (m == null) {
            if (inRoom) {
                o.releaseHeaderRoom();
            }
            o.releaseFrames(from, to);
        }
        return m;
    }

    /** Copies of frames {@code [from, to)}, one prebuilt mbuf each, the last flagged; null if the pool ran dry. */
    private static Mbuf copies(MbufPool pool, CacheObject o, int from, int to, ChunkFreed flag, Object ctx,
                               AfpaStats stats) {
        Mbuf head = null;
        Mbuf tail = null;
        for (int i = from; i < to; i++) {
            int len = o.payloadLen(i);
            byte[] copy = new byte[len];
            System.arraycopy(o.frameBuf(i), o.payloadOff(i), copy, 0, len);
            Mbuf m = pool.getPrebuilt(copy, 0, len, 0, o.payloadSum(i), FREE,
                    new FrameRef(null, i, i + 1, i == to - 1 ? flag : null, ctx, false));
            if (m == null) {
                free(pool, head);
                return null;
            }
            if (stats != null) {
                stats.inc(AfpaStats.COPIED);
            }
            if (head == null) {
                head = m;
            } else {
                tail.setNext(m);
            }
            tail = m;
        }
        return head;
    }

    /** The free-hook argument of the run {@code [from, to)} sent with no flag and no header: made once per run. */
    private static FrameRef plainRef(CacheObject o, int from, int to) {
        Object t = o.frameTag(from);
        if (t instanceof FrameRef r && r.to == to) {
            return r;
        }
        FrameRef r = new FrameRef(o, from, to, null, null, false);
        o.setFrameTag(from, r);
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
