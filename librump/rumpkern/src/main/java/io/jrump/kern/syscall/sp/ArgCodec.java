package io.jrump.kern.syscall.sp;

/**
 * How one argument class crosses the wire by value, under a short tag both ends agree on. The kernel's
 * ioctl and result objects belong to components (an {@code IfReq} is rumpnet_net's), which the protocol
 * cannot depend on; each such class is registered in an {@link ArgCodecs} instead, most simply as a
 * {@link FieldsCodec}. The server decodes only tags it has registered: a client never makes it load or
 * build a class by name.
 */
public interface ArgCodec<T> {
    /** The name on the wire, at most {@link Protocol#MAX_NAME} bytes. */
    String tag();

    Class<T> type();

    void write(T value, WireWriter out, ArgCodecs codecs) throws ProtocolException;

    /** Reads a value written by {@link #write}; {@code depth} counts the lists and records around it. */
    T read(WireReader in, ArgCodecs codecs, int depth) throws ProtocolException;

    /** Whether the kernel may change a value in place (an ioctl argument), so that a reply carries it back. */
    boolean mutable();

    /** Copies what a reply brought back into the caller's object, as the local call would have left it. */
    void update(T from, T into);
}
