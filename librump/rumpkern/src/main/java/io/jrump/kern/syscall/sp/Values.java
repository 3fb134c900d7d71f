package io.jrump.kern.syscall.sp;

import static io.jrump.kern.syscall.sp.Protocol.*;

import io.jrump.kern.file.PollFd;
import io.jrump.kern.syscall.SockAddr;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The tagged value encoding: what any argument, field or result object becomes on the wire (a tag byte,
 * then the payload of PROTOCOL.md's table). The closed set of built-in types covers the kernel core's
 * objects; anything else is a record through the {@link ArgCodecs} registry. Every count is checked
 * against its limit and against the bytes actually left before anything is allocated.
 */
public final class Values {
    private Values() {
    }

    public static void write(WireWriter w, Object v, ArgCodecs codecs) throws ProtocolException {
        write(w, v, codecs, 0);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static void write(WireWriter w, Object v, ArgCodecs codecs, int depth) throws ProtocolException {
        if (depth > MAX_DEPTH) {
            throw new ProtocolException("values nested more than " + MAX_DEPTH + " deep");
        }
        if (v == null) {
            w.u8(V_NULL);
        } else if (v instanceof Integer x) {
            w.u8(V_INT).i32(x);
        } else if (v instanceof Long x) {
            w.u8(V_LONG).i64(x);
        } else if (v instanceof Boolean x) {
            w.u8(V_BOOL).u8(x ? 1 : 0);
        } else if (v instanceof String s) {
            w.u8(V_STRING).string(s, MAX_STRING);
        } else if (v instanceof byte[] b) {
            if (b.length > MAX_DATA) {
                throw new ProtocolException("byte array of " + b.length + " exceeds " + MAX_DATA,
                        io.jrump.hypercall.Errno.EMSGSIZE);
            }
            w.u8(V_BYTES).i32(b.length).bytes(b);
        } else if (v instanceof int[] a) {
            checkCount(a.length, "int array");
            w.u8(V_INTS).i32(a.length);
            for (int x : a) {
                w.i32(x);
            }
        } else if (v instanceof SockAddr s) {
            w.u8(V_SOCKADDR).i32(s.family).i32(s.addr).i32(s.port);
        } else if (v instanceof PollFd[] fds) {
            checkCount(fds.length, "pollfd array");
            w.u8(V_POLLFDS).i32(fds.length);
            for (PollFd p : fds) {
                if (p == null) {
                    throw new ProtocolException("null entry in a pollfd array");
                }
                w.i32(p.fd).i32(p.events).i32(p.revents);
            }
        } else if (v instanceof List<?> l) {
            checkCount(l.size(), "list");
            w.u8(V_LIST).i32(l.size());
            for (Object e : l) {
                write(w, e, codecs, depth + 1);
            }
        } else {
            ArgCodec c = codecs.forType(v.getClass());
            if (c == null) {
                throw new ProtocolException("no way to pass a " + v.getClass().getName()
                        + " by value: no codec is registered for it");
            }
            w.u8(V_RECORD).string(c.tag(), MAX_NAME);
            int at = w.reserveLength();
            c.write(v, w, codecs);
            w.patchLength(at);
        }
    }

    private static void checkCount(int n, String what) throws ProtocolException {
        if (n > MAX_ELEMENTS) {
            throw new ProtocolException(what + " of " + n + " exceeds " + MAX_ELEMENTS,
                    io.jrump.hypercall.Errno.EMSGSIZE);
        }
    }

    /** Reads one tagged value; an unknown record is an error here, since nothing could use it. */
    public static Object read(WireReader r, ArgCodecs codecs) throws ProtocolException {
        return readPayload(r, r.u8("value tag"), codecs, 0, false);
    }

    /**
     * Reads the payload of a value whose tag was already read. With {@code allowUnknown} (an argument
     * slot) a record nobody registered becomes an {@link UnknownRecord}; anywhere else it is an error.
     */
    static Object readPayload(WireReader r, int tag, ArgCodecs codecs, int depth, boolean allowUnknown)
            throws ProtocolException {
        switch (tag) {
            case V_NULL:
                return null;
            case V_INT:
                return r.i32("int");
            case V_LONG:
                return r.i64("long");
            case V_BOOL: {
                int b = r.u8("boolean");
                if (b > 1) {
                    throw new ProtocolException("boolean of " + b);
                }
                return b == 1;
            }
            case V_STRING:
                return r.string("string", MAX_STRING);
            case V_BYTES:
                return r.bytes(r.count("byte array length", MAX_DATA, 1), "byte array");
            case V_INTS: {
                int n = r.count("int array length", MAX_ELEMENTS, 4);
                int[] a = new int[n];
                for (int k = 0; k < n; k++) {
                    a[k] = r.i32("int array");
                }
                return a;
            }
            case V_SOCKADDR:
                return new SockAddr(r.i32("sockaddr family"), r.i32("sockaddr address"), r.i32("sockaddr port"));
            case V_POLLFDS: {
                int n = r.count("pollfd array length", MAX_ELEMENTS, 12);
                PollFd[] fds = new PollFd[n];
                for (int k = 0; k < n; k++) {
                    fds[k] = new PollFd(r.i32("pollfd fd"), r.i32("pollfd events"));
                    fds[k].revents = r.i32("pollfd revents");
                }
                return fds;
            }
            case V_LIST: {
                nest(depth);
                int n = r.count("list length", MAX_ELEMENTS, 1);
                List<Object> l = new ArrayList<>(n);
                for (int k = 0; k < n; k++) {
                    l.add(readPayload(r, r.u8("list element tag"), codecs, depth + 1, false));
                }
                return Collections.unmodifiableList(l);
            }
            case V_RECORD: {
                nest(depth);
                String rtag = r.string("record tag", MAX_NAME);
                WireReader body = r.sub(r.count("record length", MAX_REPLY, 1), "record " + rtag);
                ArgCodec<?> c = codecs.forTag(rtag);
                if (c == null) {
                    if (allowUnknown) {
                        return new UnknownRecord(rtag);
                    }
                    throw new ProtocolException("unknown record type '" + rtag + "'");
                }
                Object v = c.read(body, codecs, depth + 1);
                body.expectEnd("record " + rtag);
                return v;
            }
            case V_BUF_IN:
            case V_BUF_OUT:
            case V_BUFS_IN:
            case V_BUFS_OUT:
                throw new ProtocolException("a buffer is only allowed as a syscall argument");
            default:
                throw new ProtocolException("unknown value tag " + tag);
        }
    }

    private static void nest(int depth) throws ProtocolException {
        if (depth >= MAX_DEPTH) {
            throw new ProtocolException("values nested more than " + MAX_DEPTH + " deep");
        }
    }

    /**
     * Copies a value a reply brought back into the caller's object of the same kind, as the local call
     * would have changed it in place.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static void update(Object from, Object into, ArgCodecs codecs) throws ProtocolException {
        if (into instanceof SockAddr s && from instanceof SockAddr f) {
            s.set(f);
        } else if (into instanceof int[] a && from instanceof int[] f && a.length == f.length) {
            System.arraycopy(f, 0, a, 0, a.length);
        } else if (into instanceof PollFd[] a && from instanceof PollFd[] f && a.length == f.length) {
            for (int k = 0; k < a.length; k++) {
                a[k].revents = f[k].revents;
            }
        } else if (into != null && from != null && into.getClass() == from.getClass()
                && mutableCodec(into, codecs) != null) {
            ((ArgCodec) mutableCodec(into, codecs)).update(from, into);
        } else {
            throw new ProtocolException("reply brought back a " + (from == null ? "null" : from.getClass().getName())
                    + " for a " + (into == null ? "null" : into.getClass().getName()));
        }
    }

    private static ArgCodec<?> mutableCodec(Object v, ArgCodecs codecs) {
        ArgCodec<?> c = codecs.forType(v.getClass());
        return c != null && c.mutable() ? c : null;
    }

    /** Whether a reply should bring this argument back: the kernel may have changed it in place. */
    public static boolean mutable(Object v, ArgCodecs codecs) {
        if (v instanceof SockAddr || v instanceof int[] || v instanceof PollFd[]) {
            return true;
        }
        ArgCodec<?> c = v == null ? null : codecs.forType(v.getClass());
        return c != null && c.mutable();
    }
}
