package io.jrump.netinet.tcp;

/**
 * Initial sequence numbers per RFC 6528 section 3: ISN = M + F(localip, localport, remoteip,
 * remoteport, secretkey), where M is a timer ticking every 4 microseconds and F a keyed hash. F is
 * SipHash-2-4 under a 128-bit key drawn from the host's random source at boot, so an off-path attacker
 * can neither predict our numbers nor learn one connection's from another's, while successive
 * incarnations of one four-tuple still move forward with the clock (the property TIME_WAIT reuse and
 * RFC 6191 rely on).
 */
final class TcpIss {
    private final long k0;
    private final long k1;

    TcpIss(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    int next(int laddr, int lport, int faddr, int fport, long nowNanos) {
        long m = nowNanos / 4000;
        long a = (long) laddr << 32 | (faddr & 0xffffffffL);
        long b = (long) lport << 16 | fport;
        return (int) (m + sipHash(a, b));
    }

    /** SipHash-2-4 of two 64-bit words (Aumasson and Bernstein, 2012). */
    long sipHash(long m0, long m1) {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        long[] v = {v0, v1, v2, v3};
        compress(v, m0);
        compress(v, m1);
        compress(v, 16L << 56);
        v[2] ^= 0xff;
        for (int i = 0; i < 4; i++) {
            round(v);
        }
        return v[0] ^ v[1] ^ v[2] ^ v[3];
    }

    private static void compress(long[] v, long m) {
        v[3] ^= m;
        round(v);
        round(v);
        v[0] ^= m;
    }

    private static void round(long[] v) {
        v[0] += v[1];
        v[1] = Long.rotateLeft(v[1], 13);
        v[1] ^= v[0];
        v[0] = Long.rotateLeft(v[0], 32);
        v[2] += v[3];
        v[3] = Long.rotateLeft(v[3], 16);
        v[3] ^= v[2];
        v[0] += v[3];
        v[3] = Long.rotateLeft(v[3], 21);
        v[3] ^= v[0];
        v[2] += v[1];
        v[1] = Long.rotateLeft(v[1], 17);
        v[1] ^= v[2];
        v[2] = Long.rotateLeft(v[2], 32);
    }
}
