package io.jrump.netinet;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A protocol's statistics ({@code struct ipstat}, {@code icmpstat}, ...): named counters that
 * softints on several CPUs bump without locks, and that {@code netstat -s} prints in order.
 */
public final class Counters {
    private final String protocol;
    private final String[] names;
    private final AtomicLongArray values;

    public Counters(String protocol, String... names) {
        this.protocol = protocol;
        this.names = names.clone();
        this.values = new AtomicLongArray(names.length);
    }

    public String protocol() {
        return protocol;
    }

    public void inc(int i) {
        values.incrementAndGet(i);
    }

    public void add(int i, long n) {
        values.addAndGet(i, n);
    }

    public long get(int i) {
        return values.get(i);
    }

    /** The counter named {@code name}; for tests and tools. */
    public long get(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return values.get(i);
            }
        }
        throw new IllegalArgumentException("no counter " + protocol + "." + name);
    }

    /** Every counter, in declaration order. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            m.put(names[i], values.get(i));
        }
        return m;
    }
}
