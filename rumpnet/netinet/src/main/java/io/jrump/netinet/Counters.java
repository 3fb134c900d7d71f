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

    /**
     * Makes every counter a read-only sysctl under {@code prefix} (such as {@code net.inet.ip.stats}),
     * named by a short key made from its description, which {@code netstat -s} prints beside the value.
     */
    public void publish(io.jrump.kern.sysctl.Sysctl sysctl, String prefix) {
        java.util.Set<String> used = new java.util.HashSet<>();
        for (int i = 0; i < names.length; i++) {
            String key = key(names[i]);
            String k = key;
            for (int n = 2; !used.add(k); n++) {
                k = key + "_" + n;
            }
            int idx = i;
            sysctl.createDynamic(prefix + "." + k, names[i], io.jrump.kern.sysctl.SysctlType.QUAD, () -> values.get(idx));
        }
    }

    static String key(String description) {
        StringBuilder sb = new StringBuilder();
        for (String w : description.toLowerCase(java.util.Locale.ROOT).split("[^a-z0-9]+")) {
            if (w.isEmpty() || w.equals("the") || w.equals("with") || w.equals("to") || w.equals("of") || w.equals("a")) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append('_');
            }
            sb.append(w);
            if (sb.length() > 28) {
                break;
            }
        }
        return sb.toString();
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
