package io.jrump.hypercall;

/** {@code rumpuser_getrandom}: random bytes for the kernel's entropy pool, sequence numbers and ports. */
public interface HyperRandom {
    void fill(byte[] buffer, int offset, int length);

    /** A random 64-bit value. */
    default long nextLong() {
        byte[] b = new byte[8];
        fill(b, 0, 8);
        long v = 0;
        for (byte x : b) {
            v = (v << 8) | (x & 0xff);
        }
        return v;
    }
}
