package io.jrump.fs.ext2fs;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Little-endian fields in byte arrays: every multi-byte field of ext2 is little-endian whatever the
 * host ({@code ext2fs_byteswap.c} converts on big-endian NetBSD machines), so the driver reads and writes
 * them in place in the cached blocks.
 */
final class Le {
    private static final VarHandle U16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle U32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private Le() {
    }

    static int u8(byte[] b, int off) {
        return b[off] & 0xff;
    }

    static int u16(byte[] b, int off) {
        return ((short) U16.get(b, off)) & 0xffff;
    }

    static long u32(byte[] b, int off) {
        return ((int) U32.get(b, off)) & 0xffffffffL;
    }

    static int i32(byte[] b, int off) {
        return (int) U32.get(b, off);
    }

    static void put16(byte[] b, int off, int v) {
        U16.set(b, off, (short) v);
    }

    static void put32(byte[] b, int off, long v) {
        U32.set(b, off, (int) v);
    }
}
