package io.jrump.rumpnet.socket;

import io.jrump.rumpnet.mbuf.ExtFree;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufPool;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * An interface's own buffer memory (DART seed 002, "Resource Exhaustion" and "Data Relocation"): a quota of
 * fixed-size adapter buffers, with its use counted apart from the kernel's mbuf memory. It holds TCP send data
 * until the acknowledgment arrives and received data until the application reads it. Socket data held in
 * it sits in mbufs whose external storage is an adapter buffer ({@link MbufPool#getExternal}); the buffer
 * comes back here when the last mbuf referring to it is freed, whether after the acknowledgment or after
 * {@link SockBuf#relocate} copied the data to kernel buffers.
 *
 * <p>Buffers are made on first use, up to the quota, and kept on a free list: after warm-up a send costs
 * no allocation. All-or-nothing: {@link #copyin} either places a whole write in adapter buffers or none of
 * it, and the caller falls back to kernel buffers, as the seed's socket layer does rather than block.
 *
 * <p>Admission ({@link #admits}): while more than a quarter of the memory is free any flow fast enough to
 * be worth it ({@link #minRate}) may hold buffers; below that only flows at least as fast as the average of
 * those admitted lately, so that scarce adapter memory goes to the high-bandwidth flows first, and
 * {@link #squeezed()} tells the slower holders to relocate.
 */
public final class AdapterMemory implements ExtFree {
    /** One adapter buffer: the largest a socket-layer write is cut into (a jumbo cluster's worth). */
    public static final int BUFSIZE = Mbuf.MJUMBYTES;
    /** A small adapter buffer, for a received segment of a standard frame (a cluster's worth). */
    public static final int SMALL = Mbuf.MCLBYTES;

    private final String name;
    private final MbufPool pool;
    private final long quota;
    private final long minRate;
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();
    private final ArrayDeque<byte[]> small = new ArrayDeque<>();
    private long made;
    private long used;
    private long peak;
    private long allocs;
    private long fallbacks;
    private long relocatedBytes;
    private long relocations;
    private double avgRate;

    /**
     * @param name the interface's name, for messages
     * @param pool the kernel's mbufs, whose headers point at the adapter buffers
     * @param quota the memory, in bytes (whole buffers of {@link #BUFSIZE})
     * @param minRate the slowest flow, in bytes per second, that is given adapter buffers
     */
    public AdapterMemory(String name, MbufPool pool, long quota, long minRate) {
        if (quota < BUFSIZE) {
            throw new IllegalArgumentException("adapter memory of " + quota + " bytes is less than one buffer ("
                    + BUFSIZE + ")");
        }
        this.name = name;
        this.pool = pool;
        this.quota = quota / BUFSIZE * BUFSIZE;
        this.minRate = minRate;
    }

    public String name() {
        return name;
    }

    public long quota() {
        return quota;
    }

    public synchronized long used() {
        return used;
    }

    public synchronized long peak() {
        return peak;
    }

    /** Buffers handed out. */
    public synchronized long allocs() {
        return allocs;
    }

    /** Writes that went to kernel buffers because the adapter was short. */
    public synchronized long fallbacks() {
        return fallbacks;
    }

    /** Bytes, and times, socket data was moved from adapter to kernel buffers. */
    public synchronized long relocatedBytes() {
        return relocatedBytes;
    }

    public synchronized long relocations() {
        return relocations;
    }

    public long minRate() {
        return minRate;
    }

    /**
     * Copies {@code len} bytes of {@code src} into adapter buffers as an mbuf chain, or returns null (with
     * {@code src} untouched) if the adapter has not enough free memory or mbuf headers ran out.
     */
    public Mbuf copyin(ByteBuffer src, int len) {
        return place(src, null, len);
    }

    /**
     * The receive side: the first {@code len} bytes of {@code src}, a received segment's data, copied into
     * adapter buffers as an mbuf chain (where the seed's adapter leaves a received frame, holding it "until the
     * application accepts it"), or null if the adapter has no room; {@code src} is left as it was. A segment
     * that fits in a small buffer ({@link #SMALL}, a receive ring's) takes one, not a whole {@link #BUFSIZE}.
     */
    public Mbuf copyin(Mbuf src, int len) {
        return place(null, src, len);
    }

    private Mbuf place(ByteBuffer src, Mbuf msrc, int len) {
        int size = len <= SMALL && msrc != null ? SMALL : BUFSIZE;
        int n = (len + size - 1) / size;
        synchronized (this) {
            if (used + (long) n * size > quota) {
                fallbacks++;
                return null;
            }
            used += (long) n * size;
            peak = Math.max(peak, used);
            allocs += n;
        }
        Mbuf top = null;
        Mbuf tail = null;
        int pos = src == null ? 0 : src.position();
        int taken = 0;
        // one pass over a received chain, not a walk from its head for every buffer
        io.jrump.rumpnet.mbuf.MbufCursor in = msrc == null ? null : new io.jrump.rumpnet.mbuf.MbufCursor().reset(msrc);
        for (int left = len; left > 0; ) {
            int k = Math.min(left, size);
            byte[] b = take(size);
            taken++;
            if (src != null) {
                src.get(b, 0, k);
            } else {
                in.read(b, 0, k);
            }
            Mbuf m = pool.getExternal(b, 0, k, this, null);
            if (m == null) {
                // Taken buffers come back through give(), directly or by free() as the chain is freed; the
                // rest of the reservation was never taken.
                give(b);
                if (top != null) {
                    pool.freeChain(top);
                }
                synchronized (this) {
                    used -= (long) (n - taken) * size;
                    allocs -= n;
                    fallbacks++;
                }
                if (src != null) {
                    src.position(pos);
                }
                return null;
            }
            if (tail == null) {
                top = m;
            } else {
                tail.setNext(m);
            }
            tail = m;
            left -= k;
        }
        return top;
    }

    private synchronized byte[] take(int size) {
        byte[] b = (size == SMALL ? small : free).poll();
        if (b == null) {
            made++;
            b = new byte[size];
        }
        return b;
    }

    private synchronized void give(byte[] b) {
        (b.length == SMALL ? small : free).push(b);
        used -= b.length;
    }

    /** The last mbuf referring to an adapter buffer was freed: the buffer is free again. */
    @Override
    public void free(byte[] buf, int off, int len, Object arg) {
        give(buf);
    }

    /** Whether {@code m}'s data is in one of this adapter's buffers. */
    public boolean holds(Mbuf m) {
        return m.extFree() == this;
    }

    void relocated(long bytes) {
        synchronized (this) {
            relocatedBytes += bytes;
            relocations++;
        }
    }

    /**
     * Whether a flow sending {@code rate} bytes per second may hold adapter buffers now: fast enough, and,
     * once the memory is three-quarters used, at least as fast as the average flow admitted lately.
     */
    public synchronized boolean admits(long rate) {
        if (rate < minRate) {
            return false;
        }
        boolean ok = !squeezed() || rate >= avgRate;
        if (ok && rate != Long.MAX_VALUE) {
            avgRate = avgRate == 0 ? rate : avgRate + (rate - avgRate) / 8;
        }
        return ok;
    }

    /** Less than a quarter of the memory is free: slower holders should move to kernel buffers. */
    public synchronized boolean squeezed() {
        return quota - used < quota / 4;
    }

    /** The ifconfig form of the quota. */
    @Override
    public String toString() {
        return name + ": adapter memory " + quota + " bytes, " + used() + " used";
    }
}
