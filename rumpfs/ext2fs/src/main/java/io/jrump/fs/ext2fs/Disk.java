package io.jrump.fs.ext2fs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.vfs.Buf;
import io.jrump.vfs.VType;
import io.jrump.vfs.Vattr;
import io.jrump.vfs.Vnode;
import java.nio.ByteBuffer;

/**
 * What an ext2 mount reads and writes: a block device vnode (an etfs {@code BLK} registration, that
 * is rumpblk on a host image, reached through its strategy routine and so through the hypercall's
 * block I/O) or a regular file of another kernel file system (a rumpfs file holding an image). Every
 * transfer is checked against the device's size first, so a block number past the end is EIO and
 * never a write outside the image.
 */
abstract class Disk {
    final Vnode vp;
    final long size;

    private Disk(Vnode vp, long size) {
        this.vp = vp;
        this.size = size;
    }

    /** The disk on {@code vp}: a block device or a regular file; ENODEV for anything else. */
    static Disk of(Kernel k, Vnode vp) throws ErrnoException {
        Vattr va = new Vattr();
        vp.lockShared();
        try {
            vp.ops().getattr(vp, va);
        } finally {
            vp.unlock();
        }
        if (vp.type() == VType.VBLK) {
            return new Device(k, vp, va.size);
        }
        if (vp.type() == VType.VREG) {
            return new File(vp, va.size);
        }
        throw new ErrnoException(Errno.ENODEV, "ext2fs: the device is neither a block device nor a regular file");
    }

    /** Reads {@code dst}'s remaining bytes from byte {@code off}; both multiples of the sector size. */
    final void read(long off, ByteBuffer dst) throws ErrnoException {
        check(off, dst.remaining());
        transfer(true, off, dst);
    }

    final void write(long off, ByteBuffer src) throws ErrnoException {
        check(off, src.remaining());
        transfer(false, off, src);
    }

    private void check(long off, int len) throws ErrnoException {
        if (off < 0 || off + len > size) {
            throw new ErrnoException(Errno.EIO, "ext2fs: I/O of " + len + " bytes at " + off
                    + " past the end of a " + size + "-byte device");
        }
    }

    abstract void transfer(boolean read, long off, ByteBuffer buf) throws ErrnoException;

    /** Puts what the device caches on stable storage. */
    abstract void sync() throws ErrnoException;

    /** A block device, through its strategy routine in whole sectors. */
    private static final class Device extends Disk {
        private final Kernel k;

        Device(Kernel k, Vnode vp, long size) {
            super(vp, size);
            this.k = k;
        }

        @Override
        void transfer(boolean read, long off, ByteBuffer buf) throws ErrnoException {
            int pos = buf.position();
            Buf bp = new Buf(k, read, off / Buf.DEV_BSIZE, buf);
            vp.ops().strategy(vp, bp);
            bp.biowait();
            buf.position(pos + (buf.limit() - pos));
        }

        @Override
        void sync() throws ErrnoException {
            vp.ops().fsync(vp, false);
        }
    }

    /** A regular file of another file system, through its read and write operations. */
    private static final class File extends Disk {
        File(Vnode vp, long size) {
            super(vp, size);
        }

        @Override
        void transfer(boolean read, long off, ByteBuffer buf) throws ErrnoException {
            long at = off;
            if (read) {
                vp.lockShared();
                try {
                    while (buf.hasRemaining()) {
                        int n = vp.ops().read(vp, buf, at, 0, Cred.ROOT);
                        if (n <= 0) {
                            throw new ErrnoException(Errno.EIO, "ext2fs: short read of the image at " + at);
                        }
                        at += n;
                    }
                } finally {
                    vp.unlock();
                }
            } else {
                vp.lockExclusive();
                try {
                    while (buf.hasRemaining()) {
                        long end = vp.ops().write(vp, buf, at, 0, Cred.ROOT);
                        if (end <= at) {
                            throw new ErrnoException(Errno.EIO, "ext2fs: short write of the image at " + at);
                        }
                        at = end;
                    }
                } finally {
                    vp.unlock();
                }
            }
        }

        @Override
        void sync() throws ErrnoException {
            vp.lockShared();
            try {
                vp.ops().fsync(vp, false);
            } finally {
                vp.unlock();
            }
        }
    }
}
