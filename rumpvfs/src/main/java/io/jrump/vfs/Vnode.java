package io.jrump.vfs;

import io.jrump.kern.sync.KRwLock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A vnode ({@code struct vnode}): the kernel's handle on one file of one mounted file system, with a use
 * count, a lock, the operations of its file system and that file system's data for it.
 *
 * <p>References ({@code vref}/{@code vrele}): every holder counts, namei while it walks, an open file,
 * a process's current and root directory, a mount for its root and for the vnode it covers. When the
 * count drops to zero the vnode stays cached (its file system may still be asked to reclaim it at once,
 * {@link VnodeOps#inactive}); {@link VnodeCache} reclaims cached vnodes beyond {@code kern.maxvnodes}.
 * A count of -1 marks a vnode being reclaimed: {@link #tryRef} fails on it, and the cache hands out a
 * new vnode for the same file once the old one is gone.
 *
 * <p>The lock is the kernel's readers-writer lock, so a thread that waits for it gives up its virtual
 * CPU. {@link VnodeOps} says which operations run under it shared and which exclusive.
 */
public final class Vnode {
    private static final VarHandle USECOUNT;
    private static final VarHandle ON_FREE_LIST;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            USECOUNT = l.findVarHandle(Vnode.class, "usecount", int.class);
            ON_FREE_LIST = l.findVarHandle(Vnode.class, "onFreeList", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Mount mount;
    private final Object key;
    private final VType type;
    private final KRwLock lock;
    private final VnodeCache cache;
    private volatile VnodeOps ops;
    private volatile Object data;
    private volatile int usecount = 1;
    private volatile boolean onFreeList;
    /** Set by each new reference: the cache's second chance before it reclaims an unused vnode. */
    volatile boolean recentlyUsed;
    private volatile Mount mountedHere;
    private volatile boolean dead;
    private volatile LockF lockf;

    /** A new vnode with one reference for its creator, for a file system's {@link VfsOps#loadVnode}. */
    public Vnode(Mount mount, Object key, VType type, VnodeOps ops, Object data) {
        this.mount = mount;
        this.key = key;
        this.type = type;
        this.ops = ops;
        this.data = data;
        this.cache = mount.vfs().vnodeCache();
        this.lock = mount.vfs().kernel().newRwLock();
    }

    public Mount mount() {
        return mount;
    }

    /** The file system's key for this file in its mount's cache. */
    public Object key() {
        return key;
    }

    public VType type() {
        return type;
    }

    public VnodeOps ops() {
        return ops;
    }

    /** The file system's data for this file (its inode, node). */
    public Object data() {
        return data;
    }

    public boolean isDir() {
        return type == VType.VDIR;
    }

    /** Whether this vnode is the root of its mount ({@code VV_ROOT}). */
    public boolean isRoot() {
        return mount.rootVnode() == this;
    }

    /** The mount on this directory ({@code v_mountedhere}), or null. */
    public Mount mountedHere() {
        return mountedHere;
    }

    void setMountedHere(Mount m) {
        this.mountedHere = m;
    }

    /** Whether the vnode lost its file system ({@code deadfs}): a forced unmount took it away. */
    public boolean dead() {
        return dead;
    }

    public int usecount() {
        return usecount;
    }

    /** {@code vref}: one more reference; the caller already holds one (or got this vnode from the cache). */
    public void ref() {
        int c = (int) USECOUNT.getAndAdd(this, 1);
        if (c < 0) {
            throw new IllegalStateException("vref of a vnode being reclaimed");
        }
        recentlyUsed = true;
    }

    /** A reference on a cached vnode that may be unused; false if it is being reclaimed. */
    boolean tryRef() {
        for (;;) {
            int c = usecount;
            if (c < 0) {
                return false;
            }
            if (USECOUNT.compareAndSet(this, c, c + 1)) {
                recentlyUsed = true;
                return true;
            }
        }
    }

    /** {@code vrele}: drops a reference; the last one makes the vnode inactive. */
    public void rele() {
        int c = (int) USECOUNT.getAndAdd(this, -1) - 1;
        if (c > 0) {
            return;
        }
        if (c < 0) {
            USECOUNT.getAndAdd(this, 1);
            throw new IllegalStateException("vrele of an unreferenced vnode");
        }
        cache.inactive(this);
    }

    /** Marks an unused vnode as being reclaimed; false if someone took a reference meanwhile. */
    boolean claimForReclaim() {
        return USECOUNT.compareAndSet(this, 0, -1);
    }

    /** Puts an unused vnode on the cache's free list once; true if the caller should queue it. */
    boolean markOnFreeList() {
        return !onFreeList && ON_FREE_LIST.compareAndSet(this, false, true);
    }

    void clearOnFreeList() {
        onFreeList = false;
    }

    /** Turns a vnode into a dead one ({@code vgone}): its operations answer EBADF from now on. */
    void kill() {
        this.ops = DeadVnodeOps.INSTANCE;
        this.data = null;
        this.dead = true;
    }

    public void lockShared() {
        lock.enterRead();
    }

    public void lockExclusive() {
        lock.enterWrite();
    }

    public void unlock() {
        lock.exit();
    }

    /** Whether some thread holds the lock exclusively, for lock assertions in file systems. */
    public boolean writeLocked() {
        return lock.writeHeld();
    }

    /** The advisory locks on this file, made on first use. */
    public LockF lockf() {
        LockF l = lockf;
        if (l == null) {
            synchronized (this) {
                l = lockf;
                if (l == null) {
                    l = new LockF(mount.vfs().kernel());
                    lockf = l;
                }
            }
        }
        return l;
    }

    /** The advisory locks if any were ever taken, else null. */
    LockF lockfIfPresent() {
        return lockf;
    }

    @Override
    public String toString() {
        return "vnode(" + type + " " + mount.fsType() + ":" + key + " use=" + usecount + (dead ? " dead" : "") + ")";
    }
}
