package io.jrump.afpa.cache;

import io.jrump.wire.InternetChecksum;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * A document held as the frames it is sent in (the Linux AFPA seed: the file is read "into
 * Ethernet-frame-sized buffers", with "additional space in the first buffer for HTTP headers"). Frame
 * {@code i} is a slot of a 128 KB block holding up to {@link #framePayload()} bytes of the file (a
 * connection's segment payload), except the first, whose data starts {@link #HDR_ROOM} bytes into its
 * slot and holds that much less, so that the HTTP header written in front of its data still fits one
 * segment. An empty file has one frame with no data.
 *
 * <p>The seed also leaves space "for TCP, IP, and Ethernet headers" in every buffer, because its send
 * writes those headers in front of the payload in place. Here TCP never writes into a frame: its headers go
 * in an mbuf of their own, since a frame is shared read-only by every send of it (ksock's
 * {@code TcpTransmit}). Per-frame header room would be dead space that keeps each frame's data apart from
 * the next; without it the frames of a chunk that sit in consecutive slots of a block are one contiguous
 * run, which goes to TCP as a single mbuf carrying each frame's sum ({@code FrameChains}, issue 17's
 * 128 KB target).
 *
 * <p>Each frame's payload ones-complement sum is computed once, when it is read, so a send completes
 * the TCP checksum without reading the payload; {@link #sumWithHeader} adds the HTTP header in front of
 * the first frame's data.
 *
 * <p>References: the cache holds one while the object is listed; {@link AfpaCache#lookup} and
 * {@link AfpaCache#get} hand one to their caller, a pin ({@link PinArray}) and a frame in flight
 * ({@link #shareFrame}) each hold one. The frames go back to the allocator when the last is dropped,
 * whether or not the object is still valid, so an evicted object's bytes stay intact for the sends
 * still using them.
 *
 * <p>In flight: a frame handed to TCP as a prebuilt mbuf is read-only until the mbuf's free hook fired
 * (the ksock contract: its bytes are never rewritten while a send may read them). Sends share frames
 * ({@link #shareFrame}), since nothing writes into them; the first frame's header room, which each
 * response rewrites, is held by one send at a time ({@link #claimHeaderRoom}).
 */
public final class CacheObject {
    /**
     * Bytes reserved in front of the first frame's data for the HTTP response header: a status line
     * and the headers the accelerator writes ({@code Date}, {@code Server}, {@code Content-Length},
     * {@code Content-Type}, {@code Last-Modified}, {@code Connection}, {@code Keep-Alive}) take about
     * 250; a header that does not fit goes in its own mbuf in front.
     */
    public static final int HDR_ROOM = 384;
    /** The smallest frame payload: the first frame must still carry some data after the header room. */
    public static final int MIN_FRAME_PAYLOAD = HDR_ROOM + 128;

    private final AfpaCache cache;
    private final String path;
    private final long size;
    private final long mtime;
    private final String contentType;
    private final int framePayload;
    private final int framesPerChunk;
    private final FrameBuf[] frames;
    private final int[] sums;
    private final AtomicIntegerArray inFlight;
    private final AtomicInteger headerRoom = new AtomicInteger();
    private final Object[] tags;
    private final PinArray pins;
    private final AtomicInteger refs = new AtomicInteger(1);
    private volatile boolean valid = true;
    /** When the file was last seen unchanged (the kernel's monotonic clock). */
    volatile long checkedAt;

    CacheObject(AfpaCache cache, String path, long size, long mtime, String contentType, int framePayload) {
        this.cache = cache;
        this.path = path;
        this.size = size;
        this.mtime = mtime;
        this.contentType = contentType;
        this.framePayload = framePayload;
        int n = frameCount(size, framePayload);
        this.frames = new FrameBuf[n];
        this.sums = new int[n];
        this.inFlight = new AtomicIntegerArray(n);
        this.tags = new Object[n];
        this.framesPerChunk = Math.max(1, PinArray.CHUNK_SIZE / framePayload);
        this.pins = new PinArray(cache.kernel(), this, (n + framesPerChunk - 1) / framesPerChunk);
    }

    /** The number of frames {@code size} bytes take with frames of {@code framePayload} bytes. */
    public static int frameCount(long size, int framePayload) {
        long first = framePayload - HDR_ROOM;
        if (size <= first) {
            return 1;
        }
        long n = 1 + (size - first + framePayload - 1) / framePayload;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("object of " + size + " bytes");
        }
        return (int) n;
    }

    /** The size of one frame's slot: its payload, so that consecutive slots hold contiguous data. */
    public static int slotSize(int framePayload) {
        return framePayload;
    }

    AfpaCache cache() {
        return cache;
    }

    /** The path under the docroot this object was built from. */
    public String path() {
        return path;
    }

    /** The file's size in bytes when it was read. */
    public long size() {
        return size;
    }

    /** The file's modification time when it was read, nanoseconds since the epoch. */
    public long mtime() {
        return mtime;
    }

    public String contentType() {
        return contentType;
    }

    public int framePayload() {
        return framePayload;
    }

    public int frameCount() {
        return frames.length;
    }

    /** The block array that holds frame {@code i}. */
    public byte[] frameBuf(int i) {
        return frames[i].buf();
    }

    /** Where frame {@code i}'s file data starts in {@link #frameBuf}. */
    public int payloadOff(int i) {
        return frames[i].off() + headroom(i);
    }

    /** Bytes free in front of frame {@code i}'s data: {@link #HDR_ROOM} in the first, none in the others. */
    public int headroom(int i) {
        return i == 0 ? HDR_ROOM : 0;
    }

    /**
     * Whether frame {@code i + 1}'s data directly follows frame {@code i}'s in the same block, so that both
     * go to TCP in one mbuf.
     */
    public boolean contiguous(int i) {
        FrameBuf a = frames[i];
        FrameBuf b = frames[i + 1];
        return a != null && b != null && a.buf() == b.buf() && payloadOff(i) + payloadLen(i) == payloadOff(i + 1);
    }

    /** The per-frame payload sums, indexed by frame; read-only for the caller (a run mbuf refers to it). */
    public int[] sums() {
        return sums;
    }

    /** File data bytes in frame {@code i}. */
    public int payloadLen(int i) {
        long left = size - fileOffset(i);
        int cap = i == 0 ? framePayload - HDR_ROOM : framePayload;
        return (int) Math.max(0, Math.min(cap, left));
    }

    /** The file offset of frame {@code i}'s first data byte. */
    public long fileOffset(int i) {
        return i == 0 ? 0 : (framePayload - HDR_ROOM) + (long) (i - 1) * framePayload;
    }

    /**
     * The ones-complement sum of frame {@code i}'s data, folded to 16 bits as
     * {@link InternetChecksum#sum} gives it (RFC 1071), for data that starts at an even offset of
     * the segment.
     */
    public int payloadSum(int i) {
        return sums[i];
    }

    /**
     * The sum of the first frame's segment payload when an HTTP header of {@code headerLen} bytes
     * ({@code 0..HDR_ROOM}) has been written right in front of its data (at
     * {@code payloadOff(0) - headerLen}). After an odd-length header the data starts at an odd offset,
     * where every 16-bit word the precomputed sum added is split across two: the data's sum is then
     * its byte-swapped value (RFC 1071 section 2(B), byte order independence).
     */
    public int sumWithHeader(int headerLen) {
        if (headerLen < 0 || headerLen > HDR_ROOM) {
            throw new IllegalArgumentException("header of " + headerLen + " bytes");
        }
        int h = InternetChecksum.sum(frameBuf(0), payloadOff(0) - headerLen, headerLen);
        return sumWithHeader(h, headerLen, sums[0]);
    }

    /** The sum of a header of {@code headerLen} bytes with sum {@code headerSum} followed by data with sum {@code dataSum}. */
    public static int sumWithHeader(int headerSum, int headerLen, int dataSum) {
        return InternetChecksum.combine(headerSum, dataSum, (headerLen & 1) != 0);
    }

    // --- chunks -----------------------------------------------------------------------------------

    /** The pin array over this object's chunks. */
    public PinArray pins() {
        return pins;
    }

    /** Frames in one chunk (the last chunk may have fewer). */
    public int framesPerChunk() {
        return framesPerChunk;
    }

    public int chunkOf(int frame) {
        return frame / framesPerChunk;
    }

    public int chunkFirstFrame(int chunk) {
        return chunk * framesPerChunk;
    }

    /** One past the last frame of {@code chunk}. */
    public int chunkEndFrame(int chunk) {
        return Math.min(frames.length, (chunk + 1) * framesPerChunk);
    }

    /** Whether {@code frame} ends its chunk: the frame the hook mode flags, whose free hook sends the next chunk. */
    public boolean lastOfChunk(int frame) {
        return frame == frames.length - 1 || (frame + 1) % framesPerChunk == 0;
    }

    /** Whether every frame has been read (always, for an object built for the hook mode). */
    public boolean resident() {
        return pins.allPinned();
    }

    // --- in flight --------------------------------------------------------------------------------

    /**
     * Counts frame {@code i} in flight once more and holds the object; false if its frames are already
     * freed. Many sends may share a frame: nothing writes into a frame's payload or headroom once it is
     * built (TCP puts its headers in an mbuf of its own, ksock's {@code TcpTransmit}); the one region the
     * engine rewrites, the first frame's HTTP header room, is claimed apart ({@link #claimHeaderRoom}).
     * Undone by {@link #releaseFrame} from the mbuf's free hook.
     */
    public boolean shareFrame(int i) {
        if (!hold()) {
            return false;
        }
        inFlight.incrementAndGet(i);
        return true;
    }

    /** {@link #shareFrame} for frames {@code [from, to)} at once, with one hold on the object. */
    public boolean shareFrames(int from, int to) {
        if (!hold()) {
            return false;
        }
        for (int i = from; i < to; i++) {
            inFlight.incrementAndGet(i);
        }
        return true;
    }

    /** The free hook's side of {@link #shareFrames}. */
    public void releaseFrames(int from, int to) {
        for (int i = from; i < to; i++) {
            if (inFlight.decrementAndGet(i) < 0) {
                inFlight.incrementAndGet(i);
                throw new IllegalStateException("frame " + i + " of " + path + " is not in flight");
            }
        }
        release();
    }

    /** The free hook's side of {@link #shareFrame}: only atomic counts and, at the last hold, the allocator's short lock. */
    public void releaseFrame(int i) {
        if (inFlight.decrementAndGet(i) < 0) {
            inFlight.incrementAndGet(i);
            throw new IllegalStateException("frame " + i + " of " + path + " is not in flight");
        }
        release();
    }

    /** Sends that have frame {@code i} now. */
    public int inFlight(int i) {
        return inFlight.get(i);
    }

    /**
     * Claims the first frame's header room for one response's HTTP header, if no send in flight reads a
     * header there: the seed's rule that bytes in flight are never rewritten ("AFPA makes an additional
     * copy"); a response that finds the room taken sends its header in an mbuf of its own instead.
     * Undone by {@link #releaseHeaderRoom} from that frame's free hook.
     */
    public boolean claimHeaderRoom() {
        return headerRoom.compareAndSet(0, 1);
    }

    public void releaseHeaderRoom() {
        if (!headerRoom.compareAndSet(1, 0)) {
            throw new IllegalStateException("header room of " + path + " is not claimed");
        }
    }

    /**
     * What the engine attached to frame {@code i} (the free-hook argument of an unflagged frame, made once
     * per frame rather than once per send); null until set. A racing set stores an equal value.
     */
    public Object frameTag(int i) {
        return tags[i];
    }

    public void setFrameTag(int i, Object tag) {
        tags[i] = tag;
    }

    // --- references -------------------------------------------------------------------------------

    /** One more hold on the object's frames; false if they are already freed. */
    public boolean hold() {
        for (;;) {
            int r = refs.get();
            if (r <= 0) {
                return false;
            }
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    /** Drops a hold; the last one gives the frames back to the allocator. */
    public void release() {
        int r = refs.decrementAndGet();
        if (r == 0) {
            cache.freeFrames(this);
        } else if (r < 0) {
            refs.incrementAndGet();
            throw new IllegalStateException("release of a freed cache object " + path);
        }
    }

    int refs() {
        return refs.get();
    }

    /** Whether the object is still the cache's copy of its file (false once evicted or invalidated). */
    public boolean valid() {
        return valid;
    }

    void invalidate() {
        valid = false;
    }

    FrameBuf frame(int i) {
        return frames[i];
    }

    void setFrame(int i, FrameBuf f, int sum) {
        frames[i] = f;
        sums[i] = sum;
    }

    void clearFrame(int i) {
        frames[i] = null;
    }

    @Override
    public String toString() {
        return "afpa object " + path + " (" + size + " bytes, " + frames.length + " frames)";
    }
}
