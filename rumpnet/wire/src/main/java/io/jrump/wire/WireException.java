package io.jrump.wire;

/**
 * Thrown by the {@code parse} methods of the repr records when bytes from the network do not form a header they can
 * represent.
 *
 * <p>Checked, because malformed input is an expected outcome of parsing data from a peer and a caller must decide
 * what to do with it (drop and count, answer with an ICMP error, reset). The hot path does not use it: views report
 * the same {@link WireError} as a return value.
 */
public final class WireException extends Exception {
    private static final long serialVersionUID = 1L;

    private final WireError error;

    /**
     * @param error  the classified cause, never {@link WireError#OK}
     * @param detail what was wrong, for logs
     */
    public WireException(WireError error, String detail) {
        super(error + ": " + detail);
        if (error == null || error == WireError.OK) {
            throw new IllegalArgumentException("a WireException needs a failure cause, got " + error);
        }
        this.error = error;
    }

    /** The classified cause, for drop counters. */
    public WireError error() {
        return error;
    }

    /** Throws a {@code WireException} unless {@code error} is {@link WireError#OK}; keeps parse methods short. */
    static void throwIfBad(WireError error, String what) throws WireException {
        if (error != WireError.OK) {
            throw new WireException(error, what);
        }
    }
}
