package io.jrump.kern.mem;

import io.jrump.kern.Kernel;
import io.jrump.hypercall.HyperMemory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Kernel memory ({@code kmem_alloc}) against the kernel's limit ({@code rump_server -r}). Every
 * allocation is charged to a named type, so {@code netstat -m} can say who holds memory, and a
 * refusal is a counted ENOMEM/ENOBUFS for the caller, never an {@link OutOfMemoryError}.
 *
 * <p>Memory a cache keeps for reuse (idle pool items) is still charged here. When a request would pass
 * the limit, the caches give their idle memory back first ({@link Reclaimer}, NetBSD's pagedaemon
 * calling {@code pool_drain} under pressure) and the request is tried again, so a kernel whose pools
 * filled up during a burst recovers fully once the burst is over, whichever type needs the memory next.
 *
 * <p>Objects that are not pooled are charged here by kind, with a per-object size measured on the heap,
 * when they are made and freed when they go: sockets, pcbs, open files and descriptor slots, processes
 * and their lwps. So {@code -r} bounds all a kernel takes from its host, {@code hw.usermem64} shows it,
 * and {@link #report} (read as {@code kern.kmem.stats} and in {@code netstat -m}) says who holds it.
 */
public final class Kmem {
    private final HyperMemory mem;
    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final Map<String, Type> types = new ConcurrentHashMap<>();
    private final List<Reclaimer> reclaimers = new CopyOnWriteArrayList<>();
    private final AtomicBoolean reclaiming = new AtomicBoolean();
    private final AtomicLong reclaims = new AtomicLong();
    private final AtomicLong reclaimed = new AtomicLong();

    /**
     * A cache that holds idle memory charged to this kernel. {@link #reclaim} frees what is idle and
     * returns the bytes freed; it is called without any kernel lock held by the caller of
     * {@link Kmem#alloc}, so it may take its own cache's lock, but must not allocate.
     */
    @FunctionalInterface
    public interface Reclaimer {
        long reclaim();
    }

    public Kmem(HyperMemory mem, long limit) {
        this.mem = mem;
        this.limit = limit;
    }

    /** Registers a cache whose idle memory can be given back under pressure. */
    public void addReclaimer(Reclaimer r) {
        reclaimers.add(r);
    }

    /**
     * Asks every cache to give its idle memory back ({@code pool_drain}); returns the bytes freed. One
     * thread reclaims at a time: a request that finds a reclaim running does not wait for it, it fails
     * as it would have.
     */
    public long reclaim() {
        if (!reclaiming.compareAndSet(false, true)) {
            return 0;
        }
        try {
            long freed = 0;
            for (Reclaimer r : reclaimers) {
                freed += r.reclaim();
            }
            reclaims.incrementAndGet();
            reclaimed.addAndGet(freed);
            return freed;
        } finally {
            reclaiming.set(false);
        }
    }

    /**
     * Charges this kernel's own limit first, then the host's (which several kernels may share); past
     * either, idle cached memory is reclaimed and the charge tried once more.
     */
    private boolean charge(long bytes) {
        if (tryCharge(bytes) || (reclaim() > 0 && tryCharge(bytes))) {
            return true;
        }
        failures.incrementAndGet();
        return false;
    }

    private boolean tryCharge(long bytes) {
        long now = used.addAndGet(bytes);
        if (now > limit || now < 0) {
            used.addAndGet(-bytes);
            return false;
        }
        if (!mem.reserve(bytes)) {
            used.addAndGet(-bytes);
            return false;
        }
        long p;
        while (now > (p = peak.get()) && !peak.compareAndSet(p, now)) {
            // another CPU raised the peak meanwhile
        }
        return true;
    }

    private void uncharge(long bytes) {
        mem.release(bytes);
        used.addAndGet(-bytes);
    }

    /** The accounting bucket for {@code name}, created on first use. */
    public Type type(String name) {
        return types.computeIfAbsent(name, Type::new);
    }

    /** Charges {@code bytes} to {@code type}; false, and a counted failure, past the limit. */
    public boolean alloc(Type type, long bytes) {
        if (!charge(bytes)) {
            type.failures.incrementAndGet();
            return false;
        }
        type.bytes.addAndGet(bytes);
        type.allocs.incrementAndGet();
        return true;
    }

    public void free(Type type, long bytes) {
        type.bytes.addAndGet(-bytes);
        type.frees.incrementAndGet();
        uncharge(bytes);
    }

    /**
     * Charges {@code bytes} to {@code type} even past the limit, for an object the kernel cannot refuse
     * where it is made ({@code kmem_alloc(KM_SLEEP)}, which waits rather than fails; a rump kernel has
     * nobody to wait for): the lwp of a host thread already entering a system call. The charge counts
     * toward the limit, so the next refusable request fails instead. Only this kernel's account is
     * charged, not the host's reservation; give it back with {@link #freeNoFail}.
     */
    public void allocNoFail(Type type, long bytes) {
        long now = used.addAndGet(bytes);
        long p;
        while (now > (p = peak.get()) && !peak.compareAndSet(p, now)) {
            // another CPU raised the peak meanwhile
        }
        type.bytes.addAndGet(bytes);
        type.allocs.incrementAndGet();
    }

    /** Gives back a charge of {@link #allocNoFail}. */
    public void freeNoFail(Type type, long bytes) {
        type.bytes.addAndGet(-bytes);
        type.frees.incrementAndGet();
        used.addAndGet(-bytes);
    }

    /** A buffer charged to {@code type}; null past the limit. */
    public ByteBuffer allocBuffer(Type type, int size, boolean direct) {
        if (!charge(size)) {
            type.failures.incrementAndGet();
            return null;
        }
        ByteBuffer b;
        try {
            b = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
        } catch (OutOfMemoryError e) {
            uncharge(size);
            type.failures.incrementAndGet();
            return null;
        }
        type.bytes.addAndGet(size);
        type.allocs.incrementAndGet();
        return b;
    }

    public void freeBuffer(Type type, ByteBuffer b) {
        type.bytes.addAndGet(-b.capacity());
        type.frees.incrementAndGet();
        uncharge(b.capacity());
    }

    public long limit() {
        return limit;
    }

    /** Bytes this kernel has charged and not freed. */
    public long used() {
        return used.get();
    }

    public long peak() {
        return peak.get();
    }

    /** Requests refused because of a limit. */
    public long failures() {
        return failures.get();
    }

    /** Reclaims run under pressure, and the bytes they gave back. */
    public long reclaims() {
        return reclaims.get();
    }

    public long reclaimedBytes() {
        return reclaimed.get();
    }

    /** The types, sorted by name. */
    public List<Type> types() {
        List<Type> l = new ArrayList<>(types.values());
        l.sort((a, b) -> a.name.compareTo(b.name));
        return l;
    }

    /**
     * The accounts as {@code vmstat -m} lists pools: per type the bytes held now, allocations, frees and
     * refusals, then the total against the limit.
     */
    public List<String> report() {
        List<String> out = new ArrayList<>();
        out.add(String.format("%-16s %12s %10s %10s %8s", "Type", "InUse(KB)", "Allocs", "Frees", "Fails"));
        for (Type t : types()) {
            out.add(String.format("%-16s %12d %10d %10d %8d", t.name, t.bytes() / 1024, t.allocs(), t.frees(),
                    t.failures()));
        }
        out.add(used() / 1024 + " Kbytes of kernel memory in use"
                + (limit == Long.MAX_VALUE ? "" : " of a " + limit / 1024 + " Kbytes limit") + ", peak "
                + peak() / 1024 + " Kbytes, " + failures() + " requests refused");
        return out;
    }

    /** A named account of kernel memory. */
    public static final class Type {
        private final String name;
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong allocs = new AtomicLong();
        final AtomicLong frees = new AtomicLong();
        final AtomicLong failures = new AtomicLong();

        Type(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        public long bytes() {
            return bytes.get();
        }

        public long allocs() {
            return allocs.get();
        }

        public long frees() {
            return frees.get();
        }

        public long failures() {
            return failures.get();
        }
    }
}
