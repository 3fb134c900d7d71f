package io.jrump.netinet.tcp;

/**
 * Sequence-number comparisons modulo 2^32 (RFC 9293 section 3.4, NetBSD {@code tcp_seq.h}): two
 * numbers compare by the sign of their 32-bit difference, which is right as long as they are less than
 * 2^31 apart, as every window allows.
 */
final class TcpSeq {
    private TcpSeq() {
    }

    static boolean lt(int a, int b) {
        return a - b < 0;
    }

    static boolean leq(int a, int b) {
        return a - b <= 0;
    }

    static boolean gt(int a, int b) {
        return a - b > 0;
    }

    static boolean geq(int a, int b) {
        return a - b >= 0;
    }

    static int max(int a, int b) {
        return gt(a, b) ? a : b;
    }

    static int min(int a, int b) {
        return lt(a, b) ? a : b;
    }

    /** Whether {@code s} lies in {@code [lo, hi)}. */
    static boolean inRange(int s, int lo, int hi) {
        return geq(s, lo) && lt(s, hi);
    }
}
