package io.jrump.vfs.etfs;

import io.jrump.hypercall.Errno;
import io.jrump.hypercall.HyperError;
import io.jrump.hypercall.HyperFile;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.vfs.BlockDevice;
import io.jrump.vfs.BlockIo;
import io.jrump.vfs.Buf;
import io.jrump.vfs.CharDevice;
import io.jrump.vfs.DevSw;
import io.jrump.kern.vfs.Fcntl;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A disk on a host file ({@code rumpblk.c}): each etfs block or character registration is one minor,
 * a window of a host file, addressed in {@link Buf#DEV_BSIZE} sectors. Transfers go to the host through the
 * hypercall's asynchronous block I/O ({@link HyperFile#bio}), whose completion ends the request. The
 * character device is the raw disk: offsets and lengths in whole sectors (EINVAL otherwise).
 */
final class RumpBlk implements BlockDevice, CharDevice {
    /** A window of {@code size} bytes of {@code file} from {@code begin}. */
    record Disk(HyperFile file, long begin, long size, boolean writable) {
    }

    private final Kernel kernel;
    private final Map<Integer, Disk> disks = new ConcurrentHashMap<>();
    private final AtomicInteger nextMinor = new AtomicInteger();

    RumpBlk(Kernel kernel) {
        this.kernel = kernel;
    }

    int attach(Disk d) {
        int minor = nextMinor.getAndIncrement();
        disks.put(minor, d);
        return minor;
    }

    void detach(int minor) {
        disks.remove(minor);
    }

    private Disk disk(long dev) throws ErrnoException {
        Disk d = disks.get(DevSw.minor(dev));
        if (d == null) {
            throw new ErrnoException(Errno.ENXIO, "no rumpblk disk " + DevSw.minor(dev));
        }
        return d;
    }

    /**
     * A window need not be whole sectors: its last sector is read with zeros past the window's end
     * (the host's bytes there are not the disk's) and written only up to it.
     */
    @Override
    public void strategy(long dev, Buf bp) throws ErrnoException {
        Disk d = disk(dev);
        ByteBuffer data = bp.data;
        int len = data.remaining();
        long off = bp.blkno * Buf.DEV_BSIZE;
        long avail = d.size() - off;
        if (len % Buf.DEV_BSIZE != 0 || bp.blkno < 0 || avail <= 0 || len > roundUp(avail)) {
            throw new ErrnoException(Errno.EINVAL, "transfer of " + len + " bytes at sector " + bp.blkno
                    + " on a disk of " + d.size() + " bytes");
        }
        if (!bp.read && !d.writable()) {
            throw new ErrnoException(Errno.EROFS);
        }
        int start = data.position();
        int host = (int) Math.min(len, avail);
        ByteBuffer io = host == len ? data : data.slice(start, host);
        try {
            d.file().bio(bp.read ? HyperFile.BIO_READ : HyperFile.BIO_WRITE, io, d.begin() + off, (bytes, errno) -> {
                if (bp.read && errno == 0) {
                    // past the end of the window, or of a host file shorter than it: zeros
                    for (int i = start + Math.max(0, bytes); i < start + len; i++) {
                        data.put(i, (byte) 0);
                    }
                }
                bp.done(errno == 0 ? len : bytes, errno);
            });
        } catch (HyperError e) {
            throw new ErrnoException(e.errno(), e.getMessage());
        }
    }

    private static long roundUp(long n) {
        return (n + Buf.DEV_BSIZE - 1) / Buf.DEV_BSIZE * Buf.DEV_BSIZE;
    }

    @Override
    public void open(long dev, int fflags, Cred cred) throws ErrnoException {
        Disk d = disk(dev);
        if ((fflags & Fcntl.FWRITE) != 0 && !d.writable()) {
            throw new ErrnoException(Errno.EROFS, "the host file is read-only");
        }
    }

    @Override
    public void close(long dev, int fflags, Cred cred) {
    }

    @Override
    public long size(long dev) throws ErrnoException {
        return disk(dev).size();
    }

    @Override
    public void sync(long dev) throws ErrnoException {
        try {
            disk(dev).file().sync();
        } catch (HyperError e) {
            throw new ErrnoException(e.errno(), e.getMessage());
        }
    }

    @Override
    public int read(long dev, ByteBuffer dst, long offset, int ioflag) throws ErrnoException {
        return raw(dev, dst, offset, true);
    }

    @Override
    public int write(long dev, ByteBuffer src, long offset, int ioflag) throws ErrnoException {
        return raw(dev, src, offset, false);
    }

    private int raw(long dev, ByteBuffer buf, long offset, boolean read) throws ErrnoException {
        Disk d = disk(dev);
        if (offset % Buf.DEV_BSIZE != 0 || buf.remaining() % Buf.DEV_BSIZE != 0) {
            throw new ErrnoException(Errno.EINVAL, "raw disk I/O is in whole sectors");
        }
        long end = roundUp(d.size());
        if (offset >= end) {
            if (read || !buf.hasRemaining()) {
                return 0;
            }
            throw new ErrnoException(Errno.ENOSPC);
        }
        int n = (int) Math.min(buf.remaining(), end - offset);
        ByteBuffer view = buf.slice(buf.position(), n);
        BlockIo.transfer(kernel, this, dev, read, offset / Buf.DEV_BSIZE, view);
        buf.position(buf.position() + n);
        return n;
    }
}
