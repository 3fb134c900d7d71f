package io.jrump.rumpnet.socket;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.FileOps;
import io.jrump.kern.file.KFile;
import io.jrump.kern.sync.KMutex;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.file.Poll;
import io.jrump.kern.file.SelInfo;
import io.jrump.kern.syscall.SocketDefs;
import java.nio.ByteBuffer;

/**
 * The file operations of a socket descriptor ({@code socketops}, NetBSD {@code sys_socket.c}):
 * {@code read}/{@code write} are {@code soreceive}/{@code sosend} without flags, and {@code poll},
 * {@code ioctl} and {@code close} are the socket's.
 */
public final class SocketFileOps implements FileOps {
    private static final int READ_EVENTS = Poll.POLLIN | Poll.POLLRDNORM;
    private static final int WRITE_EVENTS = Poll.POLLOUT | Poll.POLLWRNORM;

    SocketFileOps() {
    }

    private static Socket socket(KFile fp) {
        return (Socket) fp.data();
    }

    @Override
    public int read(KFile fp, ByteBuffer dst) throws ErrnoException {
        Socket so = socket(fp);
        return SoReceive.count(SoReceive.soreceive(so, null, dst, 0, fp.nonBlocking(), so.kernel().curlwp()));
    }

    @Override
    public int write(KFile fp, ByteBuffer src) throws ErrnoException {
        Socket so = socket(fp);
        return SoSend.sosend(so, null, src, 0, fp.nonBlocking(), so.kernel().curlwp());
    }

    /**
     * {@code FIONREAD} stores in {@code int[0]} the bytes a read would return now: the queued bytes of a
     * stream, and for a datagram socket the length of the first datagram (as Linux answers, and what a
     * caller sizing its buffer needs; NetBSD answers all queued bytes). {@code FIONBIO} was applied by
     * the descriptor layer. Interface requests go to the {@link IfIoctlHook} service if one is
     * registered and handles them; anything else to the protocol.
     */
    @Override
    public long ioctl(KFile fp, long cmd, Object arg) throws ErrnoException {
        Socket so = socket(fp);
        if (cmd == SocketDefs.FIONBIO) {
            return 0;
        }
        KMutex lock = so.lock();
        if (cmd == SocketDefs.FIONREAD) {
            if (!(arg instanceof int[] out) || out.length == 0) {
                throw new ErrnoException(Errno.EFAULT, "FIONREAD needs an int[1]");
            }
            lock.enter();
            try {
                if (so.pcb() != null) {
                    so.protosw().rcvsync(so, false);
                }
                out[0] = (so.protosw().flags() & Protosw.PR_ATOMIC) != 0 ? so.rcv.firstRecordLength() : so.rcv.cc();
            } finally {
                lock.exit();
            }
            return 0;
        }
        Lwp l = so.kernel().curlwp();
        IfIoctlHook hook = so.kernel().service(IfIoctlHook.class);
        if (hook != null && hook.handles(cmd)) {
            Cred cred = l != null ? l.proc().cred() : so.cred();
            hook.ioctl(cmd, arg, cred);
            return 0;
        }
        lock.enter();
        try {
            return so.protosw().ioctl(so, cmd, arg, l);
        } finally {
            lock.exit();
        }
    }

    /**
     * Readable ({@code soreadable}): at least the low-water mark queued, a datagram queued (even an
     * empty one), end of input, a pending error, or a completed connection to accept. Writable
     * ({@code sowritable}): at least the send low-water mark of space on a connected or connectionless
     * socket, or the write side closed, or an error. POLLHUP when both directions of a connection are
     * closed (then no POLLOUT, as POSIX has it, unless an error is pending: a failed non-blocking
     * {@code connect} shows POLLOUT, POLLERR and POLLHUP, as on Linux), POLLERR while an error is
     * pending; both are reported unasked. A poll for input first lets the protocol bring in data it
     * holds outside the buffer and, when the caller may sleep, resume reporting arrivals
     * ({@link Protosw#rcvsync}).
     */
    @Override
    public int poll(KFile fp, int events, SelInfo.Waiter waiter) {
        Socket so = socket(fp);
        if (waiter != null) {
            so.selinfo().register(waiter);
        }
        int revents = 0;
        KMutex lock = so.lock();
        lock.enter();
        try {
            Protosw pr = so.protosw();
            if ((events & READ_EVENTS) != 0 && so.pcb() != null) {
                pr.rcvsync(so, waiter != null);
            }
            int st = so.state();
            boolean err = so.error() != 0;
            boolean readable = so.rcv.cc() >= so.rcv.lowat()
                    || (pr.flags() & Protosw.PR_ATOMIC) != 0 && so.rcv.first() != null
                    || (st & Socket.SS_CANTRCVMORE) != 0 || err || so.qlen() > 0;
            boolean writable = so.snd.space() >= so.snd.lowat()
                    && ((st & Socket.SS_ISCONNECTED) != 0 || (pr.flags() & Protosw.PR_CONNREQUIRED) == 0)
                    || (st & Socket.SS_CANTSENDMORE) != 0 || err;
            boolean hup = (pr.flags() & Protosw.PR_CONNREQUIRED) != 0
                    && (st & (Socket.SS_CANTRCVMORE | Socket.SS_CANTSENDMORE))
                    == (Socket.SS_CANTRCVMORE | Socket.SS_CANTSENDMORE);
            if (readable) {
                revents |= events & READ_EVENTS;
            }
            if (hup) {
                revents |= Poll.POLLHUP;
            }
            if (writable && (!hup || err)) {
                revents |= events & WRITE_EVENTS;
            }
            if (err) {
                revents |= Poll.POLLERR;
            }
        } finally {
            lock.exit();
        }
        if (revents != 0 && waiter != null) {
            so.selinfo().unregister(waiter);
        }
        return revents;
    }

    @Override
    public void close(KFile fp) {
        SoClose.soclose(socket(fp), fp.nonBlocking());
    }

    @Override
    public char kind() {
        return 's';
    }
}
