package io.jrump.rumpnet.socket;

import static io.jrump.kern.syscall.SyscallNumbers.*;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.FileTable;
import io.jrump.kern.file.KFile;
import io.jrump.kern.sync.KMutex;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.SyscallArgs;
import io.jrump.kern.syscall.SyscallTable;
import java.nio.ByteBuffer;

/**
 * The socket system calls ({@code uipc_syscalls.c}): argument decoding as
 * {@link io.jrump.kern.syscall.Syscalls} lays the arguments out, descriptor lookup (EBADF, ENOTSOCK for a
 * descriptor that is not a socket) and the descriptors {@code socket} and {@code accept} make. The
 * work itself is in {@link SoCreate}, {@link SoConnect}, {@link SoListen}, {@link SoSend},
 * {@link SoReceive}, {@link SoShutdown} and {@link SocketOptions}.
 *
 * <p>{@code sendmsg}/{@code recvmsg} take {@code sendto}/{@code recvfrom}'s arguments (no control
 * data); {@code recvmsg} leaves its {@code msg_flags} in {@link SyscallArgs#result} as an Integer.
 */
final class SocketSyscalls {
    static final String OWNER = "rumpnet";
    private final Sockets sockets;

    SocketSyscalls(Sockets sockets) {
        this.sockets = sockets;
    }

    void register(SyscallTable t) {
        t.register(SYS___socket30, "__socket30", OWNER, this::socket);
        t.register(SYS_bind, "bind", OWNER, this::bind);
        t.register(SYS_connect, "connect", OWNER, this::connect);
        t.register(SYS_listen, "listen", OWNER, this::listen);
        t.register(SYS_accept, "accept", OWNER, this::accept);
        t.register(SYS_sendto, "sendto", OWNER, this::sendto);
        t.register(SYS_sendmsg, "sendmsg", OWNER, this::sendto);
        t.register(SYS_recvfrom, "recvfrom", OWNER, (l, a) -> recvfrom(l, a, false));
        t.register(SYS_recvmsg, "recvmsg", OWNER, (l, a) -> recvfrom(l, a, true));
        t.register(SYS_shutdown, "shutdown", OWNER, this::shutdown);
        t.register(SYS_setsockopt, "setsockopt", OWNER, this::setsockopt);
        t.register(SYS_getsockopt, "getsockopt", OWNER, this::getsockopt);
        t.register(SYS_getsockname, "getsockname", OWNER, (l, a) -> sockname(l, a, false));
        t.register(SYS_getpeername, "getpeername", OWNER, (l, a) -> sockname(l, a, true));
    }

    /** The file behind {@code fd}, held; ENOTSOCK (and released) if it is not a socket. */
    private static KFile getsock(FileTable ft, long fd) throws ErrnoException {
        KFile fp = ft.get((int) fd);
        if (!(fp.ops() instanceof SocketFileOps) || !(fp.data() instanceof Socket)) {
            ft.put(fp);
            throw new ErrnoException(Errno.ENOTSOCK);
        }
        return fp;
    }

    private static Socket so(KFile fp) {
        return (Socket) fp.data();
    }

    private static SockAddr addr(SyscallArgs a, int idx) throws ErrnoException {
        if (!(a.o[idx] instanceof SockAddr s)) {
            throw new ErrnoException(Errno.EFAULT, "no socket address");
        }
        return s;
    }

    private static ByteBuffer buffer(SyscallArgs a, int idx) throws ErrnoException {
        if (!(a.o[idx] instanceof ByteBuffer b)) {
            throw new ErrnoException(Errno.EFAULT, "no buffer");
        }
        return b;
    }

    /**
     * Gives {@code so} a descriptor. ENFILE when the kernel's memory limit leaves no room for the open
     * file ({@link KFile#alloc}), EMFILE when the process's table is full; either way the socket is
     * closed (an accepted connection is reset, where NetBSD's {@code accept} would leave it queued).
     */
    private int install(Lwp l, Socket so, int fflags) throws ErrnoException {
        KFile fp;
        try {
            fp = KFile.alloc(sockets.kernel(), sockets.fileOps(), so, fflags);
        } catch (ErrnoException e) {
            SoClose.soclose(so, true);
            throw e;
        }
        try {
            return l.proc().files().install(fp);
        } catch (ErrnoException e) {
            fp.dispose();
            throw e;
        }
    }

    /** {@code socket(2)}: SOCK_NONBLOCK makes the descriptor non-blocking; SOCK_CLOEXEC is accepted. */
    private long socket(Lwp l, SyscallArgs a) throws ErrnoException {
        int type = (int) a.i[1];
        int fflags = type & (SocketDefs.SOCK_NONBLOCK | SocketDefs.SOCK_CLOEXEC);
        type &= ~(SocketDefs.SOCK_NONBLOCK | SocketDefs.SOCK_CLOEXEC);
        Socket so = SoCreate.socreate(sockets, (int) a.i[0], type, (int) a.i[2], l.proc().cred(), l.proc().pid());
        return install(l, so, (fflags & SocketDefs.SOCK_NONBLOCK) != 0 ? KFile.O_NONBLOCK : 0);
    }

