package io.jrump.netinet.tcp.vtw;

/**
 * One MSL class's vestigial TIME_WAIT entries (seed 004; NetBSD's {@code vtw_ctl}): a fixed number
 * of compact records in one int array (kept in pieces, {@link ChunkedInts}), thirteen words each,
 * with every reference a narrow index into it rather than an object pointer, so that a connection in
 * TIME_WAIT costs a few dozen bytes instead of a socket, a pcb and a control block.
 *
 * <p>Entries are taken in ring order, by a clock hand, and every entry of a class lives the same
 * 2*MSL, so the ring is sorted by age: the oldest entry is at the hand's tail, which is what both
 * the aging tick (expire from the tail until an entry is still young) and a full class (discard
 * the tail) need. An entry deleted early (recycled by a new SYN, restarted by a retransmitted FIN)
 * leaves a hole that the tail skips when it gets there.
 *
 * <p>Two indexes: the four-tuple {@link VtwLineHash}, for segments; and a doubly linked chain per
 * local-port bucket, for {@code bind}, which must still see the port in use. Not thread-safe: the
 * owning {@code tcp.Vtw} holds its lock.
 */
public final class VtwPool implements VtwLineHash.Match {
    public static final int LADDR = 0;
    public static final int FADDR = 1;
    /** Local port in the high half, foreign port in the low half. */
    public static final int PORTS = 2;
    public static final int RCV_NXT = 3;
    public static final int SND_NXT = 4;
    public static final int TS_RECENT = 5;
    public static final int TS_OFFSET = 6;
    /** Milliseconds from {@link #epoch}, compared by subtraction so that it may wrap. */
    static final int EXPIRE = 7;
    public static final int UID = 8;
    /** The window to announce (16 bits, already scaled) and the flags below. */
    public static final int META = 9;
    /** Port chain links, index + 1 (0: none). */
    static final int PORT_NEXT = 10;
    static final int PORT_PREV = 11;
    /** Where {@link VtwLineHash#insert} put the entry's tag. */
    static final int HASH_WORD = 12;
    static final int STRIDE = 13;
    private static final long MS = 1_000_000L;

    public static final int M_WIN = 0xffff;
    public static final int M_INUSE = 1 << 16;
    public static final int M_TS = 1 << 17;
    public static final int M_REUSEADDR = 1 << 18;
    public static final int M_REUSEPORT = 1 << 19;

    public final int cls;
    public final int capacity;
    private final int mask;
    private final ChunkedInts e;
    private final VtwLineHash hash;
    private final ChunkedInts portHeads;
    private final int portMask;
    private final int seed;
    private final long epoch;
    /** The ring: {@code tail} is the oldest slot, {@code span} slots from it are taken or holes. */
    private int tail;
    private int span;
    private int inUse;
    // the four-tuple being looked up, for matches()
    private int qLaddr;
    private int qFaddr;
    private int qPorts;

    public VtwPool(int cls, int capacity, int seed, long epoch) {
        this.cls = cls;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.e = new ChunkedInts(capacity * STRIDE);
        this.hash = new VtwLineHash(capacity);
        this.portHeads = new ChunkedInts(portBuckets(capacity));
        this.portMask = portHeads.length() - 1;
        this.seed = seed;
        this.epoch = epoch;
    }

    private static int portBuckets(int capacity) {
        return Math.max(1, capacity / 2);
    }

    /** What a pool of {@code capacity} entries takes, charged to kernel memory when it is made. */
    public static long bytesFor(int capacity) {
        return ChunkedInts.bytesFor(capacity * STRIDE) + VtwLineHash.bytesFor(capacity)
                + ChunkedInts.bytesFor(portBuckets(capacity)) + 96;
    }

    /** Word {@code w} of entry {@code idx}. */
    public int word(int idx, int w) {
        return e.get(idx * STRIDE + w);
    }

    public void setWord(int idx, int w, int v) {
        e.set(idx * STRIDE + w, v);
    }

    public int inUse() {
        return inUse;
    }

    public boolean full() {
        return span == capacity;
    }

    int ms(long nanos) {
        return (int) ((nanos - epoch) / MS);
    }

    public boolean expired(int idx, long now) {
        return e.get(idx * STRIDE + EXPIRE) - ms(now) <= 0;
    }

