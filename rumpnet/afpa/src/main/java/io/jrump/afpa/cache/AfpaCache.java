package io.jrump.afpa.cache;

import io.jrump.afpa.cache.CacheResult.Status;
import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.mem.Kmem;
import io.jrump.kern.sync.KMutex;
import io.jrump.vfs.VType;
import io.jrump.vfs.Vattr;
import io.jrump.vfs.Vfs;
import io.jrump.vfs.Vnode;
import io.jrump.wire.InternetChecksum;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The accelerator's cache of documents, by path under the docroot (issue 17, "Cache objects"): each
 * a {@link CacheObject} of prebuilt frames in {@link BlockAllocator} memory.
 *
 * <ul>
 * <li>{@link #lookup} is the network softint's: it never blocks on I/O, and gives an object only if
 *     it is fully in memory and its file was seen unchanged within the revalidation interval; anything
 *     else is a miss the engine queues to a service thread.</li>
 * <li>{@link #get} (hook mode) and {@link #open} (tdi mode) are a kernel thread's: they look the file
 *     up through rumpvfs, and a cached object whose file's mtime or size changed is dropped
 *     (invalidated) and read again. {@code get} reads every chunk before it returns; {@code open}
 *     leaves them unread for {@link PinArray#pin}.</li>
 * <li>Memory: the blocks are bounded by the cache's size limit and the kernel's memory limit. When
 *     either refuses a block, the least recently used objects that no send holds are evicted until the
 *     frame fits; when nothing is left to evict the build fails with {@link Status#NO_MEMORY}, and the
 *     engine passes the request through. A file over the largest-object limit, or larger than the whole
 *     cache, is never read ({@link Status#TOO_LARGE}). Under kernel memory pressure the cache is also a
 *     {@link Kmem.Reclaimer}: it gives back every object no send holds, as a pagedaemon gives back
 *     clean file pages.</li>
 * </ul>
 *
 * <p>No method throws for a failure of the file or of memory; the results say what happened.
 */
public final class AfpaCache {
    /** The cache size limit when none is set ({@code net.afpa.cache_size}). */
    public static final long DEFAULT_SIZE = 32L << 20;
    /** The largest object cached when no limit is set. */
    public static final long DEFAULT_MAX_OBJECT = 4L << 20;
    /** Ethernet's TCP segment payload (1500 - 20 - 20). */
    public static final int DEFAULT_FRAME_PAYLOAD = 1460;
    /** How long a lookup trusts that a file is unchanged without looking at it again. */
    public static final long DEFAULT_REVALIDATE_NANOS = 1_000_000_000L;

    private final Kernel kernel;
    private final BlockAllocator allocator;
    private final VfsReader reader;
    private final KMutex lock;
    /** Access-ordered: the eldest entry is the least recently used. Guarded by {@link #lock}. */
    private final LinkedHashMap<String, CacheObject> objects = new LinkedHashMap<>(64, 0.75f, true);
    private final KernelHooks hooks;
    private volatile boolean closed;
    private volatile long maxObject = DEFAULT_MAX_OBJECT;
    private volatile int framePayload = DEFAULT_FRAME_PAYLOAD;
    private volatile long revalidateNanos = DEFAULT_REVALIDATE_NANOS;
    private volatile Function<String, String> contentTypes = p -> "application/octet-stream";
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong builds = new AtomicLong();
    private final AtomicLong buildFailures = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    private final AtomicLong invalidations = new AtomicLong();
    private final AtomicLong tooLarge = new AtomicLong();

    /**
     * The kernel keeps its reclaimers and halt hooks for its whole life; they hold this small hook,
     * which lets go of the cache when the cache closes (a module unloaded and loaded again).
     */
    private static final class KernelHooks implements Kmem.Reclaimer, Runnable {
        volatile AfpaCache cache;

        @Override
        public long reclaim() {
            AfpaCache c = cache;
            return c == null ? 0 : c.reclaim();
        }

        /** The kernel halts: the cache empties, so that the halt finds no block left. */
        @Override
        public void run() {
            AfpaCache c = cache;
            if (c != null) {
                c.close();
            }
        }
    }

    /**
     * A cache over the kernel's rumpvfs ({@link Vfs} service); it serves nothing until
     * {@link #setDocroot} names its directory. Paths given to it are under that docroot ({@code /a.html}).
     */
    public AfpaCache(Kernel kernel, long sizeLimit) {
        Vfs vfs = kernel.service(Vfs.class);
        if (vfs == null) {
            throw new IllegalStateException("the cache reads through rumpvfs, which is not attached");
        }
        this.kernel = kernel;
        this.allocator = new BlockAllocator(kernel, sizeLimit);
        this.reader = new VfsReader(kernel, vfs);
        this.lock = kernel.newMutex();
        this.hooks = new KernelHooks();
        hooks.cache = this;
        kernel.kmem().addReclaimer(hooks);
        kernel.onHalt(hooks);
    }

    Kernel kernel() {
        return kernel;
    }

    public BlockAllocator allocator() {
        return allocator;
    }

    // --- configuration -----------------------------------------------------------------------------

    /**
     * Serves documents from {@code rumpPath} (a directory) from now on; the cached objects, named
     * relative to the old docroot, are dropped. ENOENT, ENOTDIR and the like if it is no directory, and
     * then nothing is served (every path is {@link Status#NOT_FOUND}) until a docroot is set.
     */
    public void setDocroot(String rumpPath) throws ErrnoException {
        try {
            reader.setDocroot(rumpPath);
        } finally {
            flush();
        }
    }

    /** The docroot's rump path; null until one is set, or after a failed change (nothing is served then). */
    public String docroot() {
        return reader.docroot();
    }

    /** The cache size limit ({@code net.afpa.cache_size}); lowering it evicts at once what no send holds. */
    public void setSizeLimit(long bytes) {
        allocator.setLimit(bytes);
        while (allocator.inUse() > bytes && evictOne()) {
            // each eviction frees the blocks it empties
        }
    }

    public long sizeLimit() {
        return allocator.limit();
    }

    /** The largest file cached ({@code net.afpa.max_object}); larger ones are passed through. */
    public void setMaxObject(long bytes) {
        this.maxObject = bytes;
    }

    public long maxObject() {
        return maxObject;
    }

    /**
     * The payload bytes of the frames of objects built from now on: the connections' segment size
     * (the interface MTU less the IP and TCP headers). Objects already built keep theirs
     * ({@link CacheObject#framePayload()}).
     */
    public void setFramePayload(int bytes) {
        if (bytes < CacheObject.MIN_FRAME_PAYLOAD || CacheObject.slotSize(bytes) > BlockAllocator.BLOCK_SIZE) {
            throw new IllegalArgumentException("frame payload of " + bytes + " bytes");
        }
        this.framePayload = bytes;
    }

    public int framePayload() {
        return framePayload;
    }

    /** How long {@link #lookup} trusts an object without looking at its file again; 0 makes every lookup miss. */
    public void setRevalidateNanos(long nanos) {
        this.revalidateNanos = nanos;
    }

    /** The content type of a path, by its name (the HTTP part's MIME table). */
    public void setContentTypes(Function<String, String> byPath) {
        this.contentTypes = byPath;
    }

    // --- lookups -----------------------------------------------------------------------------------

    /**
     * From the network softint: the object for {@code path}, held for the caller, if it is fully in
     * memory and its file was seen unchanged within the revalidation interval; else null (a miss, to be
     * queued to a service thread that calls {@link #get}). Never blocks on I/O.
     */
    public CacheObject lookup(String path) {
        long now = kernel.hypercall().clock().monotonicNanos();
        lock.enter();
        try {
            CacheObject o = objects.get(path);
            if (o != null && o.resident() && now - o.checkedAt < revalidateNanos && o.hold()) {
                hits.incrementAndGet();
                return o;
            }
        } finally {
            lock.exit();
        }
        misses.incrementAndGet();
        return null;
    }

    /**
     * From a kernel thread (it may sleep and read the file): the object for {@code path} with every
     * frame in memory, built if need be. The caller releases the object it gets.
     */
    public CacheResult get(String path) {
        return find(path, false);
    }

    /**
     * From a kernel thread, for the tdi mode: the object for {@code path}, its chunks read when first
     * pinned ({@link PinArray#pin}). The caller releases the object it gets.
     */
    public CacheResult open(String path) {
        return find(path, true);
    }

    private CacheResult find(String path, boolean lazy) {
        if (closed) {
            return CacheResult.of(Status.CLOSED, Errno.ESHUTDOWN);
        }
        Vnode vp;
        try {
            vp = reader.lookup(path);
        } catch (ErrnoException e) {
            return failed(e.errno());
        }
        try {
            Vattr va = VfsReader.getattr(vp);
            if (va.type != VType.VREG) {
                return CacheResult.of(Status.NOT_REGULAR, Errno.EFTYPE);
            }
            long now = kernel.hypercall().clock().monotonicNanos();
            CacheObject cached = current(path, va, now);
            if (cached != null) {
                if (!lazy && !readAll(cached)) {
                    cached.release();
                    buildFailures.incrementAndGet();
                    return CacheResult.of(Status.NO_MEMORY, Errno.ENOMEM);
                }
                hits.incrementAndGet();
                return new CacheResult(Status.HIT, cached, 0);
            }
            int fp = framePayload;
            long frames = va.size <= fp - CacheObject.HDR_ROOM ? 1
                    : 1 + (va.size - (fp - CacheObject.HDR_ROOM) + fp - 1) / fp;
            long slotsPerBlock = BlockAllocator.BLOCK_SIZE / CacheObject.slotSize(fp);
            long need = (frames + slotsPerBlock - 1) / slotsPerBlock * BlockAllocator.BLOCK_SIZE;
            if (va.size > maxObject || need > allocator.limit()) {
                tooLarge.incrementAndGet();
                return CacheResult.of(Status.TOO_LARGE, Errno.EFBIG);
            }
            CacheObject o = new CacheObject(this, path, va.size, va.mtime, contentTypes.apply(path), fp);
            o.checkedAt = now;
            if (!lazy) {
                for (int c = 0; c < o.pins().chunks(); c++) {
                    int err = readChunk(o, c, vp);
                    if (err != 0) {
                        o.invalidate();
                        o.release();
                        return failed(err);
                    }
                    o.pins().markPinned(c);
                }
            }
            return insert(o);
        } catch (ErrnoException e) {
            return failed(e.errno());
        } finally {
            vp.rele();
        }
    }

    private CacheResult failed(int errno) {
        buildFailures.incrementAndGet();
        return switch (errno) {
            case Errno.ENOENT, Errno.ENOTDIR -> CacheResult.of(Status.NOT_FOUND, errno);
            case Errno.ENOMEM, Errno.ENOBUFS -> CacheResult.of(Status.NO_MEMORY, errno);
            case Errno.ESHUTDOWN -> CacheResult.of(Status.CLOSED, errno);
            default -> CacheResult.of(Status.ERROR, errno);
        };
    }

    private static boolean same(CacheObject o, Vattr va) {
        return o.size() == va.size && o.mtime() == va.mtime;
    }

    /** The listed object for {@code path} if its file is unchanged, held; a changed one is dropped. */
    private CacheObject current(String path, Vattr va, long now) {
        CacheObject stale = null;
        lock.enter();
        try {
            CacheObject o = objects.get(path);
            if (o != null) {
                if (same(o, va) && o.hold()) {
                    o.checkedAt = now;
                    return o;
                }
                objects.remove(path);
                stale = o;
            }
        } finally {
            lock.exit();
        }
        if (stale != null) {
            invalidations.incrementAndGet();
            drop(stale);
        }
        return null;
    }

    /** Pins and unpins every chunk, reading those not yet read. */
    private static boolean readAll(CacheObject o) {
        PinArray pa = o.pins();
        if (pa.allPinned()) {
            return true;
        }
        for (int c = 0; c < pa.chunks(); c++) {
            if (!pa.pin(c)) {
                return false;
            }
            pa.unpin(c);
        }
        return true;
    }

    /** Lists a new object, unless another thread listed the same file meanwhile (then that one is kept). */
    private CacheResult insert(CacheObject o) {
        CacheObject replaced = null;
        lock.enter();
        try {
            if (closed) {
                o.invalidate();
                o.release();
                return CacheResult.of(Status.CLOSED, Errno.ESHUTDOWN);
            }
            CacheObject cur = objects.get(o.path());
            if (cur != null && cur.size() == o.size() && cur.mtime() == o.mtime() && cur.hold()) {
                o.invalidate();
                o.release();
                hits.incrementAndGet();
                return new CacheResult(Status.HIT, cur, 0);
            }
            replaced = objects.put(o.path(), o);
            o.hold();
            builds.incrementAndGet();
        } finally {
            lock.exit();
        }
        if (replaced != null) {
            invalidations.incrementAndGet();
            drop(replaced);
        }
        return new CacheResult(Status.BUILT, o, 0);
    }

    private static void drop(CacheObject o) {
        o.invalidate();
        o.release();
    }

    // --- reading ----------------------------------------------------------------------------------

    /**
     * {@link PinArray#pin}'s read of chunk {@code c}: the file is looked up again and must still have
     * the object's size and mtime (else the object is invalidated and the pin fails).
     */
    boolean loadChunk(CacheObject o, int c) {
        if (closed || !o.valid()) {
            return false;
        }
        Vnode vp;
        try {
            vp = reader.lookup(o.path());
        } catch (ErrnoException e) {
            invalidate(o);
            return false;
        }
        try {
            Vattr va = VfsReader.getattr(vp);
            if (va.type != VType.VREG || !same(o, va)) {
                invalidate(o);
                return false;
            }
            return readChunk(o, c, vp) == 0;
        } catch (ErrnoException e) {
            return false;
        } finally {
            vp.rele();
        }
    }

    /**
     * Reads chunk {@code c}'s bytes into new frames and sums each frame's payload; 0, or the errno
     * (ENOMEM when no frame could be had). The chunk is read with one vnode read into a scratch array
     * and copied into the frames: one host read per 64 KB for etfs instead of one per frame.
     */
    private int readChunk(CacheObject o, int c, Vnode vp) {
        int first = o.chunkFirstFrame(c);
        int end = o.chunkEndFrame(c);
        int slot = CacheObject.slotSize(o.framePayload());
        long off = o.fileOffset(first);
        int len = 0;
        for (int i = first; i < end; i++) {
            len += o.payloadLen(i);
        }
        FrameBuf[] got = new FrameBuf[end - first];
        for (int i = first; i < end; i++) {
            FrameBuf f = allocFrame(slot);
            if (f == null) {
                freeAll(got);
                return Errno.ENOMEM;
            }
            got[i - first] = f;
        }
        byte[] scratch;
        try {
            scratch = new byte[len];
        } catch (OutOfMemoryError e) {
            freeAll(got);
            return Errno.ENOMEM;
        }
        try {
            if (len > 0) {
                reader.read(vp, scratch, 0, len, off);
            }
        } catch (ErrnoException e) {
            freeAll(got);
            return e.errno();
        }
        int at = 0;
        for (int i = first; i < end; i++) {
            FrameBuf f = got[i - first];
            int n = o.payloadLen(i);
            int dst = f.off() + o.headroom(i);
            System.arraycopy(scratch, at, f.buf(), dst, n);
            o.setFrame(i, f, InternetChecksum.sum(f.buf(), dst, n));
            at += n;
        }
        return 0;
    }

    private void freeAll(FrameBuf[] got) {
        for (int i = got.length - 1; i >= 0; i--) {
            FrameBuf f = got[i];
            if (f != null) {
                allocator.free(f);
            }
        }
    }

    /** A frame slot, evicting the least recently used idle objects while the allocator refuses. */
    private FrameBuf allocFrame(int slot) {
        for (;;) {
            FrameBuf f = allocator.alloc(slot);
            if (f != null || closed) {
                return f;
            }
            if (!evictOne()) {
                return null;
            }
        }
    }

    /** Evicts the least recently used object no send holds; false if there is none. */
    private boolean evictOne() {
        CacheObject victim = null;
        lock.enter();
        try {
            Iterator<CacheObject> it = objects.values().iterator();
            while (it.hasNext()) {
                CacheObject o = it.next();
                if (o.refs() == 1) {
                    it.remove();
                    victim = o;
                    break;
                }
            }
        } finally {
            lock.exit();
        }
        if (victim == null) {
            return false;
        }
        evictions.incrementAndGet();
        drop(victim);
        return true;
    }

    /** Under kernel memory pressure: every object no send holds goes; returns the bytes of blocks freed. */
    private long reclaim() {
        long before = allocator.inUse();
        while (evictOne()) {
            // until only held objects are left
        }
        return Math.max(0, before - allocator.inUse());
    }

    /** The last hold on {@code o} went: its frames go back to the allocator. */
    void freeFrames(CacheObject o) {
        // last frame first: the allocator hands freed slots out again last-in first-out, so the next object's
        // frames come out in ascending order, back to back, and go to TCP as runs (FrameChains)
        for (int i = o.frameCount() - 1; i >= 0; i--) {
            FrameBuf f = o.frame(i);
            if (f != null) {
                o.clearFrame(i);
                allocator.free(f);
            }
        }
    }

    // --- invalidation ------------------------------------------------------------------------------

    /** Drops {@code o} from the cache if it is still listed (its file changed while it was being read). */
    void invalidate(CacheObject o) {
        boolean removed;
        lock.enter();
        try {
            removed = objects.remove(o.path(), o);
        } finally {
            lock.exit();
        }
        if (removed) {
            invalidations.incrementAndGet();
            drop(o);
        }
    }

    /** Drops the object for {@code path}, if any; sends holding it finish with its old bytes. */
    public void invalidate(String path) {
        CacheObject o;
        lock.enter();
        try {
            o = objects.remove(path);
        } finally {
            lock.exit();
        }
        if (o != null) {
            invalidations.incrementAndGet();
            drop(o);
        }
    }

    /** Drops every object. */
    public void flush() {
        List<CacheObject> all;
        lock.enter();
        try {
            all = new ArrayList<>(objects.values());
            objects.clear();
        } finally {
            lock.exit();
        }
        for (CacheObject o : all) {
            drop(o);
        }
    }

    /**
     * Empties the cache for good (the component's detach; the kernel's halt calls it too): later lookups miss and
     * builds answer {@link Status#CLOSED}. Objects still held are freed when their last hold goes, so
     * once every connection is gone the cache holds no block.
     */
    public void close() {
        closed = true;
        hooks.cache = null;
        flush();
        reader.close();
    }

    public boolean closed() {
        return closed;
    }

    // --- counters ----------------------------------------------------------------------------------

    /** Bytes of cache blocks held (charged to kernel memory). */
    public long memoryInUse() {
        return allocator.inUse();
    }

    /** Objects listed. */
    public int objects() {
        lock.enter();
        try {
            return objects.size();
        } finally {
            lock.exit();
        }
    }

    /** The listed paths from the least to the most recently used. */
    public List<String> paths() {
        lock.enter();
        try {
            List<String> l = new ArrayList<>(objects.size());
            for (Map.Entry<String, CacheObject> e : objects.entrySet()) {
                l.add(e.getKey());
            }
            return l;
        } finally {
            lock.exit();
        }
    }

    public long hits() {
        return hits.get();
    }

    public long misses() {
        return misses.get();
    }

    /** Objects read and listed. */
    public long builds() {
        return builds.get();
    }

    /** Lookups through rumpvfs that gave no object (no file, not regular, no memory, an error). */
    public long buildFailures() {
        return buildFailures.get();
    }

    /** Objects evicted to make room. */
    public long evictions() {
        return evictions.get();
    }

    /** Objects dropped because their file changed (or by {@link #invalidate(String)}). */
    public long invalidations() {
        return invalidations.get();
    }

    /** Files refused for their size. */
    public long tooLarge() {
        return tooLarge.get();
    }
}