    private long bind(Lwp l, SyscallArgs a) throws ErrnoException {
        SockAddr nam = addr(a, 1);
        FileTable ft = l.proc().files();
        KFile fp = getsock(ft, a.i[0]);
        try {
            SoConnect.sobind(so(fp), nam, l);
            return 0;
        } finally {
            ft.put(fp);
        }
    }

    private long connect(Lwp l, SyscallArgs a) throws ErrnoException {
        SockAddr nam = addr(a, 1);
        FileTable ft = l.proc().files();
        KFile fp = getsock(ft, a.i[0]);
        try {
            SoConnect.soconnect(so(fp), nam, fp.nonBlocking(), l);
            return 0;
        } finally {
            ft.put(fp);
        }
    }

    private long listen(Lwp l, SyscallArgs a) throws ErrnoException {
        FileTable ft = l.proc().files();
        KFile fp = getsock(ft, a.i[0]);
        try {
            SoListen.solisten(so(fp), (int) a.i[1], l);
            return 0;
        } finally {
            ft.put(fp);
        }
    }

    /** {@code accept(2)}: the new descriptor is blocking whatever the listener's mode, as BSD's is. */
    private long accept(Lwp l, SyscallArgs a) throws ErrnoException {
        SockAddr from = a.o[1] instanceof SockAddr s ? s : null;
        FileTable ft = l.proc().files();
        KFile fp = getsock(ft, a.i[0]);
        try {
            Socket so = SoListen.soaccept(so(fp), from, fp.nonBlocking());
            return install(l, so, 0);
        } finally {
            ft.put(fp);
        }
    }

    private long sendto(Lwp l, SyscallArgs a) throws ErrnoException {
        ByteBuffer src = buffer(a, 1);
        SockAddr to = a.o[3] instanceof SockAddr s ? s : null;
        FileTable ft = l.proc().files();
        KFile fp = getsock(ft, a.i[0]);
        try {
            return SoSend.sosend(so(fp), to, src, (int) a.i[2], fp.nonBlocking(), l);
        } finally {
            ft.put(fp);
        }
    }

    private long recvfrom(Lwp l, SyscallArgs a, boolean msg) throws ErrnoException {
        ByteBuffer dst = buffer(a, 1);
        SockAddr from = a.o[3] instanceof SockAddr s ? s : null;
        FileTable ft = l.proc().files();
        KFile fp = getsock(ft, a.i[0]);
        try {
            long r = SoReceive.soreceive(so(fp), from, dst, (int) a.i[2], fp.nonBlocking(), l);
            if (msg) {
                a.result = SoReceive.msgFlags(r);
            }
            return SoReceive.count(r);
        } finally {
            ft.put(fp);
        }
    }

    private long shutdown(Lwp l, SyscallArgs a) throws ErrnoException {
        FileTable ft = l.proc().files();
        KFile fp = getsock(ft, a.i[0]);
        try {
            SoShutdown.soshutdown(so(fp), (int) a.i[1]);
            return 0;
        } finally {
            ft.put(fp);
        }
    }

    private long setsockopt(Lwp l, SyscallArgs a) throws ErrnoException {
        FileTable ft = l.proc().files();
        KFile fp = getsock(ft, a.i[0]);
        try {
            SocketOptions.setsockopt(so(fp), (int) a.i[1], (int) a.i[2], (int) a.i[3]);
            return 0;
        } finally {
            ft.put(fp);
        }
    }

    private long getsockopt(Lwp l, SyscallArgs a) throws ErrnoException {
        FileTable ft = l.proc().files();
        KFile fp = getsock(ft, a.i[0]);
        try {
            return SocketOptions.getsockopt(so(fp), (int) a.i[1], (int) a.i[2]);
        } finally {
            ft.put(fp);
        }
    }

    /** {@code getsockname}/{@code getpeername}; the latter is ENOTCONN unless connected. */
    private long sockname(Lwp l, SyscallArgs a, boolean peer) throws ErrnoException {
        SockAddr out = addr(a, 1);
        FileTable ft = l.proc().files();
        KFile fp = getsock(ft, a.i[0]);
        try {
            Socket so = so(fp);
            KMutex lock = so.lock();
            lock.enter();
            try {
                if (peer && (so.state() & (Socket.SS_ISCONNECTED | Socket.SS_ISCONFIRMING)) == 0) {
                    throw new ErrnoException(Errno.ENOTCONN);
                }
                if (so.pcb() == null) {
                    throw new ErrnoException(Errno.EINVAL, "socket has no protocol state");
                }
                if (peer) {
                    so.protosw().peeraddr(so, out);
                } else {
                    so.protosw().sockaddr(so, out);
                }
                return 0;
            } finally {
                lock.exit();
            }
        } finally {
            ft.put(fp);
        }
    }
}
