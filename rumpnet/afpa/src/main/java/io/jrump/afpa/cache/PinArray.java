package io.jrump.afpa.cache;

import io.jrump.kern.Kernel;
import io.jrump.kern.sync.KCondVar;
import io.jrump.kern.sync.KMutex;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * A cache object seen as 64 KB chunks, each with a state and a pin count (the Windows 2000 AFPA seed:
 * "Each chunk is represented by an entry in the cache object's pin array"). A chunk is a run of whole
 * frames of at most {@link #CHUNK_SIZE} payload bytes, so the chunks of the Linux seed's hook mode
 * (whose last frame is flagged) and of the pin array are the same.
 *
 * <p>The pin count is a reference count on the chunk's bytes: each pin also holds the object, so its
 * frames outlive an eviction until the last {@link #unpin}. A send from the network softint calls
 * {@link #tryPin}, which never blocks and succeeds only on a chunk already pinned; otherwise the send
 * is queued to a worker thread, whose {@link #pin} reads the chunk through rumpvfs (giving up its
 * virtual CPU around host reads) and pins it. Once read, a chunk stays in memory as long as its object
 * does, so {@link ChunkState#PINNED} never goes back.
 */
public final class PinArray {
    /** The chunk size of both seeds. */
    public static final int CHUNK_SIZE = 64 * 1024;

    private final CacheObject obj;
    private final AtomicIntegerArray state;
    private final AtomicIntegerArray pins;
    private final AtomicInteger pinnedChunks = new AtomicInteger();
    private final KMutex lock;
    private final KCondVar readDone;

    PinArray(Kernel kernel, CacheObject obj, int chunks) {
        this.obj = obj;
        this.state = new AtomicIntegerArray(chunks);
        this.pins = new AtomicIntegerArray(chunks);
        this.lock = kernel.newMutex();
        this.readDone = kernel.newCondVar();
    }

    public int chunks() {
        return state.length();
    }

    public ChunkState state(int c) {
        return ChunkState.values()[state.get(c)];
    }

    public int pinCount(int c) {
        return pins.get(c);
    }

    /** Whether every chunk is pinned. */
    public boolean allPinned() {
        return pinnedChunks.get() == state.length();
    }

    /**
     * From the softint: pins chunk {@code c} if it is already in memory (its count goes up, and the
     * object is held), else false, and the caller queues the send to a worker that calls {@link #pin}.
     * Never blocks.
     */
    public boolean tryPin(int c) {
        if (state.get(c) != ChunkState.PINNED.ordinal() || !obj.hold()) {
            return false;
        }
        pins.incrementAndGet(c);
        return true;
    }

    /**
     * From a worker kernel thread: pins chunk {@code c}, reading it first if no one has, or waiting for
     * the worker already reading it. False when it cannot be read (no memory, the file changed or went
     * away, the object was evicted): the caller passes the request on. Never throws for those.
     */
    public boolean pin(int c) {
        if (tryPin(c)) {
            return true;
        }
        if (!obj.hold()) {
            return false;
        }
        boolean pinned = false;
        try {
            lock.enter();
            try {
                while (state.get(c) == ChunkState.READING.ordinal()) {
                    readDone.await(lock);
                }
                if (state.get(c) == ChunkState.UNREAD.ordinal()) {
                    state.set(c, ChunkState.READING.ordinal());
                } else {
                    pins.incrementAndGet(c);
                    pinned = true;
                    return true;
                }
            } finally {
                lock.exit();
            }
            boolean read = obj.cache().loadChunk(obj, c);
            lock.enter();
            try {
                if (read) {
                    markPinned(c);
                    pins.incrementAndGet(c);
                    pinned = true;
                } else {
                    state.set(c, ChunkState.UNREAD.ordinal());
                }
                readDone.broadcast();
            } finally {
                lock.exit();
            }
            return read;
        } finally {
            if (!pinned) {
                obj.release();
            }
        }
    }

    /** The send completion's side of a pin: the count goes down and the object's hold is dropped. */
    public void unpin(int c) {
        if (pins.decrementAndGet(c) < 0) {
            pins.incrementAndGet(c);
            throw new IllegalStateException("unpin of chunk " + c + " that is not pinned");
        }
        obj.release();
    }

    /** Marks chunk {@code c} read (by a build, or by {@link #pin}): its frames are published before this. */
    void markPinned(int c) {
        state.set(c, ChunkState.PINNED.ordinal());
        pinnedChunks.incrementAndGet();
    }
}
