package io.jrump.kern.file;

import io.jrump.kern.ErrnoException;
import java.nio.ByteBuffer;

/**
 * What a kind of open file does ({@code struct fileops}): sockets, vnodes and devices each implement
 * it, and the descriptor syscalls ({@code read}, {@code write}, {@code ioctl}, {@code poll},
 * {@code close}) reach them through it without knowing which kind they hold.
 */
public interface FileOps {
    /** Reads into {@code dst}'s remaining space; returns bytes read, 0 at end of file. */
    int read(KFile fp, ByteBuffer dst) throws ErrnoException;

    /** Writes {@code src}'s remaining bytes; returns bytes written. */
    int write(KFile fp, ByteBuffer src) throws ErrnoException;

    /** Device and protocol control; {@code arg} is the command's argument object, updated in place. */
    default long ioctl(KFile fp, long cmd, Object arg) throws ErrnoException {
        throw new ErrnoException(io.jrump.hypercall.Errno.ENOTTY);
    }

    /**
     * Returns the events of {@code events} that are ready now. If none is and {@code waiter} is not
     * null, registers it on the file's {@link SelInfo} so that a later change wakes it.
     */
    int poll(KFile fp, int events, SelInfo.Waiter waiter);

    /**
     * One of {@code owner}'s descriptors for this file is being closed (before the reference goes):
     * where POSIX ties state to the process rather than to the file, as {@code fcntl} record locks,
     * that state ends here.
     */
    default void closing(KFile fp, io.jrump.kern.sched.Proc owner) throws ErrnoException {
    }

    /**
     * {@code fcntl}'s advisory record locks for {@code owner}: {@code cmd} is F_GETLK, F_SETLK or F_SETLKW
     * ({@link io.jrump.kern.vfs.Fcntl}); returns for F_GETLK the blocking lock (or {@code fl} unlocked),
     * else null. Only files have them: anything else answers EINVAL, as NetBSD's {@code fd_getvnode}.
     */
    default io.jrump.kern.vfs.Flock advlock(KFile fp, io.jrump.kern.sched.Proc owner, int cmd,
                                            io.jrump.kern.vfs.Flock fl) throws ErrnoException {
        throw new ErrnoException(io.jrump.hypercall.Errno.EINVAL, "record locks are for files");
    }

    /**
     * Fills what this file is into a {@code kern.files} record ({@code fstat}): the access it was opened
     * for ({@link io.jrump.kern.sysctl.KinfoFile#rw}, preset to both) and, for a vnode, its mount point,
     * number, type and mode, size or device, and offset. The default adds nothing.
     */
    default void describe(KFile fp, io.jrump.kern.sysctl.KinfoFile r) {
    }

    /** The last descriptor for this file was closed. */
    void close(KFile fp) throws ErrnoException;

    /** {@code fstat}'s file type letter for listings ({@code 's'} socket, {@code '-'} file, ...). */
    default char kind() {
        return '?';
    }
}
