package io.jrump.kern.syscall.sp;

import static io.jrump.kern.syscall.sp.Protocol.*;

import io.jrump.hypercall.Errno;
import io.jrump.kern.syscall.SyscallArgs;
import io.jrump.kern.syscall.SyscallRow;
import java.nio.ByteBuffer;

/**
 * The syscall request frame: a syscall number and the {@link SyscallArgs} slots by value, integers
 * first (trailing zeros left out) then objects (trailing nulls left out), each object tagged, with
 * {@link Protocol#F_BACK} on those the kernel changes in place. Buffers say which way they go: data for
 * one the kernel reads, only a size for one it fills.
 */
public final class SyscallFrame {
    /** How the client passes an object slot. */
    public static final int MODE_IN = 0;
    public static final int MODE_INOUT = 1;
    public static final int MODE_BUF_IN = 2;
    public static final int MODE_BUF_OUT = 3;
    /** A buffer the kernel fills whole or fails ({@code @Syscall.Out(whole = true)}); see {@link #wholeSpan}. */
    public static final int MODE_BUF_WHOLE = 4;
    /** An iovec the kernel reads (its bytes travel) or fills (only its lengths travel). */
    public static final int MODE_BUFS_IN = 5;
    public static final int MODE_BUFS_OUT = 6;

    private SyscallFrame() {
    }

    /** Bytes a buffer argument moves in one call: what remains, at most {@link Protocol#MAX_DATA}. */
    public static int span(ByteBuffer b) {
        return Math.min(b.remaining(), MAX_DATA);
    }

    /** Bytes a buffer the kernel fills whole may take: what remains, at most {@link Protocol#MAX_TABLE}. */
    public static int wholeSpan(ByteBuffer b) {
        return Math.min(b.remaining(), MAX_TABLE);
    }

    /**
     * The bytes of {@code b}, the {@code i}th buffer of an iovec, that one call moves, given the
     * {@code before} bytes the earlier buffers move: all one call moves is at most {@link Protocol#MAX_DATA},
     * so a larger {@code readv}/{@code writev} is short as a larger {@code read}/{@code write} is. A null
     * buffer moves nothing.
     */
    public static int span(ByteBuffer b, int before) {
        return b == null ? 0 : Math.min(b.remaining(), MAX_DATA - before);
    }

    /** Bytes an iovec moves in one call: the sum of {@link #span(ByteBuffer, int)}. */
    public static int span(ByteBuffer[] bs) {
        int total = 0;
        for (ByteBuffer b : bs) {
            total += span(b, total);
        }
        return total;
    }

    /** Bytes the kernel read from or wrote into the server's copy of an iovec: the sum of the positions. */
    static int used(ByteBuffer[] bs) {
        int n = 0;
        for (ByteBuffer b : bs) {
            n += b.position();
        }
        return n;
    }

    /** Whether the table says slot {@code k} of syscall {@code sysno} is a buffer the kernel fills whole. */
    static boolean whole(int sysno, int k) {
        SyscallRow row = SyscallRow.of(sysno);
        SyscallRow.Arg a = row == null ? null : row.object(k);
        return a != null && a.whole();
    }

    public static void write(WireWriter w, int reqno, int sysno, long[] i, Object[] o, int[] modes,
                             ArgCodecs codecs) throws ProtocolException {
        if (sysno < 0 || sysno > 0xffff) {
            throw new ProtocolException("syscall number " + sysno + " does not fit the frame",
                    io.jrump.hypercall.Errno.ENOSYS);
        }
        w.begin(T_SYSCALL, reqno).u16(sysno);
        int ni = MAX_ARGS;
        while (ni > 0 && i[ni - 1] == 0) {
            ni--;
        }
        w.u8(ni);
        for (int k = 0; k < ni; k++) {
            w.i64(i[k]);
        }
        int no = MAX_ARGS;
        while (no > 0 && o[no - 1] == null) {
            no--;
        }
        w.u8(no);
        for (int k = 0; k < no; k++) {
            Object v = o[k];
            switch (modes[k]) {
                case MODE_BUF_IN -> {
                    ByteBuffer b = (ByteBuffer) v;
                    int n = span(b);
                    w.u8(V_BUF_IN | F_BACK).i32(n).bytes(b, b.position(), n);
                }
                case MODE_BUF_OUT -> w.u8(V_BUF_OUT | F_BACK).i32(span((ByteBuffer) v));
                case MODE_BUF_WHOLE -> w.u8(V_BUF_OUT | F_BACK).i32(wholeSpan((ByteBuffer) v));
                case MODE_BUFS_IN, MODE_BUFS_OUT -> writeVector(w, (ByteBuffer[]) v, modes[k] == MODE_BUFS_IN);
                default -> {
                    if (v instanceof ByteBuffer) {
                        throw new ProtocolException("buffer in slot " + k + " without a direction");
                    }
                    int tagAt = w.size();
                    Values.write(w, v, codecs);
                    if (modes[k] == MODE_INOUT) {
                        w.orByte(tagAt, F_BACK);
                    }
                }
            }
        }
    }

