package io.jrump.rumpclient;

import static io.jrump.kern.syscall.sp.Protocol.*;
import static io.jrump.kern.syscall.sp.SyscallFrame.*;

import io.jrump.kern.syscall.SyscallArgs;
import io.jrump.kern.syscall.SyscallRow;
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
 *
 * <p>How each object slot travels follows from its {@link SyscallRow} argument: a buffer the kernel
 * fills goes as a size and comes back as bytes, one it reads goes as bytes and comes back as a count;
 * an iovec likewise, its buffers' bytes in order; a value the kernel writes comes back if the caller's object can take it in place. A number the
 * table has no row for (a module's own call made through {@code syscall}) sends buffers as data and
 * asks back whatever is mutable.
 */
final class ClientCall implements ReplyFrame.Target {
    int frameType;
    int sysno;
    final SyscallArgs args = new SyscallArgs();
    final int[] modes = new int[MAX_ARGS];
    private final int[] spans = new int[MAX_ARGS];
    int hsKind;
    String progname;
    byte[] cookie;

    final WireWriter out = new WireWriter(512, MAX_REQUEST);
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
            args.i[k] = 0;
            args.o[k] = null;
            modes[k] = MODE_IN;
        }
        args.result = null;
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

    /** How slot {@code k}'s object {@code v} travels, from the row's argument {@code spec} (null: no row). */
    private static int mode(SyscallRow.Arg spec, Object v, ArgCodecs codecs) {
        if (v == null) {
            return MODE_IN;
        }
        SyscallRow.Dir dir = spec != null ? spec.dir() : SyscallRow.Dir.INOUT;
        if (v instanceof ByteBuffer[]) {
            return dir == SyscallRow.Dir.OUT ? MODE_BUFS_OUT : MODE_BUFS_IN;
        }
        if (v instanceof ByteBuffer) {
            if (dir == SyscallRow.Dir.OUT) {
                return spec.whole() ? MODE_BUF_WHOLE : MODE_BUF_OUT;
            }
            return MODE_BUF_IN;
        }
        return dir != SyscallRow.Dir.IN && Values.mutable(v, codecs) ? MODE_INOUT : MODE_IN;
    }

    void encode(int number, ArgCodecs c) throws ProtocolException {
        this.codecs = c;
        this.reqno = number;
        switch (frameType) {
            case T_SYSCALL -> {
                SyscallRow row = SyscallRow.of(sysno);
                Object[] o = args.o;
                for (int k = 0; k < MAX_ARGS; k++) {
                    modes[k] = mode(row != null ? row.object(k) : null, o[k], c);
                    spans[k] = o[k] instanceof ByteBuffer[] bs ? SyscallFrame.span(bs)
                            : !(o[k] instanceof ByteBuffer b) ? 0
                            : modes[k] == MODE_BUF_WHOLE ? SyscallFrame.wholeSpan(b) : SyscallFrame.span(b);
                    if ((modes[k] == MODE_BUF_OUT || modes[k] == MODE_BUF_WHOLE) && ((ByteBuffer) o[k]).isReadOnly()) {
                        throw new ProtocolException("a read-only buffer cannot receive data");
                    }
                    if (modes[k] == MODE_BUFS_OUT) {
                        for (ByteBuffer b : (ByteBuffer[]) o[k]) {
                            if (b != null && b.isReadOnly() && b.hasRemaining()) {
                                throw new ProtocolException("a read-only buffer cannot receive data");
                            }
                        }
                    }
                }
                SyscallFrame.write(out, number, sysno, args.i, o, modes, c);
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
                ByteBuffer b = (ByteBuffer) args.o[slot];
                b.position(b.position() + n);
            }
            case MODE_BUFS_IN -> {
                if (!(value instanceof Integer n) || n < 0 || n > spans[slot]) {
                    throw new ProtocolException("reply says " + value + " bytes of a " + spans[slot] + "-byte iovec were used");
                }
                int left = n;
                for (ByteBuffer b : (ByteBuffer[]) args.o[slot]) {
                    int m = b == null ? 0 : Math.min(b.remaining(), left);
                    if (m > 0) {
                        b.position(b.position() + m);
                        left -= m;
                    }
                }
            }
            case MODE_INOUT -> Values.update(value, args.o[slot], codecs);
            default -> throw new ProtocolException("reply brings back slot " + slot + ", which was not asked for");
        }
    }

    @Override
    public void backBytes(int slot, WireReader r, int n) throws ProtocolException {
        if (modes[slot] == MODE_BUFS_OUT) {
            if (n > spans[slot]) {
                throw new ProtocolException("reply brings " + n + " bytes for an iovec with room for " + spans[slot]);
            }
            int left = n;
            for (ByteBuffer b : (ByteBuffer[]) args.o[slot]) {
                int m = b == null ? 0 : Math.min(b.remaining(), left);
                if (m > 0) {
                    r.copyTo(b, b.position(), m, "returned bytes");
                    b.position(b.position() + m);
                    left -= m;
                }
            }
            return;
        }
        boolean out = modes[slot] == MODE_BUF_OUT || modes[slot] == MODE_BUF_WHOLE;
        if (!out || n > spans[slot]) {
            throw new ProtocolException("reply brings " + n + " bytes for slot " + slot + ", which has room for "
                    + (out ? spans[slot] : 0));
        }
        ByteBuffer b = (ByteBuffer) args.o[slot];
        r.copyTo(b, b.position(), n, "returned bytes");
        b.position(b.position() + n);
    }

    @Override
    public void result(Object value) {
        this.result = value;
        args.result = value;
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
            args.o[k] = null;
        }
    }

    void lost(int e, String why) {
        this.failed = true;
        this.errno = e;
        this.detail = why;
        this.lost = true;
    }
}
