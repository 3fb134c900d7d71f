package io.jrump.vfs.rumpfs;

import io.jrump.vfs.ComponentName;
import io.jrump.vfs.VnodeOps;

/**
 * A directory's entries: a hash table by name, searched with the path's own characters
 * ({@link ComponentName#regionMatches}) so that a lookup allocates nothing, and the same entries in
 * creation order for {@code getdents}. Each entry has a sequence number that never changes; a reader's
 * cookie is the number to go on from, found by binary search, so entries added or removed while a
 * directory is read do not make it skip or repeat the others. Removed entries leave a gap that is
 * compacted once gaps outnumber entries. Cookies 0 and 1 are {@code .} and {@code ..}.
 *
 * <p>Not thread-safe: the directory's vnode lock orders access.
 */
final class RumpfsDir {
    /** The first sequence number; 0 and 1 are the dot entries. */
    static final long FIRST_SEQ = 2;

    static final class Entry {
        final String name;
        final int hash;
        final RumpfsNode node;
        final long seq;
        Entry next;
        boolean removed;

        Entry(String name, int hash, RumpfsNode node, long seq) {
            this.name = name;
            this.hash = hash;
            this.node = node;
            this.seq = seq;
        }
    }

    /** The directory this one's {@code ..} leads to; null for a mount's root. */
    RumpfsNode parent;
    private Entry[] table = new Entry[8];
    private int count;
    private Entry[] order = new Entry[8];
    private int orderLen;
    private long nextSeq = FIRST_SEQ;

    RumpfsDir(RumpfsNode parent) {
        this.parent = parent;
    }

    int size() {
        return count;
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }

    Entry lookup(ComponentName cn) {
        int h = cn.hash();
        for (Entry e = table[spread(h) & (table.length - 1)]; e != null; e = e.next) {
            if (e.hash == h && cn.regionMatches(e.name)) {
                return e;
            }
        }
        return null;
    }

    Entry lookup(String name) {
        int h = name.hashCode();
        for (Entry e = table[spread(h) & (table.length - 1)]; e != null; e = e.next) {
            if (e.hash == h && e.name.equals(name)) {
                return e;
            }
        }
        return null;
    }

    /** Adds an entry; the caller knows the name is free. */
    void add(String name, RumpfsNode node) {
        if (count + 1 > table.length * 3 / 4) {
            rehash(table.length * 2);
        }
        Entry e = new Entry(name, name.hashCode(), node, nextSeq++);
        int i = spread(e.hash) & (table.length - 1);
        e.next = table[i];
        table[i] = e;
        count++;
        if (orderLen == order.length) {
            compactOrGrow();
        }
        order[orderLen++] = e;
    }

    /** Removes the entry called {@code name}; returns it, or null if there was none. */
    Entry remove(String name) {
        int h = name.hashCode();
        int i = spread(h) & (table.length - 1);
        Entry prev = null;
        for (Entry e = table[i]; e != null; prev = e, e = e.next) {
            if (e.hash == h && e.name.equals(name)) {
                if (prev == null) {
                    table[i] = e.next;
                } else {
                    prev.next = e.next;
                }
                e.removed = true;
                count--;
                if (orderLen - count > 16 && orderLen - count > count) {
                    compact();
                }
                return e;
            }
        }
        return null;
    }

    private void rehash(int n) {
        Entry[] t = new Entry[n];
        for (Entry head : table) {
            for (Entry e = head; e != null; ) {
                Entry next = e.next;
                int i = spread(e.hash) & (n - 1);
                e.next = t[i];
                t[i] = e;
                e = next;
            }
        }
        table = t;
    }

    private void compactOrGrow() {
        if (orderLen - count > orderLen / 4) {
            compact();
        }
        if (orderLen == order.length) {
            order = java.util.Arrays.copyOf(order, order.length * 2);
        }
    }

    private void compact() {
        int j = 0;
        for (int i = 0; i < orderLen; i++) {
            Entry e = order[i];
            if (!e.removed) {
                order[j++] = e;
            }
        }
        java.util.Arrays.fill(order, j, orderLen, null);
        orderLen = j;
    }

    /** Index in {@link #order} of the first entry with a sequence number at or after {@code seq}. */
    private int firstAtOrAfter(long seq) {
        int lo = 0;
        int hi = orderLen;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (order[mid].seq < seq) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Whether no live entry has a sequence number at or after {@code cookie}. */
    boolean atEnd(long cookie) {
        for (int i = firstAtOrAfter(Math.max(cookie, FIRST_SEQ)); i < orderLen; i++) {
            if (!order[i].removed) {
                return false;
            }
        }
        return true;
    }

    /**
     * Hands live entries from {@code cookie} on to {@code sink}; returns the cookie to go on from. The
     * dot entries come from the caller, which knows the file numbers.
     */
    long readdir(long cookie, VnodeOps.DirentSink sink) {
        long from = Math.max(cookie, FIRST_SEQ);
        for (int i = firstAtOrAfter(from); i < orderLen; i++) {
            Entry e = order[i];
            if (e.removed) {
                continue;
            }
            if (!sink.accept(e.node.fileid, e.node.type.dtype(), e.name, e.seq + 1)) {
                return e.seq;
            }
        }
        return Math.max(from, nextSeq);
    }
}
