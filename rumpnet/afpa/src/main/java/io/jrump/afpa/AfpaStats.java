package io.jrump.afpa;

import io.jrump.kern.sysctl.Sysctl;
import io.jrump.kern.sysctl.SysctlType;
import io.jrump.netinet.Counters;
import java.util.function.LongSupplier;

/**
 * The accelerator's counters, published as {@code net.afpa.stats.*} the way netinet publishes
 * {@code net.inet.*.stats} (one read-only quad per counter, named from its description), so that
 * {@code rump.netstat -s -p afpa} prints them as it prints a protocol's (issue 17). The two gauges,
 * cache memory in use and evictions, belong to the cache and are read from it when asked.
 */
public final class AfpaStats {
    /** Requests answered from a cache object that was already built. */
    public static final int HITS = 0;
    /** Requests for a servable file whose object had to be built first (by a service thread). */
    public static final int MISSES = 1;
    /** Connections handed with their bytes to the user-level server on the port. */
    public static final int PASSED = 2;
    /** Response bytes (headers and bodies) the accelerator queued for sending. */
    public static final int BYTES = 3;
    /** 64 KB chunks queued (hook mode's free-hook chunks, tdi mode's pin-array chunks). */
    public static final int CHUNKS = 4;
    /** Frames copied because another response still had them in flight (the Linux seed's copy). */
    public static final int COPIED = 5;
    /** Error responses the accelerator answered itself (400, 404, 405, 414, 416, 431, 503). */
    public static final int ERRORS = 6;
    /** Not-modified answers to {@code If-Modified-Since}. */
    public static final int NOT_MODIFIED = 7;
    /** Connections the accelerator took charge of. */
    public static final int CONNECTIONS = 8;
    /** Keep-alive connections closed because they stayed idle past {@code net.afpa.keepalive_timeout}. */
    public static final int IDLE_CLOSED = 9;

    private static final String[] NAMES = {
        "hits",
        "misses",
        "requests passed to user level",
        "bytes sent",
        "chunks sent",
        "frames copied because still in flight",
        "error responses",
        "not modified responses",
        "connections",
        "idle keep-alive connections closed",
    };

    private final Counters counters = new Counters("afpa", NAMES);
    private volatile LongSupplier cacheBytes = () -> 0;
    private volatile LongSupplier evictions = () -> 0;

    public void inc(int i) {
        counters.inc(i);
    }

    public void add(int i, long n) {
        counters.add(i, n);
    }

    public long get(int i) {
        return counters.get(i);
    }

    /** The counter with this description; for tests and tools. */
    public long get(String name) {
        if (name.equals("cache memory in use")) {
            return cacheBytes.getAsLong();
        }
        if (name.equals("evictions")) {
            return evictions.getAsLong();
        }
        return counters.get(name);
    }

    /** Where the gauges come from: the cache, once it exists. */
    void gauges(LongSupplier cacheBytes, LongSupplier evictions) {
        this.cacheBytes = cacheBytes;
        this.evictions = evictions;
    }

    void publish(Sysctl sysctl, String prefix) {
        counters.publish(sysctl, prefix);
        sysctl.createDynamic(prefix + ".cache_memory_in_use", "cache memory in use", SysctlType.QUAD,
                () -> cacheBytes.getAsLong());
        sysctl.createDynamic(prefix + ".evictions", "evictions", SysctlType.QUAD, () -> evictions.getAsLong());
    }
}
