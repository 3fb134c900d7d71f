package io.jrump.vfs.dev;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.vfs.CharDevice;
import io.jrump.vfs.DevSw;
import java.nio.ByteBuffer;

/**
 * NetBSD's {@code mem} driver as far as a rump kernel needs it ({@code devnull.c}): {@code /dev/null}
 * reads as empty and swallows writes, {@code /dev/zero} reads as endless zeros and swallows writes.
 * Reads of zeros copy from one zeroed array and allocate nothing.
 */
public final class MemDevice implements CharDevice {
    private final byte[] zeros = new byte[8192];

    @Override
    public int read(long dev, ByteBuffer dst, long offset, int ioflag) throws ErrnoException {
        switch (DevSw.minor(dev)) {
            case DevSw.NULL_MINOR:
                return 0;
            case DevSw.ZERO_MINOR:
                int n = dst.remaining();
                while (dst.hasRemaining()) {
                    dst.put(zeros, 0, Math.min(zeros.length, dst.remaining()));
                }
                return n;
            default:
                throw new ErrnoException(Errno.ENXIO, "mem minor " + DevSw.minor(dev));
        }
    }

    @Override
    public int write(long dev, ByteBuffer src, long offset, int ioflag) throws ErrnoException {
        int m = DevSw.minor(dev);
        if (m != DevSw.NULL_MINOR && m != DevSw.ZERO_MINOR) {
            throw new ErrnoException(Errno.ENXIO, "mem minor " + m);
        }
        int n = src.remaining();
        src.position(src.limit());
        return n;
    }
}
