package io.jrump.wire;

import java.math.BigInteger;

/**
 * An independent Internet checksum for cross-checking golden arrays and {@link InternetChecksum}: it sums 16-bit
 * words as a {@link BigInteger} and reduces modulo 0xffff, instead of folding carries, and shares no code with the
 * implementation under test.
 */
final class RefChecksum {
    private static final BigInteger M = BigInteger.valueOf(0xffff);

    private RefChecksum() {
    }

    /** The checksum of the concatenation of the given parts. */
    static int of(byte[]... parts) {
        BigInteger sum = BigInteger.ZERO;
        boolean any = false;
        int pos = 0;
        for (byte[] part : parts) {
            for (byte b : part) {
                int v = b & 0xff;
                sum = sum.add(BigInteger.valueOf((pos & 1) == 0 ? v << 8 : v));
                any |= v != 0;
                pos++;
            }
        }
        int r = sum.mod(M).intValue();
        if (r == 0) {
            return any ? 0 : 0xffff;
        }
        return 0xffff - r;
    }

    static byte[] slice(byte[] b, int off, int len) {
        byte[] out = new byte[len];
        System.arraycopy(b, off, out, 0, len);
        return out;
    }

    static byte[] pseudoHeader(int src, int dst, int proto, int len) {
        byte[] p = new byte[12];
        Ipv4Address.write(p, 0, src);
        Ipv4Address.write(p, 4, dst);
        p[9] = (byte) proto;
        p[10] = (byte) (len >>> 8);
        p[11] = (byte) len;
        return p;
    }
}
