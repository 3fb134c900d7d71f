package io.jrump.vfs.rumpfs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;

/**
 * A regular file's data in fixed-size pages, indexed by a radix tree that grows in height with the
 * file, so that holes cost nothing (a 1 TB file with one written page holds one page and the few index
 * nodes above it), growing a file copies nothing, and finding the page for an offset is a few array
 * loads. A file of one page needs no index at all. Pages and index nodes are charged to the mount
 * ({@link RumpfsMount#charge}), so running out of kernel memory is ENOSPC for the writer.
 *
 * <p>Invariant: bytes of a page beyond the file's size are zero, so extending the file (by a write
 * past the end or by {@code truncate}) exposes zeros without touching any page.
 *
 * <p>Not thread-safe: the vnode lock orders access (shared for reads, exclusive for changes).
 */
final class PageStore {
    static final int PAGE_SHIFT = 12;
    static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    private static final int BITS = 9;
    private static final int FANOUT = 1 << BITS;
    private static final int MASK = FANOUT - 1;
    /** What an index node costs in memory: the array header and its references. */
    static final int INDEX_BYTES = 16 + FANOUT * 4;
    /** Highest height: page indexes below 2^(9*5) pages, 2^57 bytes. */
    private static final int MAX_HEIGHT = 5;

    /** Height 0: the page at index 0 or null; height h: an Object[FANOUT] covering 2^(9h) pages. */
    private Object root;
    private int height;
    private long pages;
    private long indexNodes;

    /** Pages held. */
    long pages() {
        return pages;
    }

    /** Bytes held in pages and index nodes. */
    long bytes() {
        return pages * PAGE_SIZE + indexNodes * INDEX_BYTES;
    }

    private static long capacity(int h) {
        return h == 0 ? 1 : 1L << (BITS * h);
    }

    /** The page with index {@code idx}, or null in a hole. */
    byte[] get(long idx) {
        int h = height;
        if (idx >= capacity(h)) {
            return null;
        }
        Object n = root;
        for (int shift = (h - 1) * BITS; shift >= 0 && n != null; shift -= BITS) {
            n = ((Object[]) n)[(int) (idx >>> shift) & MASK];
        }
        return (byte[]) n;
    }

    /** The page with index {@code idx}, made (zeroed, charged) if it was a hole; ENOSPC past the limits. */
    byte[] getOrCreate(long idx, RumpfsMount m) throws ErrnoException {
        byte[] pg = get(idx);
        if (pg != null) {
            return pg;
        }
        while (idx >= capacity(height)) {
            if (height == MAX_HEIGHT) {
                throw new ErrnoException(Errno.EFBIG);
            }
            if (root == null) {
                height++;
                continue;
            }
            m.chargeOrFail(INDEX_BYTES);
            Object[] up = new Object[FANOUT];
            up[0] = root;
            root = up;
            height++;
            indexNodes++;
        }
        m.chargeOrFail(PAGE_SIZE);
        byte[] page = new byte[PAGE_SIZE];
        if (height == 0) {
            root = page;
            pages++;
            return page;
        }
        if (root == null) {
            if (!m.charge(INDEX_BYTES)) {
                m.uncharge(PAGE_SIZE);
                throw m.enospc();
            }
            root = new Object[FANOUT];
            indexNodes++;
        }
        Object[] n = (Object[]) root;
        for (int shift = (height - 1) * BITS; shift > 0; shift -= BITS) {
            int i = (int) (idx >>> shift) & MASK;
            Object c = n[i];
            if (c == null) {
                if (!m.charge(INDEX_BYTES)) {
                    m.uncharge(PAGE_SIZE);
                    throw m.enospc();
                }
                c = new Object[FANOUT];
                n[i] = c;
                indexNodes++;
            }
            n = (Object[]) c;
        }
        n[(int) idx & MASK] = page;
        pages++;
        return page;
    }

    /**
     * Drops the pages wholly past {@code size} and zeroes the tail of the page that {@code size} cuts,
     * keeping the invariant; gives the memory back to the mount.
     */
    void truncate(long size, RumpfsMount m) {
        long firstGone = (size + PAGE_SIZE - 1) >>> PAGE_SHIFT;
        int cut = (int) (size & (PAGE_SIZE - 1));
        if (cut != 0) {
            byte[] pg = get(size >>> PAGE_SHIFT);
            if (pg != null) {
                java.util.Arrays.fill(pg, cut, PAGE_SIZE, (byte) 0);
            }
        }
        if (root == null || firstGone >= capacity(height)) {
            return;
        }
        if (height == 0) {
            if (firstGone == 0) {
                root = null;
                pages--;
                m.uncharge(PAGE_SIZE);
            }
            return;
        }
        long freed = prune((Object[]) root, height, 0, firstGone, m);
        if (freed < 0) {
            root = null;
            indexNodes--;
            m.uncharge(INDEX_BYTES);
        }
    }

    /**
     * Frees pages with index {@code >= firstGone} under {@code node} (covering pages from {@code base});
     * returns -1 if the node ended up empty (the caller frees it), else 0.
     */
    private long prune(Object[] node, int h, long base, long firstGone, RumpfsMount m) {
        long span = capacity(h - 1);
        boolean empty = true;
        for (int i = 0; i < FANOUT; i++) {
            Object c = node[i];
            if (c == null) {
                continue;
            }
            long cbase = base + i * span;
            if (cbase + span <= firstGone) {
                empty = false;
                continue;
            }
            if (h == 1) {
                if (cbase >= firstGone) {
                    node[i] = null;
                    pages--;
                    m.uncharge(PAGE_SIZE);
                } else {
                    empty = false;
                }
            } else if (prune((Object[]) c, h - 1, cbase, firstGone, m) < 0) {
                node[i] = null;
                indexNodes--;
                m.uncharge(INDEX_BYTES);
            } else {
                empty = false;
            }
        }
        return empty ? -1 : 0;
    }

    /** Gives back every page and index node. */
    void freeAll(RumpfsMount m) {
        m.uncharge(bytes());
        root = null;
        height = 0;
        pages = 0;
        indexNodes = 0;
    }

    /** The first page index at or after {@code idx} that holds a page; -1 if none. */
    long nextPage(long idx) {
        if (root == null || idx >= capacity(height)) {
            return -1;
        }
        if (height == 0) {
            return idx == 0 ? 0 : -1;
        }
        return nextPage((Object[]) root, height, 0, idx);
    }

    private long nextPage(Object[] node, int h, long base, long idx) {
        long span = capacity(h - 1);
        int first = (int) Math.max(0, (idx - base) / span);
        for (int i = first; i < FANOUT; i++) {
            Object c = node[i];
            if (c == null) {
                continue;
            }
            long cbase = base + i * span;
            if (h == 1) {
                return cbase;
            }
            long r = nextPage((Object[]) c, h - 1, cbase, Math.max(idx, cbase));
            if (r >= 0) {
                return r;
            }
        }
        return -1;
    }

    /** The first page index at or after {@code idx} that is a hole. */
    long nextHole(long idx) {
        while (get(idx) != null) {
            idx++;
        }
        return idx;
    }
}
