package io.jrump.kern.syscall.sp;

import java.nio.charset.StandardCharsets;

/**
 * The constants of the sysproxy wire format (see {@code sysproxy/PROTOCOL.md}): the banner, frame types,
 * value tags and every size limit. They live in one place because both ends, the fuzz targets and the
 * document must agree on them byte for byte; changing any of them is a new {@link #VERSION}.
 */
public final class Protocol {
    /** Bumped on any incompatible change; the banner and the handshake carry it. */
    public static final int VERSION = 3;
    /** What the server sends first, before the version number and a newline. */
    public static final String BANNER_PREFIX = "RUMPSP-JRUMP-";
    /** A banner line longer than this (newline included) is not ours. */
    public static final int MAX_BANNER = 64;

    /** Bytes before a frame's body: u32 length, u8 type, u32 request number. */
    public static final int FRAME_HEADER = 9;
    /** Largest buffer argument or result a single call moves; larger reads and writes are short. */
    public static final int MAX_DATA = 1 << 20;
    /**
     * Largest buffer the kernel fills whole in one call ({@code @Syscall.Out(whole = true)}: a sysctl
     * table; 100,000 sockets are 8 MB of {@code kern.sockets}). Only the reply carries the bytes; the
     * request names the size.
     */
    public static final int MAX_TABLE = 64 << 20;
    /** Largest value of the length field of a frame a client sends (type, request number and body). */
    public static final int MAX_REQUEST = MAX_DATA + (64 << 10);
    /** Largest value of the length field of a frame a server sends: a reply may carry a whole table. */
    public static final int MAX_REPLY = MAX_TABLE + (64 << 10);
    /** Largest encoded string, in UTF-8 bytes. */
    public static final int MAX_STRING = 65535;
    /** Largest program name, in UTF-8 bytes. */
    public static final int MAX_PROGNAME = 255;
    /** Largest record tag or field name, in UTF-8 bytes. */
    public static final int MAX_NAME = 64;
    /** Most elements of a list, an int array or a pollfd array, and most fields of a record. */
    public static final int MAX_ELEMENTS = 65536;
    /** Deepest nesting of lists and records, so that a hostile frame cannot exhaust the stack. */
    public static final int MAX_DEPTH = 8;
    /** Integer and object argument slots of a syscall ({@link io.jrump.kern.syscall.SyscallArgs#MAX}). */
    public static final int MAX_ARGS = 6;
    /** Bytes of a fork cookie. */
    public static final int COOKIE_LEN = 16;

    /** Frame types. */
    public static final int T_HANDSHAKE = 1;
    public static final int T_SYSCALL = 2;
    public static final int T_PREFORK = 3;
    public static final int T_REPLY = 4;

    /** Handshake kinds. */
    public static final int HS_NEW = 0;
    public static final int HS_FORK = 1;
    public static final int HS_EXEC = 2;

    /** Reply status. */
    public static final int R_OK = 0;
    public static final int R_ERR = 1;

    /** Value tags. */
    public static final int V_NULL = 0;
    public static final int V_INT = 1;
    public static final int V_LONG = 2;
    public static final int V_BOOL = 3;
    public static final int V_STRING = 4;
    public static final int V_BYTES = 5;
    public static final int V_INTS = 6;
    public static final int V_SOCKADDR = 7;
    public static final int V_POLLFDS = 8;
    public static final int V_LIST = 9;
    public static final int V_RECORD = 10;
    /** Argument-only tags: a buffer the kernel reads (data follows) or fills (only its size follows). */
    public static final int V_BUF_IN = 11;
    public static final int V_BUF_OUT = 12;
    /**
     * Argument-only tags of an iovec ({@code readv}/{@code writev}): a count, each buffer's length, and
     * for one the kernel reads the buffers' bytes in order.
     */
    public static final int V_BUFS_IN = 13;
    public static final int V_BUFS_OUT = 14;
    /** Or-ed into an argument's tag: send this slot's value back in the reply. */
    public static final int F_BACK = 0x80;

    private Protocol() {
    }

    /** The banner line this version sends. */
    public static byte[] banner() {
        return (BANNER_PREFIX + VERSION + "\n").getBytes(StandardCharsets.US_ASCII);
    }
}
