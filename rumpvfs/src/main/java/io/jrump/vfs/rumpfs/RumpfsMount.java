package io.jrump.vfs.rumpfs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.mem.Kmem;
import io.jrump.vfs.Mount;
import io.jrump.vfs.VType;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One mounted rumpfs: its root, its file numbers, and its memory. Every byte a file, an entry or a page
 * takes is charged twice: to this mount's {@code size=} limit, if it has one, and to the kernel's memory
 * limit through {@link Kmem}. Either refusal is ENOSPC for the caller, never an exception of the JVM,
 * and the kernel goes on. At unmount whatever is still charged goes back at once.
 */
public final class RumpfsMount {
    /** What a node costs beyond its data: the object, its attributes, its vnode's share. */
    static final int NODE_BYTES = 256;
    /** What a directory entry costs beyond its name. */
    static final int ENTRY_BYTES = 64;

    private final Mount mount;
    private final Kmem kmem;
    private final Kmem.Type memType;
    private final long sizeLimit;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong nodes = new AtomicLong();
    private final AtomicLong nextFileId = new AtomicLong(2);
    private final AtomicLong enospc = new AtomicLong();
    /** Zeros for reads of holes. */
    final byte[] zeroPage = new byte[PageStore.PAGE_SIZE];
    final RumpfsNode root;
    private volatile RootLookup rootHook;

    RumpfsMount(Mount mount, Kmem kmem, long sizeLimit, int rootMode, int uid, int gid, long now) throws ErrnoException {
        this.mount = mount;
        this.kmem = kmem;
        this.memType = kmem.type("rumpfs");
        this.sizeLimit = sizeLimit;
        chargeOrFail(NODE_BYTES);
        nodes.incrementAndGet();
        this.root = new RumpfsNode(nextFileId.getAndIncrement(), VType.VDIR, rootMode, uid, gid, now, null, null, 0);
    }

    public Mount mount() {
        return mount;
    }

    /** A new file number, unique in this mount; etfs numbers its files from here too. */
    public long nextFileId() {
        return nextFileId.getAndIncrement();
    }

    /** Installs what the root directory consults before its own entries (etfs keys). */
    public void setRootHook(RootLookup hook) {
        this.rootHook = hook;
    }

    RootLookup rootHook() {
        return rootHook;
    }

    /** Charges {@code bytes}; false past this mount's size or the kernel's memory limit. */
    boolean charge(long bytes) {
        long now = used.addAndGet(bytes);
        if (now > sizeLimit) {
            used.addAndGet(-bytes);
            enospc.incrementAndGet();
            return false;
        }
        if (!kmem.alloc(memType, bytes)) {
            used.addAndGet(-bytes);
            enospc.incrementAndGet();
            return false;
        }
        return true;
    }

    void chargeOrFail(long bytes) throws ErrnoException {
        if (!charge(bytes)) {
            throw enospc();
        }
    }

    /** A creation refused because the kernel has no memory for the new file's vnode: counted as ENOSPC. */
    ErrnoException noVnode() {
        enospc.incrementAndGet();
        return enospc();
    }

    ErrnoException enospc() {
        return new ErrnoException(Errno.ENOSPC, "rumpfs on " + mount.onName() + " is full");
    }

    void uncharge(long bytes) {
        if (bytes != 0) {
            used.addAndGet(-bytes);
            kmem.free(memType, bytes);
        }
    }

    /** A node was made: its cost is charged by the caller, this counts it. */
    void nodeMade() {
        nodes.incrementAndGet();
    }

    void nodeFreed() {
        nodes.decrementAndGet();
    }

    /** Bytes charged to this mount now. */
    public long used() {
        return used.get();
    }

    public long nodes() {
        return nodes.get();
    }

    /** Writes and creations refused for want of space. */
    public long enospcCount() {
        return enospc.get();
    }

    public long sizeLimit() {
        return sizeLimit;
    }

    /** Gives back everything still charged (unmount). */
    void releaseAll() {
        long u = used.getAndSet(0);
        if (u != 0) {
            kmem.free(memType, u);
        }
    }

    /**
     * Bytes that could still be charged: the smaller of what the size limit and the kernel's memory
     * limit leave ({@code physmem}, the kernel's share of the host, when it has no limit).
     */
    long free(long physmem) {
        long kernelLimit = kmem.limit() == Long.MAX_VALUE ? physmem : kmem.limit();
        long kernelFree = Math.max(0, kernelLimit - kmem.used());
        long mountFree = sizeLimit == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, sizeLimit - used.get());
        return Math.min(kernelFree, mountFree);
    }
}