    private static void writeVector(WireWriter w, ByteBuffer[] bs, boolean in) throws ProtocolException {
        if (bs.length > MAX_ELEMENTS) {
            throw new ProtocolException("iovec of " + bs.length + " buffers exceeds " + MAX_ELEMENTS, Errno.EINVAL);
        }
        w.u8((in ? V_BUFS_IN : V_BUFS_OUT) | F_BACK).i32(bs.length);
        int total = 0;
        for (ByteBuffer b : bs) {
            int n = span(b, total);
            w.i32(n);
            total += n;
        }
        if (in) {
            total = 0;
            for (ByteBuffer b : bs) {
                int n = span(b, total);
                if (n > 0) {
                    w.bytes(b, b.position(), n);
                }
                total += n;
            }
        }
    }

    /**
     * Reads an iovec into slot {@code k}: one server buffer holds all its bytes, and each of the kernel's
     * buffers is a slice of it. A negative length (C's {@code iov_len} past {@code SSIZE_MAX}) makes the
     * call EINVAL, as NetBSD's {@code readv} answers; more than {@link Protocol#MAX_DATA} bytes in all is
     * a frame no client sends.
     */
    private static void readVector(WireReader r, Inbound in, int k, boolean data) throws ProtocolException {
        int n = r.count("iovec count", MAX_ELEMENTS, 4);
        int[] lens = new int[n];
        long total = 0;
        for (int j = 0; j < n; j++) {
            int len = r.i32("iovec length");
            if (len < 0) {
                in.refuse(Errno.EINVAL, "iovec length " + len + " is negative");
                len = 0;
            }
            lens[j] = len;
            total += len;
        }
        if (total > MAX_DATA) {
            throw new ProtocolException("iovec of " + total + " bytes exceeds the limit of " + MAX_DATA);
        }
        ByteBuffer b = in.buffer(k, (int) total);
        if (b == null) {
            if (data) {
                r.skip((int) total, "iovec bytes");
            }
            in.refuse(Errno.ENOBUFS, "no room on the server for a " + total + "-byte iovec");
            return;
        }
        if (data) {
            r.copyTo(b, 0, (int) total, "iovec bytes");
        }
        ByteBuffer[] v = new ByteBuffer[n];
        int off = 0;
        for (int j = 0; j < n; j++) {
            v[j] = b.slice(off, lens[j]);
            off += lens[j];
        }
        in.args.o[k] = v;
    }

    /** Decodes the body after the header into {@code in}'s argument block, resetting every slot. */
    public static void read(WireReader r, Inbound in, ArgCodecs codecs) throws ProtocolException {
        SyscallArgs a = in.args;
        in.sysno = r.u16("syscall number");
        in.argError = null;
        in.argErrno = 0;
        int ni = r.u8("integer count");
        if (ni > MAX_ARGS) {
            throw new ProtocolException(ni + " integer arguments, at most " + MAX_ARGS);
        }
        for (int k = 0; k < MAX_ARGS; k++) {
            a.i[k] = k < ni ? r.i64("integer argument") : 0;
        }
        int no = r.u8("object count");
        if (no > MAX_ARGS) {
            throw new ProtocolException(no + " object arguments, at most " + MAX_ARGS);
        }
        for (int k = 0; k < MAX_ARGS; k++) {
            a.o[k] = null;
            in.back[k] = Inbound.BACK_NONE;
            if (k >= no) {
                continue;
            }
            int t = r.u8("argument tag");
            boolean back = (t & F_BACK) != 0;
            t &= ~F_BACK;
            if (t == V_BUF_IN) {
                int n = r.count("buffer length", MAX_DATA, 1);
                ByteBuffer b = in.buffer(k, n);
                if (b == null) {
                    r.skip(n, "buffer");
                    in.refuse(Errno.ENOBUFS, "no room on the server for a " + n + "-byte buffer");
                } else {
                    r.copyTo(b, 0, n, "buffer");
                }
                a.o[k] = b;
                in.back[k] = back ? Inbound.BACK_BUF_IN : Inbound.BACK_NONE;
            } else if (t == V_BUFS_IN || t == V_BUFS_OUT) {
                readVector(r, in, k, t == V_BUFS_IN);
                in.back[k] = t == V_BUFS_OUT ? Inbound.BACK_BUFS_OUT : back ? Inbound.BACK_BUFS_IN : Inbound.BACK_NONE;
            } else if (t == V_BUF_OUT) {
                int n = r.count("buffer size", whole(in.sysno, k) ? MAX_TABLE : MAX_DATA, 0);
                a.o[k] = in.buffer(k, n);
                if (a.o[k] == null) {
                    in.refuse(Errno.ENOBUFS, "no room on the server for a " + n + "-byte buffer");
                }
                in.back[k] = Inbound.BACK_BUF_OUT;
            } else {
                Object v = Values.readPayload(r, t, codecs, 0, true);
                if (v instanceof UnknownRecord u) {
                    in.refuse(Errno.EFAULT, "argument " + k + " is a '" + u.tag() + "', which this server has no codec for");
                }
                a.o[k] = v;
                in.back[k] = back ? Inbound.BACK_VALUE : Inbound.BACK_NONE;
            }
        }
        a.result = null;
        r.expectEnd("syscall " + in.sysno);
    }
}
