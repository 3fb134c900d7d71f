package io.jrump.hypercall;

/**
 * A host operation failed with an errno value, as every {@code rumpuser_*} call that can fail returns
 * one. It carries no stack trace: kernel code turns it into a syscall's errno and the trace would only
 * cost time.
 */
public final class HyperError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public HyperError(int errno, String detail) {
        super(Errno.name(errno) + ": " + detail, null, false, false);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
