package io.jrump.hypercall;

import java.nio.ByteBuffer;

/** An open host file or device ({@code rumpuser_open}'s descriptor). Errors are {@link HyperError}s. */
public interface HyperFile {
    /** {@code rumpuser_bio} operation flags. */
    int BIO_READ = 1;
    int BIO_WRITE = 2;
    int BIO_SYNC = 4;

    /** {@code rumpuser_iovread} at an offset; returns bytes read, 0 at end of file. */
    int pread(ByteBuffer dst, long offset);

    /** {@code rumpuser_iovwrite} at an offset; returns bytes written. */
    int pwrite(ByteBuffer src, long offset);

    /** {@code rumpuser_syncfd}. */
    void sync();

    long size();

    /**
     * The host file's last modification, in nanoseconds since the epoch, or {@link Long#MIN_VALUE} where the
     * host does not say. etfs reports it as the file's mtime, so that a change made on the host is seen
     * inside the kernel (the AFPA cache revalidates by mtime and size).
     */
    default long mtimeNanos() {
        return Long.MIN_VALUE;
    }

    /**
     * {@code ftruncate}: cuts the file to {@code size} bytes or extends it with a hole (zeros that take
     * no space where the host file system keeps holes). Hosts without it answer EOPNOTSUPP.
     */
    default void truncate(long size) {
        throw new HyperError(Errno.EOPNOTSUPP, "truncate");
    }

    /**
     * {@code rumpuser_bio}: starts a read or write of {@code buffer}'s remaining bytes at {@code offset}
     * and returns at once; {@code done} runs when it completes. With {@link #BIO_SYNC} the data is on
     * stable storage before {@code done} runs.
     */
    void bio(int op, ByteBuffer buffer, long offset, BioDone done);

    void close();
}
