package io.jrump.kern;

/**
 * A kernel could not boot, or a module could not load: an unknown component, a missing requirement,
 * two components that provide the same thing, a hypercall revision mismatch. The message names the
 * parts involved, so that the fix is in the message (ARCHITECTURE.md section 2).
 */
public final class BootException extends Exception {
    private static final long serialVersionUID = 1L;

    public BootException(String message) {
        super(message);
    }

    public BootException(String message, Throwable cause) {
        super(message, cause);
    }
}
