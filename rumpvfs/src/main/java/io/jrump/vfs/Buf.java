package io.jrump.vfs;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.sync.KCondVar;
import io.jrump.kern.sync.KMutex;
import io.jrump.hypercall.Errno;
import java.nio.ByteBuffer;

/**
 * A block I/O request ({@code struct buf}): a transfer of whole {@link #DEV_BSIZE}-byte sectors between
 * {@link #data}'s remaining space and a block device, started with {@link VnodeOps#strategy} and
 * waited for with {@link #biowait}. Completion may come from a host I/O thread ({@code rumpuser_bio}),
 * which calls {@link #done}.
 */
public final class Buf {
    /** The sector size of block devices ({@code DEV_BSIZE}). */
    public static final int DEV_BSIZE = 512;

    public final boolean read;
    /** The first sector. */
    public final long blkno;
    public final ByteBuffer data;
    private final KMutex lock;
    private final KCondVar cv;
    private boolean finished;
    private int error;
    private int bytes;

    public Buf(Kernel k, boolean read, long blkno, ByteBuffer data) {
        this.read = read;
        this.blkno = blkno;
        this.data = data;
        this.lock = k.newMutex();
        this.cv = k.newCondVar();
    }

    /** {@code biodone}: the transfer moved {@code bytes} or failed with {@code errno}. */
    public void done(int bytes, int errno) {
        lock.enter();
        try {
            this.bytes = bytes;
            this.error = errno;
            finished = true;
            cv.broadcast();
        } finally {
            lock.exit();
        }
    }

    /**
     * {@code biowait}: waits for completion without giving up on a kill, since the buffer must not be
     * reused while the host still transfers into it; returns the bytes moved.
     */
    public int biowait() throws ErrnoException {
        lock.enter();
        try {
            while (!finished) {
                cv.await(lock);
            }
        } finally {
            lock.exit();
        }
        if (error != 0) {
            throw new ErrnoException(error == 0 ? Errno.EIO : error, "block I/O at sector " + blkno);
        }
        return bytes;
    }
}
