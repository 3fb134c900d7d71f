package io.jrump.kern.mem;

import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Cpu;
import io.jrump.kern.sched.Lwp;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A pool of same-sized kernel objects ({@code pool_cache(9)}): items are made once, charged to kernel
 * memory, and reused, so steady-state traffic allocates nothing. Each virtual CPU keeps a small cache
 * that only its holder touches, without locks; the shared depot behind them takes a lock. A hard
 * limit on items, or the kernel memory limit, makes {@link #get} return null, which callers turn
 * into ENOBUFS, and which {@code netstat -m} shows as a failure.
 */
public final class Pool<T> {
    private static final int MAGAZINE = 32;
    private final Kernel kernel;
    private final int id;
    private final String name;
    private final long itemSize;
    private final Supplier<T> ctor;
    private final Consumer<T> reset;
    private final Kmem.Type account;
    private final ArrayDeque<T> depot = new ArrayDeque<>();
    private volatile int hardLimit;
    private long created;
    private long destroyed;
    private long depotGets;
    private long depotPuts;
    private long fails;
    private long peakOut;
    private final AtomicLong lent = new AtomicLong();

    public Pool(Kernel kernel, int id, String name, long itemSize, Supplier<T> ctor, Consumer<T> reset, int hardLimit) {
        this.kernel = kernel;
        this.id = id;
        this.name = name;
        this.itemSize = itemSize;
        this.ctor = ctor;
        this.reset = reset;
        this.hardLimit = hardLimit;
        this.account = kernel.kmem().type("pool:" + name);
        kernel.kmem().addReclaimer(() -> reclaim() * itemSize);
    }

    public String name() {
        return name;
    }

    public long itemSize() {
        return itemSize;
    }

    /** {@code pool_sethardlimit}. */
    public void setHardLimit(int items) {
        this.hardLimit = items;
    }

    public int hardLimit() {
        return hardLimit;
    }

    @SuppressWarnings("unchecked")
    private Magazine<T> magazine() {
        Lwp l = kernel.curlwp();
        Cpu c = l == null ? null : l.cpu();
        if (c == null) {
            return null;
        }
        Magazine<T> m = (Magazine<T>) c.poolCache(id);
        if (m == null) {
            m = new Magazine<>();
            c.setPoolCache(id, m);
        }
        return m;
    }

    /** An item, or null if the pool's hard limit or the kernel memory limit is reached. */
    public T get() {
        Magazine<T> m = magazine();
        if (m != null) {
            if (m.n == 0) {
                refill(m);
            }
            if (m.n > 0) {
                m.gets++;
                T t = m.items[--m.n];
                m.items[m.n] = null;
                return t;
            }
        }
        return getFromDepot(m);
    }

    /** Returns an item; it is reset (if the pool has a reset function) before its next use. */
    public void put(T item) {
        if (reset != null) {
            reset.accept(item);
        }
        Magazine<T> m = magazine();
        if (m != null) {
            if (m.n == m.items.length) {
                spill(m);
            }
            m.puts++;
            m.items[m.n++] = item;
            return;
        }
        synchronized (this) {
            depotPuts++;
            depot.push(item);
        }
    }

    private synchronized void refill(Magazine<T> m) {
        while (m.n < MAGAZINE / 2 && !depot.isEmpty()) {
            m.items[m.n++] = depot.pop();
        }
    }

    private synchronized void spill(Magazine<T> m) {
        while (m.n > MAGAZINE / 2) {
            T t = m.items[--m.n];
            m.items[m.n] = null;
            depot.push(t);
        }
    }

    /**
     * The depot's next item, or a new one. Kernel memory is charged outside the pool's lock: a charge
     * past the limit reclaims idle items of every pool, this one included ({@link Kmem#reclaim}), which
     * takes their locks.
     */
    private T getFromDepot(Magazine<T> m) {
        synchronized (this) {
            T t = depot.poll();
            if (t != null) {
                if (m == null) {
                    depotGets++;
                } else {
                    m.gets++;
                }
                return t;
            }
            if (created - destroyed >= hardLimit) {
                fails++;
                return null;
            }
            created++;
        }
        if (!kernel.kmem().alloc(account, itemSize)) {
            synchronized (this) {
                created--;
                fails++;
            }
            return null;
        }
        synchronized (this) {
            if (m == null) {
                depotGets++;
            } else {
                m.gets++;
            }
        }
        return ctor.get();
    }

    /** Items handed out and not yet returned (exact when no CPU is running kernel code). */
    public synchronized long outstanding() {
        long gets = depotGets;
        long puts = depotPuts;
        for (int i = 0; i < kernel.scheduler().ncpu(); i++) {
            Object o = kernel.scheduler().cpu(i).poolCache(id);
            if (o instanceof Magazine<?> m) {
                gets += m.gets;
                puts += m.puts;
            }
        }
        long out = gets - puts;
        peakOut = Math.max(peakOut, out);
        return out;
    }

    /**
     * Counts items handed out that another kernel now holds ({@code delta} +1 when the first reference from
     * another kernel is taken, -1 when the last is dropped): mbuf clusters lent across an in-memory wire.
     * They are outstanding here until that kernel frees them, and are not this kernel's leak at halt.
     */
    public void lent(int delta) {
        lent.addAndGet(delta);
    }

    /** Items that another kernel holds ({@link #lent(int)}). */
    public long lentItems() {
        return lent.get();
    }

    /** Items made and still charged to kernel memory. */
    public synchronized long allocated() {
        return created - destroyed;
    }

    /** Requests refused because of a limit. */
    public synchronized long failures() {
        return fails;
    }

    /** Items idle in the depot and CPU caches. */
    public long idle() {
        return allocated() - outstanding();
    }

    /** Gives idle items' memory back to the kernel (the pagedaemon's {@code pool_reclaim}). */
    public synchronized int reclaim() {
        int n = depot.size();
        depot.clear();
        destroyed += n;
        if (n > 0) {
            kernel.kmem().free(account, n * itemSize);
        }
        return n;
    }

    /** Drops every CPU cache into the depot and frees all idle items; used at halt. */
    public synchronized void drainAll() {
        for (int i = 0; i < kernel.scheduler().ncpu(); i++) {
            Object o = kernel.scheduler().cpu(i).poolCache(id);
            if (o instanceof Magazine<?> mm) {
                @SuppressWarnings("unchecked")
                Magazine<T> m = (Magazine<T>) mm;
                while (m.n > 0) {
                    depot.push(m.items[--m.n]);
                    m.items[m.n] = null;
                }
            }
        }
        reclaim();
    }

    private static final class Magazine<T> {
        @SuppressWarnings("unchecked")
        final T[] items = (T[]) new Object[MAGAZINE];
        int n;
        long gets;
        long puts;
    }
}
