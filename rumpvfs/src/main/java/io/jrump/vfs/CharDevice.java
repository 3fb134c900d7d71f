package io.jrump.vfs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.Poll;
import java.nio.ByteBuffer;

/** A character device's entry points ({@code struct cdevsw}), reached through a {@link VType#VCHR} vnode. */
public interface CharDevice {
    default void open(long dev, int fflags, Cred cred) throws ErrnoException {
    }

    default void close(long dev, int fflags, Cred cred) throws ErrnoException {
    }

    /** Reads into {@code dst}'s remaining space; returns bytes read, 0 at the end. */
    int read(long dev, ByteBuffer dst, long offset, int ioflag) throws ErrnoException;

    /** Writes {@code src}'s remaining bytes; returns bytes written. */
    int write(long dev, ByteBuffer src, long offset, int ioflag) throws ErrnoException;

    default long ioctl(long dev, long cmd, Object arg, int fflags) throws ErrnoException {
        throw new ErrnoException(Errno.ENOTTY);
    }

    default int poll(long dev, int events) {
        return events & (Poll.POLLIN | Poll.POLLOUT | Poll.POLLRDNORM | Poll.POLLWRNORM);
    }
}
