package io.jrump.rumpclient;

import static io.jrump.kern.syscall.SyscallNumbers.*;
import static io.jrump.kern.syscall.sp.Protocol.*;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.module.ModStat;
import io.jrump.kern.file.PollFd;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SyscallArgs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.kern.sysctl.SysctlEntry;
import io.jrump.kern.syscall.sp.ArgCodecs;
import io.jrump.hypercall.sp.SpUrl;
import io.jrump.kern.syscall.sp.Values;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * A program's system calls run in a remote rump kernel ({@code librumpclient}): the same
 * {@link Syscalls} interface local callers get from {@code kernel.syscalls()}, so a program written
 * against it runs unchanged in-process or through {@code RUMP_SERVER}. Each method sends its call by
 * number, with the arguments laid out as the kernel's own implementation lays them out, and the server
 * runs it through the kernel's syscall table as this client's process; errors come back as the kernel's
 * {@link ErrnoException}s, with its errno and text.
 *
 * <p>Buffers move at most {@link io.jrump.sysproxy.Protocol#MAX_DATA} bytes per call: a larger read or
 * write is short, as a socket's may be anyway. Any number of threads may call at once; each blocks only
 * itself. When the connection is lost every call fails with ENOTCONN and says why. ioctl arguments other
 * than ints, int arrays and socket addresses need a codec in the {@link ArgCodecs} the client (and the
 * server) use; without one the call fails with EFAULT before it is sent.
 */
public final class RumpClient implements Syscalls, AutoCloseable {
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

    private ClientCall begin(int sysno) {
        return calls.get().reset(T_SYSCALL, sysno);
    }

    private long call(ClientCall c) throws ErrnoException {
        return conn.call(c);
    }

    @Override
    public long syscall(int number, SyscallArgs args) throws ErrnoException {
        ClientCall c = begin(number);
        for (int k = 0; k < MAX_ARGS; k++) {
            c.i[k] = args.i[k];
            Object v = args.o[k];
            if (v instanceof ByteBuffer b) {
                c.buffer(k, b, BufferDirections.kernelFills(number, k));
            } else {
                c.arg(k, v, Values.mutable(v, conn.codecs()));
            }
        }
        long r = call(c);
        args.result = c.result;
        return r;
    }

    @Override
    public int getpid() throws ErrnoException {
        return (int) call(begin(SYS_getpid));
    }

    @Override
    public int getppid() throws ErrnoException {
        return (int) call(begin(SYS_getppid));
    }

    @Override
    public int getuid() throws ErrnoException {
        return (int) call(begin(SYS_getuid));
    }

    @Override
    public int geteuid() throws ErrnoException {
        return (int) call(begin(SYS_geteuid));
    }

    @Override
    public int getgid() throws ErrnoException {
        return (int) call(begin(SYS_getgid));
    }

    @Override
    public int getegid() throws ErrnoException {
        return (int) call(begin(SYS_getegid));
    }

    @Override
    public int read(int fd, ByteBuffer dst) throws ErrnoException {
        ClientCall c = begin(SYS_read);
        c.i[0] = fd;
        c.buffer(1, dst, true);
        return (int) call(c);
    }

    @Override
    public int write(int fd, ByteBuffer src) throws ErrnoException {
        ClientCall c = begin(SYS_write);
        c.i[0] = fd;
        c.buffer(1, src, false);
        return (int) call(c);
    }

    @Override
    public void close(int fd) throws ErrnoException {
        ClientCall c = begin(SYS_close);
        c.i[0] = fd;
        call(c);
    }

    @Override
    public int dup(int fd) throws ErrnoException {
        ClientCall c = begin(SYS_dup);
        c.i[0] = fd;
        return (int) call(c);
    }

    @Override
    public int dup2(int from, int to) throws ErrnoException {
        ClientCall c = begin(SYS_dup2);
        c.i[0] = from;
        c.i[1] = to;
        return (int) call(c);
    }

    @Override
    public long ioctl(int fd, long cmd, Object arg) throws ErrnoException {
        ClientCall c = begin(SYS_ioctl);
        c.i[0] = fd;
        c.i[1] = cmd;
        if (arg instanceof ByteBuffer b) {
            c.buffer(2, b, false);
        } else {
            c.arg(2, arg, Values.mutable(arg, conn.codecs()));
        }
        return call(c);
    }

    @Override
    public int fcntl(int fd, int cmd, int arg) throws ErrnoException {
        ClientCall c = begin(SYS_fcntl);
        c.i[0] = fd;
        c.i[1] = cmd;
        c.i[2] = arg;
        return (int) call(c);
    }

    @Override
    public int poll(PollFd[] fds, int timeoutMs) throws ErrnoException {
        ClientCall c = begin(SYS_poll);
        c.arg(0, fds, true);
        c.i[1] = timeoutMs;
        return (int) call(c);
    }

    @Override
    public String sysctlRead(String name) throws ErrnoException {
        ClientCall c = begin(SYS___sysctl);
        c.i[0] = SYSCTL_READ;
        c.arg(1, name, false);
        call(c);
        return (String) c.result;
    }

    @Override
    public String sysctlWrite(String name, String value) throws ErrnoException {
        ClientCall c = begin(SYS___sysctl);
        c.i[0] = SYSCTL_WRITE;
        c.arg(1, name, false);
        c.arg(2, value, false);
        call(c);
        return (String) c.result;
    }

    @Override
    public List<SysctlEntry> sysctlList(String prefix) throws ErrnoException {
        ClientCall c = begin(SYS___sysctl);
        c.i[0] = SYSCTL_LIST;
        c.arg(1, prefix, false);
        call(c);
        return listOf(c.result, SysctlEntry.class);
    }

    @Override
    public void modload(String name) throws ErrnoException {
        ClientCall c = begin(SYS_modctl);
        c.i[0] = MODCTL_LOAD;
        c.arg(1, name, false);
        call(c);
    }

    @Override
    public void modunload(String name) throws ErrnoException {
        ClientCall c = begin(SYS_modctl);
        c.i[0] = MODCTL_UNLOAD;
        c.arg(1, name, false);
        call(c);
    }

    @Override
    public List<ModStat> modstat() throws ErrnoException {
        ClientCall c = begin(SYS_modctl);
        c.i[0] = MODCTL_STAT;
        call(c);
        return listOf(c.result, ModStat.class);
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> listOf(Object v, Class<T> type) throws ErrnoException {
        if (!(v instanceof List<?> l)) {
            throw new ErrnoException(Errno.EFAULT, "the server sent no list of " + type.getSimpleName());
        }
        for (Object e : l) {
            if (!type.isInstance(e)) {
                throw new ErrnoException(Errno.EFAULT, "the server sent a " + e + " for a " + type.getSimpleName());
            }
        }
        return (List<T>) l;
    }

    /**
     * {@code reboot(2)}: the server halts its kernel and goes away, so a connection lost before the reply
     * arrives is the expected outcome, not an error.
     */
    @Override
    public void reboot(int howto) throws ErrnoException {
        ClientCall c = begin(SYS_reboot);
        c.i[0] = howto;
        try {
            call(c);
        } catch (ErrnoException e) {
            if (!c.lost) {
                throw e;
            }
        }
    }

    @Override
    public int socket(int domain, int type, int protocol) throws ErrnoException {
        ClientCall c = begin(SYS___socket30);
        c.i[0] = domain;
        c.i[1] = type;
        c.i[2] = protocol;
        return (int) call(c);
    }

    @Override
    public void bind(int fd, SockAddr addr) throws ErrnoException {
        ClientCall c = begin(SYS_bind);
        c.i[0] = fd;
        c.arg(1, addr, false);
        call(c);
    }

    @Override
    public void connect(int fd, SockAddr addr) throws ErrnoException {
        ClientCall c = begin(SYS_connect);
        c.i[0] = fd;
        c.arg(1, addr, false);
        call(c);
    }

    @Override
    public void listen(int fd, int backlog) throws ErrnoException {
        ClientCall c = begin(SYS_listen);
        c.i[0] = fd;
        c.i[1] = backlog;
        call(c);
    }

    @Override
    public int accept(int fd, SockAddr from) throws ErrnoException {
        ClientCall c = begin(SYS_accept);
        c.i[0] = fd;
        c.arg(1, from, true);
        return (int) call(c);
    }

    @Override
    public int sendto(int fd, ByteBuffer src, int flags, SockAddr to) throws ErrnoException {
        ClientCall c = begin(SYS_sendto);
        c.i[0] = fd;
        c.buffer(1, src, false);
        c.i[2] = flags;
        c.arg(3, to, false);
        return (int) call(c);
    }

    @Override
    public int recvfrom(int fd, ByteBuffer dst, int flags, SockAddr from) throws ErrnoException {
        ClientCall c = begin(SYS_recvfrom);
        c.i[0] = fd;
        c.buffer(1, dst, true);
        c.i[2] = flags;
        c.arg(3, from, true);
        return (int) call(c);
    }

    @Override
    public void shutdown(int fd, int how) throws ErrnoException {
        ClientCall c = begin(SYS_shutdown);
        c.i[0] = fd;
        c.i[1] = how;
        call(c);
    }

    @Override
    public void setsockopt(int fd, int level, int name, int value) throws ErrnoException {
        ClientCall c = begin(SYS_setsockopt);
        c.i[0] = fd;
        c.i[1] = level;
        c.i[2] = name;
        c.i[3] = value;
        call(c);
    }

    @Override
    public int getsockopt(int fd, int level, int name) throws ErrnoException {
        ClientCall c = begin(SYS_getsockopt);
        c.i[0] = fd;
        c.i[1] = level;
        c.i[2] = name;
        return (int) call(c);
    }

    @Override
    public void getsockname(int fd, SockAddr out) throws ErrnoException {
        ClientCall c = begin(SYS_getsockname);
        c.i[0] = fd;
        c.arg(1, out, true);
        call(c);
    }

    @Override
    public void getpeername(int fd, SockAddr out) throws ErrnoException {
        ClientCall c = begin(SYS_getpeername);
        c.i[0] = fd;
        c.arg(1, out, true);
        call(c);
    }
}
