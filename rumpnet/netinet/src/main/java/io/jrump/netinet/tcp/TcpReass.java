package io.jrump.netinet.tcp;

import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufChain;
import io.jrump.rumpnet.mbuf.MbufPool;

/**
 * The receiver's queue of out-of-order segments ({@code tcp_reass}, RFC 9293 section 3.10.7.4 "seventh,
 * process the segment text"): segments beyond {@code RCV.NXT} wait here, trimmed so that none overlap,
 * until the gap before them fills. It also remembers which range changed last, so the SACK option can
 * report that block first (RFC 2018 section 4).
 *
 * <p>Memory is bounded twice: the advertised window bounds the bytes, and {@link #MAX_SEGMENTS} the
 * number of segments, so a peer sending many one-byte fragments of its window cannot pin an mbuf per
 * byte. Lives under the socket lock.
 */
final class TcpReass {
    static final int MAX_SEGMENTS = 512;

    private static final class Seg {
        int seq;
        int len;
        boolean fin;
        Mbuf m;
        Seg next;
    }

    private final MbufPool pool;
    private Seg head;
    private Seg free;
    private int count;
    private int bytes;
    private int lastStart;
    private int lastEnd;
    private boolean haveLast;

    TcpReass(MbufPool pool) {
        this.pool = pool;
    }

    boolean isEmpty() {
        return head == null;
    }

    int bytes() {
        return bytes;
    }

    int segments() {
        return count;
    }

    /** {@link #insert}: the segment, or what of it was new (its FIN included), is queued. */
    static final int QUEUED = 0;
    /** {@link #insert}: everything in the segment was queued already; it was freed. */
    static final int DUPLICATE = 1;
    /** {@link #insert}: the queue holds its most segments; the segment was freed. */
    static final int FULL = 2;

    /**
     * Queues {@code m} ({@code len} data bytes starting at {@code seq}, headers removed), which lies
     * above {@code rcvNxt}. Bytes already queued are dropped from the new segment (the old copy wins, as
     * in BSD). Returns {@link #QUEUED}, {@link #DUPLICATE} or {@link #FULL}; {@code m} is freed unless queued.
     */
    int insert(int seq, int len, boolean fin, Mbuf m) {
        Seg prev = null;
        Seg cur = head;
        while (cur != null && TcpSeq.leq(cur.seq + cur.len, seq)) {
            prev = cur;
            cur = cur.next;
        }
        // cur: first queued segment ending after seq. Trim what the previous copy covers.
        if (cur != null && TcpSeq.leq(cur.seq, seq)) {
            int covered = cur.seq + cur.len - seq;
            if (covered >= len) {
                boolean newFin = fin && covered == len && !cur.fin;
                if (newFin) {
                    cur.fin = true;
                }
                pool.freeChain(m);
                noteLast(cur.seq, cur.seq + cur.len);
                return newFin ? QUEUED : DUPLICATE;
            }
            MbufChain.adj(m, covered);
            seq += covered;
            len -= covered;
            prev = cur;
            cur = cur.next;
        }
        // Trim our tail against the next queued segment; segments we cover completely are replaced.
        while (cur != null && TcpSeq.lt(cur.seq, seq + len)) {
            int over = seq + len - cur.seq;
            if (over >= cur.len) {
                Seg dead = cur;
                cur = cur.next;
                unlink(prev, dead);
                continue;
            }
            MbufChain.adj(m, -over);
            len -= over;
            fin = false;
            break;
        }
        if (len <= 0 && !fin) {
            pool.freeChain(m);
            return DUPLICATE;
        }
        if (count >= MAX_SEGMENTS) {
            pool.freeChain(m);
            return FULL;
        }
        Seg s = alloc();
        s.seq = seq;
        s.len = len;
        s.fin = fin;
        s.m = m;
        s.next = cur;
        if (prev == null) {
            head = s;
        } else {
            prev.next = s;
        }
        count++;
        bytes += len;
        noteRange(s);
        return QUEUED;
    }

    private void noteRange(Seg s) {
        int lo = s.seq;
        int hi = s.seq + s.len;
        for (Seg x = head; x != null; x = x.next) {
            if (TcpSeq.leq(x.seq, hi) && TcpSeq.geq(x.seq + x.len, lo)) {
                lo = TcpSeq.min(lo, x.seq);
                hi = TcpSeq.max(hi, x.seq + x.len);
            }
        }
        noteLast(lo, hi);
    }

    private void noteLast(int lo, int hi) {
        lastStart = lo;
        lastEnd = hi;
        haveLast = true;
    }

    private void unlink(Seg prev, Seg s) {
        if (prev == null) {
            head = s.next;
        } else {
            prev.next = s.next;
        }
        count--;
        bytes -= s.len;
        pool.freeChain(s.m);
        s.m = null;
        s.next = free;
        free = s;
    }

    private Seg alloc() {
        Seg s = free;
        if (s == null) {
            return new Seg();
        }
        free = s.next;
        return s;
    }

    /** Trims {@code n} bytes off the queue's front when {@code RCV.NXT} moved past them. */
    private void trimFront(int rcvNxt) {
        while (head != null && TcpSeq.lt(head.seq, rcvNxt)) {
            int over = rcvNxt - head.seq;
            if (over >= head.len && !(head.fin && over == head.len)) {
                unlink(null, head);
                continue;
            }
            if (over >= head.len) {
                break;
            }
            MbufChain.adj(head.m, over);
            head.seq += over;
            head.len -= over;
            bytes -= over;
        }
    }

    /**
     * Takes the segment that starts exactly at {@code rcvNxt}, if the gap before it is filled: returns
     * its chain (to be appended to the socket) and reports its length and FIN through {@code out}
     * ({@code out[0]} length, {@code out[1]} 1 for FIN). Null when the next segment is still missing.
     */
    Mbuf take(int rcvNxt, int[] out) {
        trimFront(rcvNxt);
        Seg s = head;
        if (s == null || s.seq != rcvNxt) {
            return null;
        }
        Mbuf m = s.m;
        out[0] = s.len;
        out[1] = s.fin ? 1 : 0;
        s.m = null;
        head = s.next;
        count--;
        bytes -= s.len;
        s.next = free;
        free = s;
        if (head == null) {
            haveLast = false;
        }
        return m;
    }

    /**
     * Writes up to {@code max} SACK blocks (RFC 2018 section 4): the range that changed last first,
     * then the other queued ranges in ascending order. Returns how many.
     */
    int sackBlocks(int[] left, int[] right, int max) {
        if (head == null || max <= 0) {
            return 0;
        }
        int k = 0;
        // RFC 2018 section 4: blocks report queued data only; a last range that started below the
        // queue's head was delivered in part and is covered by the cumulative ACK now.
        if (haveLast && TcpSeq.geq(lastStart, head.seq)) {
            left[k] = lastStart;
            right[k] = lastEnd;
            k++;
        }
        Seg s = head;
        while (s != null && k < max) {
            int lo = s.seq;
            int hi = s.seq + s.len;
            Seg x = s.next;
            while (x != null && x.seq == hi) {
                hi = x.seq + x.len;
                x = x.next;
            }
            if (!(haveLast && lo == lastStart)) {
                left[k] = lo;
                right[k] = hi;
                k++;
            }
            s = x;
        }
        return k;
    }

    /** Frees everything queued (connection closed). */
    void flush() {
        while (head != null) {
            unlink(null, head);
        }
        haveLast = false;
    }
}
