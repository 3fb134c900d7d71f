package io.jrump.wire;

/** Network-order (RFC 791 Appendix B) integer access for code that works on absolute buffer indices rather than a view. */
final class BigEndian {
    private BigEndian() {
    }

    static int get16(byte[] buf, int p) {
        return (buf[p] & 0xff) << 8 | (buf[p + 1] & 0xff);
    }

    static int get32(byte[] buf, int p) {
        return (buf[p] & 0xff) << 24 | (buf[p + 1] & 0xff) << 16 | (buf[p + 2] & 0xff) << 8 | (buf[p + 3] & 0xff);
    }

    static void put16(byte[] buf, int p, int v) {
        buf[p] = (byte) (v >>> 8);
        buf[p + 1] = (byte) v;
    }

    static void put32(byte[] buf, int p, int v) {
        buf[p] = (byte) (v >>> 24);
        buf[p + 1] = (byte) (v >>> 16);
        buf[p + 2] = (byte) (v >>> 8);
        buf[p + 3] = (byte) v;
    }
}
