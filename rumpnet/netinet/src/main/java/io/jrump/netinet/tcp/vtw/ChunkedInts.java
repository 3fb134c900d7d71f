package io.jrump.netinet.tcp.vtw;

/**
 * A fixed-length int array kept in 64 KB pieces, for tables that are large and live long (the
 * vestigial TIME_WAIT pools). One big array would be a "humongous" object to the JVM's G1 collector,
 * which rounds it up to whole heap regions: a 3.4 MB pool took 4 MB, a fifth more than its entries. Pieces
 * well under half the smallest region size are allocated like any other object. Neither the JDK nor
 * Guava has a segmented primitive array; a {@code List<Integer>} would box every entry.
 */
final class ChunkedInts {
    private static final int SHIFT = 14;
    private static final int CHUNK = 1 << SHIFT;
    private static final int MASK = CHUNK - 1;
    private final int[][] chunks;
    private final int length;

    ChunkedInts(int length) {
        this.length = length;
        int n = (length + CHUNK - 1) >>> SHIFT;
        chunks = new int[n][];
        for (int i = 0; i < n; i++) {
            chunks[i] = new int[Math.min(CHUNK, length - (i << SHIFT))];
        }
    }

    /** Heap bytes for {@code length} ints, headers included. */
    static long bytesFor(int length) {
        int n = (length + CHUNK - 1) >>> SHIFT;
        return 4L * length + 16L * n + 16 + 8L * n;
    }

    int length() {
        return length;
    }

    int get(int i) {
        return chunks[i >>> SHIFT][i & MASK];
    }

    void set(int i, int v) {
        chunks[i >>> SHIFT][i & MASK] = v;
    }

    void fill(int v) {
        for (int[] c : chunks) {
            java.util.Arrays.fill(c, v);
        }
    }
}
