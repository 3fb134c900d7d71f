package io.jrump.kern;

import io.jrump.hypercall.Errno;

/**
 * A syscall failed with a POSIX errno value ({@link Errno}, NetBSD numbering). This is how every
 * kernel error reaches a caller, local or remote; it carries no stack trace because it is an ordinary
 * outcome (EAGAIN on a non-blocking socket), not a bug.
 */
public final class ErrnoException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public ErrnoException(int errno) {
        this(errno, null);
    }

    public ErrnoException(int errno, String detail) {
        super(detail == null ? Errno.name(errno) + " (" + Errno.message(errno) + ")"
                : Errno.name(errno) + ": " + detail, null, false, false);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
