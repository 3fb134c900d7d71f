package io.jrump.vfs;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.mem.Kmem;
import io.jrump.hypercall.Errno;
import io.jrump.kern.sync.KCondVar;
import io.jrump.kern.sync.KMutex;
import io.jrump.kern.sysctl.SysctlNode;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The vnode cache ({@code vcache}): at most one vnode per file, found by its mount and the file
 * system's key, and at most {@code kern.maxvnodes} of them. Vnodes nobody references stay cached and
 * go on a free list the first time they become unused; when a new vnode would pass the limit, the
 * oldest unused ones are reclaimed ({@link VnodeOps#reclaim}), each given a second chance if it was
 * used since it was queued.
 *
 * <p>A vnode is queued once and stays queued while it is referenced again and again (namei's
 * directories), so the common path of {@code vref}/{@code vrele} touches only the count.
 *
 * <p>Each cached vnode is kernel memory of type {@value #KMEM_TYPE}, {@link #VNODE_BYTES} apiece,
 * charged before it is loaded and given back when it leaves the cache. Past the kernel's limit a new
 * vnode is ENFILE, as {@code getnewvnode} answers when it can make no more; and the cache is one of
 * the kernel's {@link Kmem.Reclaimer}s: under memory pressure it reclaims every unused vnode (their
 * files stay; only the in-memory handles go), as the pools give back their idle items.
 */
public final class VnodeCache {
    /** NetBSD sizes {@code desiredvnodes} from memory; a rump kernel starts with this many. */
    public static final int MAXVNODES_DEFAULT = 65536;
    /** Below this the cache would thrash on any path walk. */
    public static final int MAXVNODES_MIN = 16;
    /** The kernel memory account of cached vnodes. */
    public static final String KMEM_TYPE = "vnode";
    /**
     * What one cached vnode costs the host: the {@code Vnode}, its readers-writer lock, the cache map's
     * entry and the free list's node. Measured as 277 bytes per vnode by reclaiming 50,000 cached rumpfs
     * vnodes and weighing the heap before and after.
     */
    public static final long VNODE_BYTES = 280;

    private final SysctlNode maxvnodes;
    private final AtomicInteger numvnodes = new AtomicInteger();
    private final ConcurrentLinkedQueue<Vnode> free = new ConcurrentLinkedQueue<>();
    private final KMutex lock;
    private final KCondVar gone;
    private final Kmem kmem;
    private final Kmem.Type memType;

    VnodeCache(Kernel k, SysctlNode maxvnodes) {
        this.maxvnodes = maxvnodes;
        this.lock = k.newMutex();
        this.gone = k.newCondVar();
        this.kmem = k.kmem();
        this.memType = kmem.type(KMEM_TYPE);
        kmem.addReclaimer(this::reclaimUnused);
    }

    /** The cache's {@link Kmem.Reclaimer}: every unused vnode goes; returns the bytes given back. */
    private long reclaimUnused() {
        int before = numvnodes.get();
        trim(0);
        return Math.max(0, before - numvnodes.get()) * VNODE_BYTES;
    }

    /** Vnodes in the cache, referenced or not. */
    public int size() {
        return numvnodes.get();
    }

    public int limit() {
        return maxvnodes.intValue();
    }

    /**
     * {@code vcache_get}: the referenced vnode for {@code key} in {@code mp}, loaded through
     * {@link VfsOps#loadVnode} if none is cached. If the cached one is being reclaimed, waits until it
     * is gone and loads a fresh one.
     */
    public Vnode get(Mount mp, Object key) throws ErrnoException {
        return get(mp, key, false);
    }

    /**
     * {@link #get} for a file system that charged the vnode with {@link #chargeVnode} before it made the
     * file, so that running out of memory is an error of the creation (rumpfs: ENOSPC) and never leaves
     * a file made that cannot be opened. The charge is the cache's from here on, whatever happens.
     */
    public Vnode getCharged(Mount mp, Object key) throws ErrnoException {
        return get(mp, key, true);
    }

    /** Charges one vnode ahead of {@link #getCharged}; false past the kernel's memory limit. */
    public boolean chargeVnode() {
        return kmem.alloc(memType, VNODE_BYTES);
    }

    /** Gives back a {@link #chargeVnode} that no {@link #getCharged} took. */
    public void unchargeVnode() {
        kmem.free(memType, VNODE_BYTES);
    }

    private Vnode get(Mount mp, Object key, boolean charged) throws ErrnoException {
        boolean have = charged;
        try {
            for (;;) {
                Vnode vp = mp.vnodes.get(key);
                if (vp != null) {
                    if (vp.tryRef()) {
                        return vp;
                    }
                    awaitGone(mp, key, vp);
                    continue;
                }
                if (!have) {
                    if (!kmem.alloc(memType, VNODE_BYTES)) {
                        throw new ErrnoException(Errno.ENFILE, "no kernel memory for another vnode ("
                                + numvnodes.get() + " cached, " + kmem.used() + " of " + kmem.limit()
                                + " bytes in use)");
                    }
                    have = true;
                }
                Vnode nv = mp.vfsOps().loadVnode(mp, key);
                if (mp.vnodes.putIfAbsent(key, nv) != null) {
                    continue;
                }
                have = false;
                if (numvnodes.incrementAndGet() > maxvnodes.intValue()) {
                    trim(maxvnodes.intValue());
                }
                return nv;
            }
        } finally {
            if (have) {
                kmem.free(memType, VNODE_BYTES);
            }
        }
    }

    /** The cached vnode for {@code key} if there is one in use or idle, referenced; null otherwise. */
    public Vnode lookupCached(Mount mp, Object key) {
        Vnode vp = mp.vnodes.get(key);
        return vp != null && vp.tryRef() ? vp : null;
    }

    /**
     * Reclaims the cached vnode for {@code key} if nobody uses it; false if someone does. A provider
     * whose file goes away (an etfs key removed) calls this so the cache forgets it.
     */
    public boolean evict(Mount mp, Object key) {
        Vnode vp = mp.vnodes.get(key);
        if (vp == null) {
            return true;
        }
        if (vp.claimForReclaim()) {
            reclaim(vp);
            return true;
        }
        return vp.usecount() < 0;
    }

    private void awaitGone(Mount mp, Object key, Vnode dying) {
        lock.enter();
        try {
            while (mp.vnodes.get(key) == dying) {
                gone.await(lock);
            }
        } finally {
            lock.exit();
        }
    }

    /** The last reference went: reclaim at once if the file system asks, else keep it cached. */
    void inactive(Vnode vp) {
        if (vp.dead()) {
            return;
        }
        if (vp.ops().inactive(vp) && vp.claimForReclaim()) {
            reclaim(vp);
            return;
        }
        if (vp.markOnFreeList()) {
            free.add(vp);
        }
    }

    /** Reclaims unused vnodes, oldest first, until at most {@code target} are cached or none is unused. */
    public void trim(int target) {
        int budget = free.size() * 2 + 1;
        while (numvnodes.get() > target && budget-- > 0) {
            Vnode vp = free.poll();
            if (vp == null) {
                return;
            }
            vp.clearOnFreeList();
            if (vp.usecount() != 0 || vp.dead()) {
                continue;
            }
            if (vp.recentlyUsed) {
                vp.recentlyUsed = false;
                if (vp.markOnFreeList()) {
                    free.add(vp);
                }
                continue;
            }
            if (vp.claimForReclaim()) {
                reclaim(vp);
            }
        }
    }

    /** Reclaims a vnode claimed with {@link Vnode#claimForReclaim}: the file system lets go of it. */
    void reclaim(Vnode vp) {
        vp.lockExclusive();
        try {
            vp.ops().reclaim(vp);
        } finally {
            vp.unlock();
        }
        forget(vp);
    }

    /** Takes a vnode out of the cache (reclaimed, or killed by a forced unmount) and wakes waiters. */
    void forget(Vnode vp) {
        if (vp.mount().vnodes.remove(vp.key(), vp)) {
            numvnodes.decrementAndGet();
            kmem.free(memType, VNODE_BYTES);
        }
        lock.enter();
        try {
            gone.broadcast();
        } finally {
            lock.exit();
        }
    }
}
