package io.jrump.sockin;

import io.jrump.kern.mem.Kmem;
import io.jrump.rumpnet.mbuf.ExtFree;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufPool;
import java.nio.ByteBuffer;

/**
 * Large receive buffers that a bulk host read fills and that then go into the rump receive buffer as
 * one external-storage mbuf ({@code MEXTADD}) instead of being copied into 2 KB clusters: a 64 KB read
 * costs one mbuf instead of 32 cluster allocations, appends and frees, which were most of a bulk
 * reader's time. The number of data copies is the same as through clusters (host to NIO's direct
 * buffer, then to the heap), so only the per-cluster work goes.
 *
 * <p>The buffers are charged to kernel memory ({@code sockin:rx}), made on first use, at most
 * {@link #MAX} per kernel, and reused: when all are in socket buffers, reads go through clusters as
 * before. A buffer comes back through the mbuf's free hook on whichever thread frees it; after
 * {@link #close} a returning buffer is uncharged instead of kept.
 */
final class SockinRxBuffers {
    /** Buffers per kernel: two per bulk connection (one queued, one filling) for a few connections. */
    static final int MAX = 8;

    private final MbufPool mbufs;
    private final Kmem kmem;
    private final Kmem.Type type;
    private final ByteBuffer[] free = new ByteBuffer[MAX];
    private final ExtFree onFree = (buf, off, len, arg) -> put((ByteBuffer) arg);
    private int nfree;
    private int made;
    private boolean closed;

    SockinRxBuffers(MbufPool mbufs, Kmem kmem) {
        this.mbufs = mbufs;
        this.kmem = kmem;
        this.type = kmem.type("sockin:rx");
    }

    /** A cleared buffer of {@link Sockin#CHUNK} bytes, or null if all are in use or memory is short. */
    synchronized ByteBuffer take() {
        if (closed) {
            return null;
        }
        if (nfree > 0) {
            ByteBuffer b = free[--nfree];
            free[nfree] = null;
            return b.clear();
        }
        if (made == MAX) {
            return null;
        }
        ByteBuffer b = kmem.allocBuffer(type, Sockin.CHUNK, false);
        if (b != null) {
            made++;
        }
        return b;
    }

    /** Gives back a buffer that did not become an mbuf. */
    synchronized void put(ByteBuffer b) {
        if (closed) {
            made--;
            kmem.freeBuffer(type, b);
            return;
        }
        free[nfree++] = b;
    }

    /**
     * The bytes {@code [0, b.position())} of {@code b} as one read-only external mbuf whose free hook
     * gives {@code b} back; null (with {@code b} still the caller's) if no mbuf is left.
     */
    Mbuf wrap(ByteBuffer b) {
        return mbufs.getExternal(b.array(), 0, b.position(), onFree, b);
    }

    /** Uncharges the idle buffers; those still in socket buffers are uncharged as they come back. */
    synchronized void close() {
        closed = true;
        while (nfree > 0) {
            ByteBuffer b = free[--nfree];
            free[nfree] = null;
            made--;
            kmem.freeBuffer(type, b);
        }
    }
}