    private int key(int laddr, int faddr, int ports) {
        int h = seed;
        h = (h ^ laddr) * 0x85EBCA6B;
        h = (h ^ faddr) * 0xC2B2AE35;
        h = (h ^ ports) * 0x9E3779B1;
        return h ^ h >>> 15;
    }

    private int portBucket(int lport) {
        int h = (lport ^ seed) * 0x9E3779B1;
        return (h ^ h >>> 16) & portMask;
    }

    @Override
    public boolean matches(int idx) {
        int b = idx * STRIDE;
        return (e.get(b + META) & M_INUSE) != 0 && e.get(b + PORTS) == qPorts && e.get(b + FADDR) == qFaddr
                && e.get(b + LADDR) == qLaddr;
    }

    /** The entry for this four-tuple, or -1. */
    public int find(int laddr, int lport, int faddr, int fport) {
        qLaddr = laddr;
        qFaddr = faddr;
        qPorts = lport << 16 | fport;
        return hash.find(key(laddr, faddr, qPorts), this);
    }

    /** The oldest entry; the pool must not be empty. */
    public int oldest() {
        return tail;
    }

    /**
     * Takes the slot at the head of the ring for a connection; the pool must not be {@link #full}.
     * The caller fills in the sequence state.
     */
    public int add(int laddr, int lport, int faddr, int fport, long expire, int meta, int uid) {
        int idx = (tail + span) & mask;
        span++;
        inUse++;
        int b = idx * STRIDE;
        int ports = lport << 16 | fport;
        e.set(b + LADDR, laddr);
        e.set(b + FADDR, faddr);
        e.set(b + PORTS, ports);
        e.set(b + EXPIRE, ms(expire));
        e.set(b + UID, uid);
        e.set(b + META, meta | M_INUSE);
        e.set(b + HASH_WORD, hash.insert(key(laddr, faddr, ports), idx));
        int pb = portBucket(lport);
        int first = portHeads.get(pb);
        e.set(b + PORT_PREV, 0);
        e.set(b + PORT_NEXT, first);
        if (first != 0) {
            e.set((first - 1) * STRIDE + PORT_PREV, idx + 1);
        }
        portHeads.set(pb, idx + 1);
        return idx;
    }

    /** Frees an entry; the oldest end of the ring moves past any holes. */
    public void delete(int idx) {
        int b = idx * STRIDE;
        if ((e.get(b + META) & M_INUSE) == 0) {
            return;
        }
        hash.remove(key(e.get(b + LADDR), e.get(b + FADDR), e.get(b + PORTS)), e.get(b + HASH_WORD));
        int prev = e.get(b + PORT_PREV);
        int next = e.get(b + PORT_NEXT);
        if (prev == 0) {
            portHeads.set(portBucket(e.get(b + PORTS) >>> 16), next);
        } else {
            e.set((prev - 1) * STRIDE + PORT_NEXT, next);
        }
        if (next != 0) {
            e.set((next - 1) * STRIDE + PORT_PREV, prev);
        }
        e.set(b + META, 0);
        inUse--;
        while (span > 0 && (e.get(tail * STRIDE + META) & M_INUSE) == 0) {
            tail = (tail + 1) & mask;
            span--;
        }
    }

    /** The first entry on local port {@code lport} after {@code from} (-1 to start), or -1. */
    public int nextOnPort(int lport, int from) {
        int n = from < 0 ? portHeads.get(portBucket(lport)) : e.get(from * STRIDE + PORT_NEXT);
        while (n != 0) {
            int idx = n - 1;
            if (e.get(idx * STRIDE + PORTS) >>> 16 == lport) {
                return idx;
            }
            n = e.get(idx * STRIDE + PORT_NEXT);
        }
        return -1;
    }

    /** Every entry in age order, oldest first, for listings. */
    public void forEach(java.util.function.IntConsumer f) {
        for (int i = 0; i < span; i++) {
            int idx = (tail + i) & mask;
            if ((e.get(idx * STRIDE + META) & M_INUSE) != 0) {
                f.accept(idx);
            }
        }
    }

    void clear() {
        hash.clear();
        portHeads.fill(0);
        e.fill(0);
        tail = 0;
        span = 0;
        inUse = 0;
    }
}
