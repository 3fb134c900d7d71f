package io.jrump.netinet.tcp.vtw;

/**
 * The four-tuple index of one {@link VtwPool}: a hash table whose buckets are a cache line's worth
 * (64 bytes) of sixteen ints, the idea behind NetBSD's "fat pointers" (seed 004, {@code tcp_vtw.h});
 * the JVM does not align them, so a bucket spans one or two hardware lines. Word 0 of a
 * line holds which of the fifteen slots are taken (bits 0..14) and how many entries homed at an
 * earlier line were pushed past this one (bits 15..31); words 1..15 hold tags. A tag is the entry's
 * full 32-bit key XORed with its pool index, so a probe XORs its own key into each tag: a result
 * that is not a valid index rules the slot out without touching the entry, and a valid one is
 * confirmed against the entry. A lookup that misses therefore reads one line and, almost always,
 * no entry at all.
 *
 * <p>A full line overflows into the next (linear probing by line); the pushed-past count tells a
 * lookup whether it must go on, and falls again when such an entry leaves. With a line for every
 * eight pool entries the table is at most half full, which keeps chains to one line. Not
 * thread-safe: the owning {@code tcp.Vtw} holds its lock.
 */
final class VtwLineHash {
    static final int WORDS = 16;
    static final int SLOTS = WORDS - 1;
    private static final int USED_MASK = (1 << SLOTS) - 1;
    private static final int PASS_ONE = 1 << SLOTS;
    private static final int PASS_MAX = -1 >>> SLOTS;

    /** Confirms a candidate index against the entry it names. */
    interface Match {
        boolean matches(int idx);
    }

    private final ChunkedInts lines;
    private final int lineMask;
    private final int idxMask;

    /** A table for a pool of {@code entries} (a power of two) indexes. */
    VtwLineHash(int entries) {
        int n = Math.max(1, entries / 8);
        this.lines = new ChunkedInts(n * WORDS);
        this.lineMask = n - 1;
        this.idxMask = entries - 1;
    }

    static long bytesFor(int entries) {
        return ChunkedInts.bytesFor(Math.max(1, entries / 8) * WORDS);
    }

    private int home(int key) {
        // the low bits of the key are already in every tag; the line comes from the high ones
        return (key >>> 16 ^ key * 0x9E3779B9 >>> 7) & lineMask;
    }

    /**
     * Adds {@code idx} under {@code key} and returns the word it went to, which {@link #remove} takes;
     * the table never fills, having more slots than the pool has entries.
     */
    int insert(int key, int idx) {
        int line = home(key);
        for (int probes = 0; probes <= lineMask; probes++) {
            int base = line * WORDS;
            int used = lines.get(base) & USED_MASK;
            if (used != USED_MASK) {
                int slot = Integer.numberOfTrailingZeros(~used);
                lines.set(base, lines.get(base) | 1 << slot);
                lines.set(base + 1 + slot, key ^ idx);
                return base + 1 + slot;
            }
            if (lines.get(base) >>> SLOTS != PASS_MAX) {
                lines.set(base, lines.get(base) + PASS_ONE);
            }
            line = (line + 1) & lineMask;
        }
        throw new IllegalStateException("VTW hash full");
    }

    /** The index under {@code key} that {@code m} confirms, or -1. */
    int find(int key, Match m) {
        int line = home(key);
        for (int probes = 0; probes <= lineMask; probes++) {
            int base = line * WORDS;
            int head = lines.get(base);
            for (int used = head & USED_MASK; used != 0; used &= used - 1) {
                int slot = Integer.numberOfTrailingZeros(used);
                int idx = lines.get(base + 1 + slot) ^ key;
                if ((idx & ~idxMask) == 0 && m.matches(idx)) {
                    return idx;
                }
            }
            if (head >>> SLOTS == 0) {
                return -1;
            }
            line = (line + 1) & lineMask;
        }
        return -1;
    }

    /**
     * Frees the word {@link #insert} returned for an entry under {@code key}; the lines between the
     * key's home and that word's line count one entry pushed past them less. (Removing by position,
     * not by tag, because two entries may share a tag.)
     */
    void remove(int key, int word) {
        int line = word / WORDS;
        int slot = word % WORDS - 1;
        lines.set(line * WORDS, lines.get(line * WORDS) & ~(1 << slot));
        for (int l = home(key); l != line; l = (l + 1) & lineMask) {
            int b = l * WORDS;
            int pass = lines.get(b) >>> SLOTS;
            if (pass != PASS_MAX && pass > 0) {
                lines.set(b, lines.get(b) - PASS_ONE);
            }
        }
    }

    /** Empties the table. */
    void clear() {
        lines.fill(0);
    }
}
