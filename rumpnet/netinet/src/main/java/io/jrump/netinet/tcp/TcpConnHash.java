package io.jrump.netinet.tcp;

import io.jrump.netinet.pcb.InPcb;
import io.jrump.netinet.pcb.InPcbTable;

/**
 * Established connections by their four addresses ({@code in_pcblookup_connect}'s hash): the
 * demultiplexing of every segment of an established connection is one bucket walk, whatever the
 * number of connections on the same local port (a server's thousand clients), without allocation.
 * Listening sockets stay in {@link InPcbTable}. Guarded by its own monitor; callers release it before
 * taking a socket lock, as {@link io.jrump.rumpnet.socket.Protosw}'s lock order requires.
 */
final class TcpConnHash {
    private final TcpCb[] buckets;
    private final int mask;
    private final int seed;
    private int size;

    TcpConnHash(int bucketsPow2, int seed) {
        this.buckets = new TcpCb[bucketsPow2];
        this.mask = bucketsPow2 - 1;
        this.seed = seed;
    }

    private int bucket(int laddr, int lport, int faddr, int fport) {
        int h = seed;
        h = (h ^ laddr) * 0x9e3779b1;
        h = (h ^ faddr) * 0x85ebca6b;
        h = (h ^ (lport << 16 | fport)) * 0xc2b2ae35;
        return (h ^ h >>> 15) & mask;
    }

    synchronized void insert(TcpCb tp) {
        if (tp.hashed) {
            return;
        }
        InPcb p = tp.inp;
        int b = bucket(p.laddr(), p.lport(), p.faddr(), p.fport());
        tp.hashNext = buckets[b];
        buckets[b] = tp;
        tp.hashed = true;
        size++;
    }

    synchronized void remove(TcpCb tp) {
        if (!tp.hashed) {
            return;
        }
        InPcb p = tp.inp;
        int b = bucket(p.laddr(), p.lport(), p.faddr(), p.fport());
        TcpCb prev = null;
        for (TcpCb x = buckets[b]; x != null; prev = x, x = x.hashNext) {
            if (x == tp) {
                if (prev == null) {
                    buckets[b] = x.hashNext;
                } else {
                    prev.hashNext = x.hashNext;
                }
                break;
            }
        }
        tp.hashNext = null;
        tp.hashed = false;
        size--;
    }

    /** The connection a segment from {@code faddr:fport} to {@code laddr:lport} belongs to, or null. */
    synchronized TcpCb lookup(int laddr, int lport, int faddr, int fport) {
        for (TcpCb x = buckets[bucket(laddr, lport, faddr, fport)]; x != null; x = x.hashNext) {
            InPcb p = x.inp;
            if (p.lport() == lport && p.fport() == fport && p.faddr() == faddr && p.laddr() == laddr) {
                return x;
            }
        }
        return null;
    }

    synchronized int size() {
        return size;
    }
}
