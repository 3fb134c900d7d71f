package io.jrump.kern.syscall.sp;

import static io.jrump.kern.syscall.sp.Protocol.*;

import java.io.IOException;

/**
 * The server's reading of a client stream: frame after frame, decoded into an {@link Inbound}. It is
 * the whole of what a client's bytes can reach before the kernel is called, and the target the fuzz
 * test feeds: whatever the bytes, it returns a frame, a clean end, or throws {@link ProtocolException}
 * (or the channel's own I/O error).
 */
public final class InboundDecoder {
    private final FrameReader frames;
    private final ArgCodecs codecs;

    public InboundDecoder(FrameReader frames, ArgCodecs codecs) {
        this.frames = frames;
        this.codecs = codecs;
    }

    /** Decodes the next frame into {@code in} and returns its type, or -1 at a clean end of stream. */
    public int next(Inbound in) throws IOException {
        WireReader r = frames.next();
        if (r == null) {
            return -1;
        }
        in.type = r.u8("frame type");
        in.reqno = r.i32("request number");
        switch (in.type) {
            case T_HANDSHAKE -> HandshakeFrame.read(r, in);
            case T_SYSCALL -> SyscallFrame.read(r, in, codecs);
            case T_PREFORK -> r.expectEnd("prefork");
            default -> throw new ProtocolException("a client may not send frame type " + in.type);
        }
        return in.type;
    }
}
