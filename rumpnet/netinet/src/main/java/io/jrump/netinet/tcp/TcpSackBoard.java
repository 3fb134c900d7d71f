package io.jrump.netinet.tcp;

/**
 * The sender's SACK scoreboard (RFC 6675 section 3): the ranges above {@code SND.UNA} that the peer
 * reported holding (RFC 2018), kept sorted and merged in fixed arrays, so updating it per ACK makes no
 * garbage. From it come {@code IsLost} and {@code SetPipe} (section 4), which drive loss recovery.
 * The number of ranges is bounded; a hostile peer reporting more loses only the lowest ones' effect.
 */
final class TcpSackBoard {
    static final int MAX = 64;
    /** RFC 6675 section 2, DupThresh. */
    static final int DUP_THRESH = 3;
    private final int[] start = new int[MAX];
    private final int[] end = new int[MAX];
    private int n;

    int count() {
        return n;
    }

    int start(int i) {
        return start[i];
    }

    int end(int i) {
        return end[i];
    }

    void clear() {
        n = 0;
    }

    /** The highest SACKed sequence number ({@code HighACK} side of section 3's scoreboard), or {@code dflt}. */
    int highestSacked(int dflt) {
        return n == 0 ? dflt : end[n - 1];
    }

    /**
     * Adds a block the peer reported. Blocks outside {@code (sndUna, sndMax]} are ignored (RFC 2018
     * section 8 says a sender must be prepared for any), and {@code true} is returned when the block
     * told us something new.
     */
    boolean add(int left, int right, int sndUna, int sndMax) {
        if (!TcpSeq.lt(left, right) || TcpSeq.leq(right, sndUna) || TcpSeq.gt(right, sndMax)) {
            return false;
        }
        if (TcpSeq.lt(left, sndUna)) {
            left = sndUna;
        }
        for (int k = 0; k < n; k++) {
            if (TcpSeq.leq(start[k], left) && TcpSeq.geq(end[k], right)) {
                return false;
            }
        }
        int i = 0;
        while (i < n && TcpSeq.lt(end[i], left)) {
            i++;
        }
        // i: first block that ends at or after left; merge every block that overlaps or touches
        int j = i;
        int nl = left;
        int nr = right;
        while (j < n && TcpSeq.leq(start[j], right)) {
            nl = TcpSeq.min(nl, start[j]);
            nr = TcpSeq.max(nr, end[j]);
            j++;
        }
        int merged = j - i;
        if (merged == 0) {
            if (n == MAX) {
                if (i == 0) {
                    return false;
                }
                // full: forget the lowest block, which retransmission will repair anyway
                System.arraycopy(start, 1, start, 0, n - 1);
                System.arraycopy(end, 1, end, 0, n - 1);
                n--;
                i--;
            }
            System.arraycopy(start, i, start, i + 1, n - i);
            System.arraycopy(end, i, end, i + 1, n - i);
            n++;
        } else if (merged > 1) {
            System.arraycopy(start, j, start, i + 1, n - j);
            System.arraycopy(end, j, end, i + 1, n - j);
            n -= merged - 1;
        }
        start[i] = nl;
        end[i] = nr;
        return true;
    }

    /** Forgets what {@code SND.UNA} has passed. */
    void advance(int sndUna) {
        int drop = 0;
        while (drop < n && TcpSeq.leq(end[drop], sndUna)) {
            drop++;
        }
        if (drop > 0) {
            System.arraycopy(start, drop, start, 0, n - drop);
            System.arraycopy(end, drop, end, 0, n - drop);
            n -= drop;
        }
        if (n > 0 && TcpSeq.lt(start[0], sndUna)) {
            start[0] = sndUna;
        }
    }

    /** Whether {@code seq} is inside a SACKed range. */
    boolean isSacked(int seq) {
        for (int i = 0; i < n; i++) {
            if (TcpSeq.inRange(seq, start[i], end[i])) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code IsLost(seq)} (RFC 6675 section 4): DupThresh discontiguous SACKed ranges above it, or more
     * than (DupThresh - 1) * SMSS SACKed bytes above it.
     */
    boolean isLost(int seq, int mss) {
        int blocks = 0;
        long bytes = 0;
        for (int i = n - 1; i >= 0 && TcpSeq.gt(end[i], seq); i--) {
            blocks++;
            bytes += end[i] - TcpSeq.max(start[i], seq + 1);
            if (blocks >= DUP_THRESH || bytes > (long) (DUP_THRESH - 1) * mss) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code SetPipe} (RFC 6675 section 4): octets in flight. Between two SACKed ranges the lost-ness of
     * every octet is the same, so the sum runs over holes instead of octets: an un-SACKed octet counts
     * once unless it is lost, and once more if it was retransmitted (at or below {@code highRxt}).
     */
    int pipe(int sndUna, int sndMax, int highRxt, int mss) {
        long pipe = 0;
        int holeStart = sndUna;
        for (int i = 0; i <= n; i++) {
            int holeEnd = i < n ? start[i] : sndMax;
            if (TcpSeq.lt(holeStart, holeEnd)) {
                int len = holeEnd - holeStart;
                if (!isLost(holeStart, mss)) {
                    pipe += len;
                }
                if (TcpSeq.gt(highRxt, holeStart)) {
                    pipe += TcpSeq.min(highRxt, holeEnd) - holeStart;
                }
            }
            if (i < n) {
                holeStart = end[i];
            }
        }
        return (int) Math.min(pipe, Integer.MAX_VALUE);
    }

    /**
     * {@code NextSeg} rule 1 (RFC 6675 section 4): the first un-SACKed, lost octet above
     * {@code highRxt}; or with {@code lostOnly} false (rule 3), the first un-SACKed octet above it below
     * the highest SACKed one. The hole's start and end go to {@code out}; false when there is none.
     */
    boolean nextHole(int sndUna, int highRxt, int mss, boolean lostOnly, int[] out) {
        int from = TcpSeq.max(sndUna, highRxt);
        int holeStart = sndUna;
        for (int i = 0; i < n; i++) {
            int hs = TcpSeq.max(holeStart, from);
            int he = start[i];
            if (TcpSeq.lt(hs, he) && (!lostOnly || isLost(hs, mss))) {
                out[0] = hs;
                out[1] = he;
                return true;
            }
            holeStart = end[i];
        }
        return false;
    }
}
