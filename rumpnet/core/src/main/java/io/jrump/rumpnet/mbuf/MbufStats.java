package io.jrump.rumpnet.mbuf;

import io.jrump.kern.mem.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Mbuf statistics ({@code struct mbstat}) for {@code netstat -m}: mbufs in use by type, clusters and
 * external references in use, their peaks, and requests refused because a limit was reached. Counters
 * are updated by every CPU without a common lock; a reading taken while packets move is approximate.
 */
public final class MbufStats {
    private final LongAdder[] byType = new LongAdder[MbufType.values().length];
    private final AtomicLong mbufs = new AtomicLong();
    private final AtomicLong mbufPeak = new AtomicLong();
    private final AtomicLong clusters = new AtomicLong();
    private final AtomicLong clusterPeak = new AtomicLong();
    private final LongAdder ext = new LongAdder();
    private final LongAdder mbufDrops = new LongAdder();
    private final LongAdder clusterDrops = new LongAdder();
    private final LongAdder extDrops = new LongAdder();
    private final LongAdder extFreeErrors = new LongAdder();
    private final List<Pool<?>> pools;

    MbufStats(List<Pool<?>> pools) {
        this.pools = List.copyOf(pools);
        for (int i = 0; i < byType.length; i++) {
            byType[i] = new LongAdder();
        }
    }

    void mbufAllocated(MbufType t) {
        byType[t.ordinal()].increment();
        raise(mbufPeak, mbufs.incrementAndGet());
    }

    void mbufFreed(MbufType t) {
        byType[t.ordinal()].decrement();
        mbufs.decrementAndGet();
    }

    void clusterAllocated() {
        raise(clusterPeak, clusters.incrementAndGet());
    }

    void clusterFreed() {
        clusters.decrementAndGet();
    }

    void extAllocated() {
        ext.increment();
    }

    void extFreed() {
        ext.decrement();
    }

    void mbufDenied() {
        mbufDrops.increment();
    }

    void clusterDenied() {
        clusterDrops.increment();
    }

    void extDenied() {
        extDrops.increment();
    }

    void extFreeFailed() {
        extFreeErrors.increment();
    }

    private static void raise(AtomicLong peak, long now) {
        long p;
        while (now > (p = peak.get()) && !peak.compareAndSet(p, now)) {
            // another CPU raised it meanwhile; look again
        }
    }

    /** Mbufs handed out and not yet freed. */
    public long mbufsInUse() {
        return mbufs.get();
    }

    public long inUse(MbufType t) {
        return byType[t.ordinal()].sum();
    }

    public long peakMbufs() {
        return mbufPeak.get();
    }

    /** Clusters some mbuf still refers to. */
    public long clustersInUse() {
        return clusters.get();
    }

    public long peakClusters() {
        return clusterPeak.get();
    }

    /** Descriptors of caller-owned storage whose free callback has not run yet. */
    public long externalInUse() {
        return ext.sum();
    }

    /** Requests for an mbuf, cluster or external descriptor refused ({@code m_drops}); each was an ENOBUFS. */
    public long failures() {
        return mbufDrops.sum() + clusterDrops.sum() + extDrops.sum();
    }

    public long mbufFailures() {
        return mbufDrops.sum();
    }

    public long clusterFailures() {
        return clusterDrops.sum();
    }

    /** Free callbacks of external storage that threw; the storage counts as returned regardless. */
    public long extFreeErrors() {
        return extFreeErrors.sum();
    }

    /** Bytes of kernel memory the mbuf pools hold, in use or idle. */
    public long bytesAllocated() {
        long b = 0;
        for (Pool<?> p : pools) {
            b += p.allocated() * p.itemSize();
        }
        return b;
    }

    /** The mbuf part of {@code netstat -m}, worded after NetBSD's. */
    public List<String> netstatLines() {
        List<String> out = new ArrayList<>();
        out.add(mbufsInUse() + " mbufs in use:");
        for (MbufType t : MbufType.values()) {
            long n = inUse(t);
            if (n != 0) {
                out.add("\t" + n + " mbufs allocated to " + t.description());
            }
        }
        out.add(clustersInUse() + "/" + peakClusters() + " mbuf clusters in use (current/peak)");
        out.add(externalInUse() + " mbufs with external storage in use");
        long bytes = bytesAllocated();
        long inUseBytes = 0;
        for (Pool<?> p : pools) {
            inUseBytes += p.outstanding() * p.itemSize();
        }
        out.add(bytes / 1024 + " Kbytes allocated to network (" + (bytes == 0 ? 0 : inUseBytes * 100 / bytes)
                + "% in use)");
        out.add(failures() + " requests for memory denied");
        out.add("0 requests for memory delayed");
        out.add("0 calls to protocol drain routines");
        return out;
    }
}
