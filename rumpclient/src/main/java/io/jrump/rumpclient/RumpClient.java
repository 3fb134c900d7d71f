package io.jrump.rumpclient;

import static io.jrump.kern.syscall.sp.Protocol.*;

import io.jrump.hypercall.Errno;
import io.jrump.hypercall.sp.SpUrl;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SyscallArgs;
import io.jrump.kern.syscall.SyscallRow;
import io.jrump.kern.syscall.SyscallStubs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.kern.syscall.sp.ArgCodecs;
import java.io.IOException;
import java.util.Map;

/**
 * A program's system calls run in a remote rump kernel ({@code librumpclient}): the same
 * {@link Syscalls} interface local callers get from {@code kernel.syscalls()}, so a program written
 * against it runs unchanged in-process or through {@code RUMP_SERVER}. The methods are the generated
 * {@link SyscallStubs}, the same that marshal a local call; this class binds them to a connection: it
 * sends each call by number with its {@link SyscallArgs} slots, each object encoded as its
 * {@link SyscallRow} argument says, and the server runs it through the kernel's syscall table as this
 * client's process; errors come back as the kernel's {@link ErrnoException}s, with its errno and text.
 *
 * <p>Buffers move at most {@link io.jrump.kern.syscall.sp.Protocol#MAX_DATA} bytes per call: a larger
 * read or write is short, as a socket's may be anyway. A buffer the kernel fills whole (a sysctl table,
 * {@link #sysctlGet}) moves up to {@link io.jrump.kern.syscall.sp.Protocol#MAX_TABLE} bytes. Any number of threads may call at once; each blocks only
 * itself. When the connection is lost every call fails with ENOTCONN and says why. ioctl arguments other
 * than ints, int arrays and socket addresses need a codec in the {@link ArgCodecs} the client (and the
 * server) use; without one the call fails with EFAULT before it is sent.
 */
public final class RumpClient extends SyscallStubs<ClientCall> implements AutoCloseable {
    /** The environment variable that names the server, as in NetBSD. */
    public static final String RUMP_SERVER = "RUMP_SERVER";
    private final ClientConnection conn;
    private final ThreadLocal<ClientCall> calls = ThreadLocal.withInitial(ClientCall::new);
    private final int pid;
    private volatile String progname;

    private RumpClient(ClientConnection conn, int pid, String progname) {
        this.conn = conn;
        this.pid = pid;
        this.progname = progname;
    }

    /** Connects to the server at {@code url} as a new process named {@code progname}. */
    public static RumpClient connect(String url, String progname) throws IOException {
        return connect(url, progname, ArgCodecs.standard());
    }

    public static RumpClient connect(String url, String progname, ArgCodecs codecs) throws IOException {
        SpUrl u;
        try {
            u = SpUrl.parse(url);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        return handshake(ClientConnection.open(u, codecs), HS_NEW, progname, null);
    }

    /** Connects to the server {@code RUMP_SERVER} names; a clear error if it is unset or nobody answers. */
    public static RumpClient fromEnvironment(String progname) throws IOException {
        return fromEnvironment(System.getenv(), progname);
    }

    public static RumpClient fromEnvironment(Map<String, String> env, String progname) throws IOException {
        String url = env.get(RUMP_SERVER);
        if (url == null || url.isBlank()) {
            throw new IOException(RUMP_SERVER + " is not set: start a rump_server and set " + RUMP_SERVER
                    + " to its URL, such as unix:///tmp/rumpsock");
        }
        return connect(url.trim(), progname);
    }

    private static RumpClient handshake(ClientConnection c, int kind, String progname, byte[] cookie)
            throws IOException {
        ClientCall call = new ClientCall().reset(T_HANDSHAKE, 0);
        call.hsKind = kind;
        call.progname = progname;
        call.cookie = cookie;
        try {
            long pid = c.call(call);
            return new RumpClient(c, (int) pid, progname);
        } catch (ErrnoException e) {
            c.close();
            throw new IOException("rump server " + c.url() + " refused the connection: " + e.getMessage(), e);
        }
    }

    /** This client's process id in the kernel. */
    public int pid() {
        return pid;
    }

    public String progname() {
        return progname;
    }

    public String url() {
        return conn.url().toString();
    }

    public boolean isOpen() {
        return conn.isOpen();
    }

    /**
     * {@code fork}: a new connection whose process is a child of this one with a copy of its descriptor
     * table (the open files themselves are shared), as {@code rumpclient_fork} gives a forked program.
     * The server authorises it by a one-time cookie this connection obtains first.
     */
    public RumpClient fork() throws IOException, ErrnoException {
        ClientCall c = calls.get().reset(T_PREFORK, 0);
        conn.call(c);
        if (!(c.result instanceof byte[] cookie) || cookie.length != COOKIE_LEN) {
            throw new ErrnoException(Errno.EFAULT, "the server sent no fork cookie");
        }
        return handshake(ClientConnection.open(conn.url(), conn.codecs()), HS_FORK, progname, cookie);
    }

    /** {@code exec}: the process keeps its pid and descriptors and takes the new program name. */
    public void exec(String newProgname) throws ErrnoException {
        ClientCall c = calls.get().reset(T_HANDSHAKE, 0);
        c.hsKind = HS_EXEC;
        c.progname = newProgname;
        conn.call(c);
        this.progname = newProgname;
    }

    /** Closes the connection: the server ends the process, closing its descriptors. */
    @Override
    public void close() {
        conn.close();
    }

    @Override
    protected ClientCall enter(int number) {
        return calls.get().reset(T_SYSCALL, number);
    }

    @Override
    protected SyscallArgs args(ClientCall c) {
        return c.args;
    }

    /**
     * Sends the call and applies the reply. For a row that halts the kernel ({@code reboot}) the server
     * goes away as the call returns, so a connection lost before the reply is the expected outcome.
     */
    @Override
    protected long invoke(int number, ClientCall c) throws ErrnoException {
        try {
            return conn.call(c);
        } catch (ErrnoException e) {
            SyscallRow row = SyscallRow.of(number);
            if (c.lost && row != null && row.halts()) {
                return 0;
            }
            throw e;
        }
    }

    @Override
    public long syscall(int number, SyscallArgs args) throws ErrnoException {
        ClientCall c = enter(number);
        System.arraycopy(args.i, 0, c.args.i, 0, MAX_ARGS);
        System.arraycopy(args.o, 0, c.args.o, 0, MAX_ARGS);
        long r = invoke(number, c);
        args.result = c.args.result;
        return r;
    }
}
