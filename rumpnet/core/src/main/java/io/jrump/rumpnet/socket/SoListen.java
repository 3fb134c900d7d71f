package io.jrump.rumpnet.socket;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sync.KMutex;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.syscall.SockAddr;

/**
 * {@code solisten} and the kernel half of {@code accept(2)} ({@code soaccept} and the queue wait of
 * {@code do_sys_accept}, NetBSD {@code uipc_socket.c}, {@code uipc_syscalls.c}).
 */
public final class SoListen {
    private SoListen() {
    }

    /**
     * {@code listen(2)}: EINVAL on a connectionless (datagram, raw) socket or one that is connected or
     * connecting, EOPNOTSUPP for a connection protocol that cannot listen. The queue limit is the
     * backlog, negative counting as 0, capped at {@code kern.somaxconn}; listening again changes it.
     */
    public static void solisten(Socket so, int backlog, Lwp l) throws ErrnoException {
        Protosw pr = so.protosw();
        if ((pr.flags() & Protosw.PR_CONNREQUIRED) == 0) {
            throw new ErrnoException(Errno.EINVAL, "listen on a connectionless socket");
        }
        if ((pr.flags() & Protosw.PR_LISTEN) == 0) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "listen");
        }
        KMutex lock = so.lock();
        lock.enter();
        try {
            if ((so.state() & (Socket.SS_ISCONNECTED | Socket.SS_ISCONNECTING | Socket.SS_ISDISCONNECTING)) != 0) {
                throw new ErrnoException(Errno.EINVAL, "listen on a connected socket");
            }
            pr.listen(so, backlog, l);
            so.startListening(Math.min(Math.max(backlog, 0), so.sockets().somaxconn()));
        } finally {
            lock.exit();
        }
        so.sockets().listened(so);
    }

    /**
     * Takes the next completed connection of {@code head}, filling {@code from} (if not null) with the
     * peer's address. EINVAL if {@code head} is not listening, EAGAIN if non-blocking with nothing
     * queued, ECONNABORTED if the connection was reset while queued (the socket is then closed) or the
     * listener was shut down, EINTR. The socket returned belongs to the caller, who gives it a descriptor
     * or closes it.
     */
    public static Socket soaccept(Socket head, SockAddr from, boolean nbio) throws ErrnoException {
        ListenQueue q = head.listenQueue();
        if (q == null || !head.isListening()) {
            throw new ErrnoException(Errno.EINVAL, "accept on a socket that is not listening");
        }
        Socket so = q.take(nbio);
        ErrnoException failure = null;
        KMutex lock = so.lock();
        lock.enter();
        try {
            so.clearState(Socket.SS_NOFDREF);
            if (so.hasState(Socket.SS_ISDISCONNECTED) || so.pcb() == null) {
                failure = new ErrnoException(Errno.ECONNABORTED, "connection reset while queued");
            } else if (from != null) {
                try {
                    so.protosw().peeraddr(so, from);
                } catch (ErrnoException e) {
                    failure = new ErrnoException(Errno.ECONNABORTED, "peer gone: " + e.getMessage());
                }
            }
        } finally {
            lock.exit();
        }
        if (failure != null) {
            SoClose.soclose(so, true);
            throw failure;
        }
        return so;
    }
}
