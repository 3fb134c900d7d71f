package io.jrump.kern.syscall.sp;

import static io.jrump.kern.syscall.sp.Protocol.*;

/**
 * The handshake frame, the first a client sends (and the one {@code exec} sends again): the protocol
 * version it speaks, what it wants (a new process, the child of a fork named by a cookie, or an exec
 * of its own process) and its program name.
 */
public final class HandshakeFrame {
    private HandshakeFrame() {
    }

    public static void write(WireWriter w, int reqno, int kind, String progname, byte[] cookie)
            throws ProtocolException {
        w.begin(T_HANDSHAKE, reqno).u16(VERSION).u8(kind).string(progname, MAX_PROGNAME);
        if (kind == HS_FORK) {
            if (cookie == null || cookie.length != COOKIE_LEN) {
                throw new ProtocolException("a fork handshake needs a " + COOKIE_LEN + "-byte cookie");
            }
            w.bytes(cookie);
        }
    }

    /** Decodes the body after the header. A version mismatch is not an error here: it is answered. */
    public static void read(WireReader r, Inbound in) throws ProtocolException {
        in.version = r.u16("handshake version");
        in.kind = r.u8("handshake kind");
        if (in.kind > HS_EXEC) {
            throw new ProtocolException("unknown handshake kind " + in.kind);
        }
        in.progname = r.string("program name", MAX_PROGNAME);
        in.cookie = in.kind == HS_FORK ? r.bytes(COOKIE_LEN, "fork cookie") : null;
        r.expectEnd("handshake");
    }
}
