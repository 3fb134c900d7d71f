package io.jrump.kern.syscall.sp;

import static io.jrump.kern.syscall.sp.Protocol.*;

import io.jrump.kern.syscall.SyscallArgs;
import java.nio.ByteBuffer;

/**
 * The reply frame, one for every client frame, carrying the request number it answers: either the
 * return value, the argument slots the client asked back (in place changes, bytes a buffer received,
 * bytes a buffer gave) and the call's result object, or an errno and the kernel's detail text.
 */
public final class ReplyFrame {
    /** Where a decoded reply goes; the client's pending call. */
    public interface Target {
        void ok(long ret) throws ProtocolException;

        /** A slot brought back as a value (a changed object, or how much of an input buffer was consumed). */
        void back(int slot, Object value) throws ProtocolException;

        /** A slot brought back as {@code n} bytes the kernel wrote into an output buffer, to be copied from {@code r}. */
        void backBytes(int slot, WireReader r, int n) throws ProtocolException;

        void result(Object value) throws ProtocolException;

        void error(int errno, String detail);
    }

    private ReplyFrame() {
    }

    /** The reply to a syscall that returned {@code ret}, built from its argument block after the call. */
    public static void writeOk(WireWriter w, Inbound in, long ret, ArgCodecs codecs) throws ProtocolException {
        w.begin(T_REPLY, in.reqno).u8(R_OK).i64(ret);
        int n = 0;
        for (int b : in.back) {
            if (b != Inbound.BACK_NONE) {
                n++;
            }
        }
        w.u8(n);
        SyscallArgs a = in.args;
        for (int k = 0; k < MAX_ARGS; k++) {
            switch (in.back[k]) {
                case Inbound.BACK_VALUE -> {
                    w.u8(k);
                    Values.write(w, a.o[k], codecs);
                }
                case Inbound.BACK_BUF_IN -> w.u8(k).u8(V_INT).i32(((ByteBuffer) a.o[k]).position());
                case Inbound.BACK_BUF_OUT -> {
                    ByteBuffer b = (ByteBuffer) a.o[k];
                    w.u8(k).u8(V_BYTES).i32(b.position()).bytes(b, 0, b.position());
                }
                case Inbound.BACK_BUFS_IN -> w.u8(k).u8(V_INT).i32(SyscallFrame.used((ByteBuffer[]) a.o[k]));
                case Inbound.BACK_BUFS_OUT -> {
                    ByteBuffer[] bs = (ByteBuffer[]) a.o[k];
                    w.u8(k).u8(V_BYTES).i32(SyscallFrame.used(bs));
                    for (ByteBuffer b : bs) {
                        w.bytes(b, 0, b.position());
                    }
                }
                default -> {
                }
            }
        }
        Values.write(w, a.result, codecs);
    }

    /** A success reply with no slots, for the handshake and prefork frames. */
    public static void writeOk(WireWriter w, int reqno, long ret, Object result, ArgCodecs codecs)
            throws ProtocolException {
        w.begin(T_REPLY, reqno).u8(R_OK).i64(ret).u8(0);
        Values.write(w, result, codecs);
    }

    public static void writeError(WireWriter w, int reqno, int errno, String detail) {
        String d = detail == null ? "" : detail;
        if (d.length() > 1024) {
            d = d.substring(0, 1024);
        }
        try {
            w.begin(T_REPLY, reqno).u8(R_ERR).i32(errno).string(d, MAX_STRING);
        } catch (ProtocolException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** Decodes a reply's body (after the header) into {@code t}. */
    public static void read(WireReader r, Target t, ArgCodecs codecs) throws ProtocolException {
        int status = r.u8("reply status");
        if (status == R_ERR) {
            int errno = r.i32("errno");
            String d = r.string("error detail", MAX_STRING);
            r.expectEnd("error reply");
            t.error(errno, d.isEmpty() ? null : d);
            return;
        }
        if (status != R_OK) {
            throw new ProtocolException("unknown reply status " + status);
        }
        t.ok(r.i64("return value"));
        int n = r.u8("returned slot count");
        if (n > MAX_ARGS) {
            throw new ProtocolException(n + " returned slots, at most " + MAX_ARGS);
        }
        for (int k = 0; k < n; k++) {
            int slot = r.u8("returned slot");
            if (slot >= MAX_ARGS) {
                throw new ProtocolException("returned slot " + slot);
            }
            int tag = r.u8("returned value tag");
            if (tag == V_BYTES) {
                t.backBytes(slot, r, r.count("returned bytes", MAX_TABLE, 1));
            } else {
                t.back(slot, Values.readPayload(r, tag, codecs, 0, false));
            }
        }
        t.result(Values.read(r, codecs));
        r.expectEnd("reply");
    }
}
