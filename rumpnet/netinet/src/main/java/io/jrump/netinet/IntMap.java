package io.jrump.netinet;

import java.util.ArrayList;
import java.util.List;

/**
 * An open-addressing hash map from int keys (IPv4 addresses, ports) to values, for tables looked up
 * per packet (the ARP cache, the pcb tables' port index): a lookup boxes nothing and allocates
 * nothing. Neither the JDK nor Guava has a map with primitive keys ({@code HashMap<Integer, V>} boxes
 * a key outside the small cached range on each lookup), which is why this one is kept. Not
 * thread-safe; owners lock around it.
 */
public final class IntMap<V> {
    private int[] keys;
    private Object[] vals;
    private boolean[] used;
    private int size;
    private int tombstones;
    private boolean[] dead;

    public IntMap(int capacity) {
        int cap = Integer.highestOneBit(Math.max(8, capacity) * 2 - 1);
        keys = new int[cap];
        vals = new Object[cap];
        used = new boolean[cap];
        dead = new boolean[cap];
    }

    private static int mix(int k) {
        int h = k * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    @SuppressWarnings("unchecked")
    public V get(int key) {
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; used[i] || dead[i]; i = (i + 1) & mask) {
            if (used[i] && keys[i] == key) {
                return (V) vals[i];
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    public V put(int key, V val) {
        if ((size + tombstones + 1) * 2 > keys.length) {
            rehash(size * 2 >= keys.length / 2 ? keys.length * 2 : keys.length);
        }
        int mask = keys.length - 1;
        int firstDead = -1;
        int i = mix(key) & mask;
        for (; used[i] || dead[i]; i = (i + 1) & mask) {
            if (used[i] && keys[i] == key) {
                V old = (V) vals[i];
                vals[i] = val;
                return old;
            }
            if (dead[i] && firstDead < 0) {
                firstDead = i;
            }
        }
        if (firstDead >= 0) {
            i = firstDead;
            dead[i] = false;
            tombstones--;
        }
        used[i] = true;
        keys[i] = key;
        vals[i] = val;
        size++;
        return null;
    }

    @SuppressWarnings("unchecked")
    public V remove(int key) {
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; used[i] || dead[i]; i = (i + 1) & mask) {
            if (used[i] && keys[i] == key) {
                V old = (V) vals[i];
                used[i] = false;
                dead[i] = true;
                vals[i] = null;
                size--;
                tombstones++;
                return old;
            }
        }
        return null;
    }

    public int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    public List<V> values() {
        List<V> l = new ArrayList<>(size);
        for (int i = 0; i < keys.length; i++) {
            if (used[i]) {
                l.add((V) vals[i]);
            }
        }
        return l;
    }

    private void rehash(int cap) {
        int[] ok = keys;
        Object[] ov = vals;
        boolean[] ou = used;
        keys = new int[cap];
        vals = new Object[cap];
        used = new boolean[cap];
        dead = new boolean[cap];
        size = 0;
        tombstones = 0;
        for (int i = 0; i < ok.length; i++) {
            if (ou[i]) {
                @SuppressWarnings("unchecked")
                V v = (V) ov[i];
                put(ok[i], v);
            }
        }
    }
}
