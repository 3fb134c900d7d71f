package io.jrump.rumpclient;

import static io.jrump.kern.syscall.sp.Protocol.*;
import static io.jrump.kern.syscall.sp.SyscallFrame.*;

import io.jrump.kern.syscall.sp.ArgCodecs;
import io.jrump.kern.syscall.sp.HandshakeFrame;
import io.jrump.kern.syscall.sp.ProtocolException;
import io.jrump.kern.syscall.sp.ReplyFrame;
import io.jrump.kern.syscall.sp.SyscallFrame;
import io.jrump.kern.syscall.sp.Values;
import io.jrump.kern.syscall.sp.WireReader;
import io.jrump.kern.syscall.sp.WireWriter;
import java.nio.ByteBuffer;

/**
 * One outstanding request and, once answered, its outcome. Each calling thread keeps one and reuses it,
 * arguments, frame buffer and all, so a steady caller allocates nothing per call. The thread that reads
 * the reply (the caller, or another caller reading for everyone) applies it to the caller's own objects:
 * bytes into its buffer, positions moved, addresses and ioctl arguments updated in place, as the local
 * call would have left them.
 */
final class ClientCall implements ReplyFrame.Target {
    int frameType;
    int sysno;
    final long[] i = new long[MAX_ARGS];
    final Object[] o = new Object[MAX_ARGS];
    final int[] modes = new int[MAX_ARGS];
    private final int[] spans = new int[MAX_ARGS];
    int hsKind;
    String progname;
    byte[] cookie;

    final WireWriter out = new WireWriter();
    int reqno;
    boolean done;
    /** The connection ended before the reply came. */
    boolean lost;
    boolean failed;
    long ret;
    int errno;
    String detail;
    Object result;
    private ArgCodecs codecs;

    ClientCall reset(int type, int number) {
        frameType = type;
        sysno = number;
        for (int k = 0; k < MAX_ARGS; k++) {
            i[k] = 0;
            o[k] = null;
            modes[k] = MODE_IN;
        }
        cookie = null;
        progname = null;
        done = false;
        lost = false;
        failed = false;
        errno = 0;
        detail = null;
        result = null;
        ret = 0;
        return this;
    }

    /** Puts {@code v} in slot {@code k}, to come back if the kernel may change it (and it is not null). */
    void arg(int k, Object v, boolean inout) {
        o[k] = v;
        modes[k] = inout && v != null ? MODE_INOUT : MODE_IN;
    }

    void buffer(int k, ByteBuffer b, boolean kernelFills) {
        o[k] = b;
        modes[k] = b == null ? MODE_IN : kernelFills ? MODE_BUF_OUT : MODE_BUF_IN;
    }

    void encode(int number, ArgCodecs c) throws ProtocolException {
        this.codecs = c;
        this.reqno = number;
        switch (frameType) {
            case T_SYSCALL -> {
                for (int k = 0; k < MAX_ARGS; k++) {
                    spans[k] = o[k] instanceof ByteBuffer b ? SyscallFrame.span(b) : 0;
                    if (modes[k] == MODE_BUF_OUT && ((ByteBuffer) o[k]).isReadOnly()) {
                        throw new ProtocolException("a read-only buffer cannot receive data");
                    }
                }
                SyscallFrame.write(out, number, sysno, i, o, modes, c);
            }
            case T_HANDSHAKE -> HandshakeFrame.write(out, number, hsKind, progname, cookie);
            case T_PREFORK -> out.begin(T_PREFORK, number);
            default -> throw new IllegalStateException("frame type " + frameType);
        }
    }

    @Override
    public void ok(long r) {
        this.ret = r;
    }

    @Override
    public void back(int slot, Object value) throws ProtocolException {
        switch (modes[slot]) {
            case MODE_BUF_IN -> {
                if (!(value instanceof Integer n) || n < 0 || n > spans[slot]) {
                    throw new ProtocolException("reply says " + value + " bytes of a " + spans[slot] + "-byte buffer were used");
                }
                ByteBuffer b = (ByteBuffer) o[slot];
                b.position(b.position() + n);
            }
            case MODE_INOUT -> Values.update(value, o[slot], codecs);
            default -> throw new ProtocolException("reply brings back slot " + slot + ", which was not asked for");
        }
    }

    @Override
    public void backBytes(int slot, WireReader r, int n) throws ProtocolException {
        if (modes[slot] != MODE_BUF_OUT || n > spans[slot]) {
            throw new ProtocolException("reply brings " + n + " bytes for slot " + slot + ", which has room for "
                    + (modes[slot] == MODE_BUF_OUT ? spans[slot] : 0));
        }
        ByteBuffer b = (ByteBuffer) o[slot];
        r.copyTo(b, b.position(), n, "returned bytes");
        b.position(b.position() + n);
    }

    @Override
    public void result(Object value) {
        this.result = value;
    }

    @Override
    public void error(int e, String d) {
        this.failed = true;
        this.errno = e;
        this.detail = d;
    }

    /** Drops the references to the caller's objects, so a thread's kept call does not keep them alive. */
    void forgetArguments() {
        for (int k = 0; k < MAX_ARGS; k++) {
            o[k] = null;
        }
    }

    void lost(int e, String why) {
        this.failed = true;
        this.errno = e;
        this.detail = why;
        this.lost = true;
    }
}
