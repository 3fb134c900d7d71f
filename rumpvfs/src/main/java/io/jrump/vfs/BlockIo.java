package io.jrump.vfs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import java.nio.ByteBuffer;

/**
 * Byte-granular reads and writes of a block device through its strategy routine, as reading a block
 * device node does through the buffer cache: sector-aligned runs go straight into the caller's buffer,
 * partial sectors through a bounce buffer (read, and for writes modify and write back). Transfers are cut
 * into runs of at most {@link #MAXPHYS} bytes.
 */
public final class BlockIo {
    /** The largest single transfer ({@code MAXPHYS}, raised from NetBSD's 64 KiB for host files). */
    public static final int MAXPHYS = 1 << 20;
    private static final int BSIZE = Buf.DEV_BSIZE;

    private BlockIo() {
    }

    /** Reads into {@code dst} from byte {@code offset}; returns bytes read, 0 at the end of the device. */
    public static int read(Kernel k, BlockDevice d, long dev, ByteBuffer dst, long offset) throws ErrnoException {
        if (offset < 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
        long size = d.size(dev);
        long avail = size - offset;
        if (avail <= 0 || !dst.hasRemaining()) {
            return 0;
        }
        int want = (int) Math.min(dst.remaining(), avail);
        int done = 0;
        while (done < want) {
            long off = offset + done;
            int n = Math.min(want - done, MAXPHYS);
            if (off % BSIZE == 0 && n >= BSIZE) {
                n -= n % BSIZE;
                ByteBuffer view = dst.slice(dst.position(), n);
                transfer(k, d, dev, true, off / BSIZE, view);
                dst.position(dst.position() + n);
            } else {
                long start = off - off % BSIZE;
                int span = (int) Math.min(roundUp(off + n) - start, MAXPHYS + 2L * BSIZE);
                ByteBuffer bounce = ByteBuffer.allocate(span);
                transfer(k, d, dev, true, start / BSIZE, bounce);
                int skip = (int) (off - start);
                n = Math.min(n, span - skip);
                dst.put(bounce.array(), skip, n);
            }
            done += n;
        }
        return done;
    }

    /**
     * Writes {@code src} at byte {@code offset}; returns bytes written, short at the end of the device
     * (ENOSPC if nothing fits).
     */
    public static int write(Kernel k, BlockDevice d, long dev, ByteBuffer src, long offset) throws ErrnoException {
        if (offset < 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
        long size = d.size(dev);
        long avail = size - offset;
        if (!src.hasRemaining()) {
            return 0;
        }
        if (avail <= 0) {
            throw new ErrnoException(Errno.ENOSPC, "write at " + offset + " past the end of a " + size + "-byte device");
        }
        int want = (int) Math.min(src.remaining(), avail);
        int done = 0;
        while (done < want) {
            long off = offset + done;
            int n = Math.min(want - done, MAXPHYS);
            if (off % BSIZE == 0 && n >= BSIZE) {
                n -= n % BSIZE;
                ByteBuffer view = src.slice(src.position(), n);
                transfer(k, d, dev, false, off / BSIZE, view);
                src.position(src.position() + n);
            } else {
                long start = off - off % BSIZE;
                int skip = (int) (off - start);
                n = Math.min(n, BSIZE - skip);
                ByteBuffer bounce = ByteBuffer.allocate(BSIZE);
                transfer(k, d, dev, true, start / BSIZE, bounce);
                src.get(bounce.array(), skip, n);
                bounce.clear();
                transfer(k, d, dev, false, start / BSIZE, bounce);
            }
            done += n;
        }
        return done;
    }

    /** One strategy call for all of {@code buf}'s remaining bytes, waited for. */
    public static void transfer(Kernel k, BlockDevice d, long dev, boolean read, long blkno, ByteBuffer buf)
            throws ErrnoException {
        Buf bp = new Buf(k, read, blkno, buf);
        d.strategy(dev, bp);
        bp.biowait();
    }

    private static long roundUp(long x) {
        return (x + BSIZE - 1) / BSIZE * BSIZE;
    }
}
