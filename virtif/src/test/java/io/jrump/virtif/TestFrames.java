package io.jrump.virtif;

import io.jrump.wire.EtherType;
import io.jrump.wire.MacAddress;

/** Ethernet frames whose payload says which frame they are and lets a test check they arrived whole. */
final class TestFrames {
    static final long MAC_A = MacAddress.parse("02:00:00:00:00:0a");
    static final long MAC_B = MacAddress.parse("02:00:00:00:00:0b");
    static final long MAC_C = MacAddress.parse("02:00:00:00:00:0c");
    static final long BROADCAST = MacAddress.BROADCAST.bits();

    private TestFrames() {
    }

    /** A frame of {@code len} bytes (at least 18) carrying {@code tag} and a pattern derived from it. */
    static byte[] frame(long src, int tag, int len) {
        return frame(BROADCAST, src, EtherType.IPV4, tag, len);
    }

    static byte[] frame(long dst, long src, int type, int tag, int len) {
        byte[] f = new byte[len];
        fill(f, dst, src, type, tag, len);
        return f;
    }

    /** Writes the frame into {@code f} without allocating, for the allocation tests. */
    static void fill(byte[] f, long dst, long src, int type, int tag, int len) {
        MacAddress.write(f, 0, dst);
        MacAddress.write(f, 6, src);
        f[12] = (byte) (type >>> 8);
        f[13] = (byte) type;
        f[14] = (byte) (tag >>> 24);
        f[15] = (byte) (tag >>> 16);
        f[16] = (byte) (tag >>> 8);
        f[17] = (byte) tag;
        for (int i = 18; i < len; i++) {
            f[i] = (byte) (tag * 31 + i);
        }
    }

    static int tag(byte[] f, int off) {
        return (f[off + 14] & 0xff) << 24 | (f[off + 15] & 0xff) << 16 | (f[off + 16] & 0xff) << 8 | (f[off + 17] & 0xff);
    }

    static long src(byte[] f, int off) {
        return MacAddress.read(f, off + 6);
    }

    /** Whether the payload is exactly what {@link #frame} wrote for the tag it carries. */
    static boolean intact(byte[] f, int off, int len) {
        int tag = tag(f, off);
        for (int i = 18; i < len; i++) {
            if (f[off + i] != (byte) (tag * 31 + i)) {
                return false;
            }
        }
        return true;
    }
}
