package io.jrump.virtif;

import java.util.Arrays;

/**
 * A table of learned addresses for a {@link LearningSwitch}: a 48-bit MAC (or an IPv4 address) as a
 * {@code long} key, the port it was last seen on, a {@code long} of data and the time it was last seen.
 * It is an open-addressing table with linear probing and backward-shift deletion, so that a lookup or a
 * refresh on the forwarding path touches a few array slots and allocates nothing (a {@code HashMap<Long, ...>}
 * would box every key); it grows by doubling, so learning is amortised O(1).
 *
 * <p>Entries older than the ageing time are stale: {@link #find} does not return them (IEEE 802.1D-2004
 * section 7.9.2: a dynamic entry is removed once the ageing time has passed since it was last refreshed),
 * and they are removed when met, or all at once before the table would grow or refuse an entry. At most
 * {@code maxEntries} are held, as NetBSD's {@code brconfig maxaddr} bounds a bridge's cache: past that a new
 * address is not learned and frames to it are flooded, never an unbounded table.
 *
 * <p>Not thread-safe: the switch holds its lock around every call.
 */
final class AddressTable {
    private static final long EMPTY = -1L;

    private final int maxEntries;
    private long[] keys;
    private Object[] ports;
    private long[] data;
    private long[] seen;
    private int size;

    /** A table that holds at most {@code maxEntries}; it starts small and grows with what it learns. */
    AddressTable(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("an address table holds at least one entry: " + maxEntries);
        }
        this.maxEntries = maxEntries;
        allocate(16);
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        Arrays.fill(keys, EMPTY);
        ports = new Object[capacity];
        data = new long[capacity];
        seen = new long[capacity];
    }

    int size() {
        return size;
    }

    /** The slot of {@code key}'s entry if it was seen less than {@code maxAge} before {@code now}, else -1. */
    int find(long key, long now, long maxAge) {
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == EMPTY) {
                return -1;
            }
            if (k == key) {
                if (now - seen[i] >= maxAge) {
                    removeAt(i);
                    return -1;
                }
                return i;
            }
        }
    }

    Object port(int slot) {
        return ports[slot];
    }

    long data(int slot) {
        return data[slot];
    }

    /** Forgets the entry in {@code slot} (its port went away). */
    void remove(int slot) {
        removeAt(slot);
    }

    /**
     * Learns or refreshes {@code key}: seen on {@code port} at {@code now}, with {@code value}. Returns false if
     * the table is full of live entries and {@code key} is not among them, so it was not learned.
     */
    boolean put(long key, Object port, long value, long now, long maxAge) {
        int mask = keys.length - 1;
        int i = slot(key, mask);
        for (; keys[i] != EMPTY; i = (i + 1) & mask) {
            if (keys[i] == key) {
                ports[i] = port;
                data[i] = value;
                seen[i] = now;
                return true;
            }
        }
        if (size >= maxEntries || (size + 1) * 2 > keys.length) {
            expire(now, maxAge);
            if (size >= maxEntries) {
                return false;
            }
            if ((size + 1) * 2 > keys.length) {
                rehash(keys.length * 2);
            }
            return put(key, port, value, now, maxAge);
        }
        keys[i] = key;
        ports[i] = port;
        data[i] = value;
        seen[i] = now;
        size++;
        return true;
    }

    /** Removes every entry seen {@code maxAge} or longer before {@code now}. */
    void expire(long now, long maxAge) {
        for (int i = 0; i < keys.length; ) {
            if (keys[i] != EMPTY && now - seen[i] >= maxAge) {
                // backward shift may move an unvisited entry into i: look at i again
                removeAt(i);
            } else {
                i++;
            }
        }
    }

    /** Removes every entry learned on {@code port}. */
    void forget(Object port) {
        for (int i = 0; i < keys.length; ) {
            if (keys[i] != EMPTY && ports[i] == port) {
                removeAt(i);
            } else {
                i++;
            }
        }
    }

    private void rehash(int capacity) {
        long[] k = keys;
        Object[] p = ports;
        long[] d = data;
        long[] s = seen;
        allocate(capacity);
        int mask = capacity - 1;
        for (int j = 0; j < k.length; j++) {
            if (k[j] != EMPTY) {
                int i = slot(k[j], mask);
                while (keys[i] != EMPTY) {
                    i = (i + 1) & mask;
                }
                keys[i] = k[j];
                ports[i] = p[j];
                data[i] = d[j];
                seen[i] = s[j];
            }
        }
    }

    /**
     * Deletes slot {@code i} and moves back the entries of the probe run behind it that may sit there, so that
     * no tombstones pile up (Knuth's algorithm R for linear probing).
     */
    private void removeAt(int i) {
        int mask = keys.length - 1;
        int hole = i;
        for (int j = (i + 1) & mask; keys[j] != EMPTY; j = (j + 1) & mask) {
            int home = slot(keys[j], mask);
            // keys[j] may move to the hole unless its home lies cyclically in (hole, j]
            boolean stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!stays) {
                keys[hole] = keys[j];
                ports[hole] = ports[j];
                data[hole] = data[j];
                seen[hole] = seen[j];
                hole = j;
            }
        }
        keys[hole] = EMPTY;
        ports[hole] = null;
        size--;
    }

    /** The home slot: a multiplicative hash (Fibonacci hashing) spreads MACs that differ in their low bytes only. */
    private static int slot(long key, int mask) {
        return (int) ((key * 0x9E37_79B9_7F4A_7C15L) >>> 40) & mask;
    }
}
