package io.jrump.kern.syscall.sp;

import io.jrump.hypercall.Errno;
import java.io.IOException;

/**
 * The one error the sysproxy codec raises: a frame that is truncated, oversized, malformed or names what
 * it may not, or a value that cannot be passed by value. Reading, it ends the connection it came from and
 * nothing else; writing, it becomes the syscall's error with {@link #errno()} (EFAULT for a value with no
 * encoding, EMSGSIZE for a frame over the limit). Like {@link io.jrump.kern.ErrnoException} it has no
 * stack trace: hostile input is an expected outcome, not a bug.
 */
public class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public ProtocolException(String message) {
        this(message, Errno.EFAULT);
    }

    public ProtocolException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /** The errno a syscall fails with when this happens while its frame is built. */
    public int errno() {
        return errno;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
