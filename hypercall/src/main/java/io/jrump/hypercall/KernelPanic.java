package io.jrump.hypercall;

/**
 * A kernel invariant broke. It is an {@link Error}, not an exception: kernel code never catches it, and
 * it unwinds the thread that hit it, as a panic stops a CPU.
 */
public final class KernelPanic extends Error {
    private static final long serialVersionUID = 1L;

    public KernelPanic(String message) {
        super(message);
    }

    public KernelPanic(String message, Throwable cause) {
        super(message, cause);
    }
}
