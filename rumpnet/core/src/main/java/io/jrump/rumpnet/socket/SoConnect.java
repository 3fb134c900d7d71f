package io.jrump.rumpnet.socket;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sync.KMutex;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;

/**
 * Giving a socket its addresses: {@code sobind}, {@code soconnect} with the wait of {@code sys_connect},
 * and {@code sodisconnect} (NetBSD {@code uipc_socket.c}, {@code uipc_syscalls.c}).
 */
public final class SoConnect {
    private SoConnect() {
    }

    /** {@code sobind}: EAFNOSUPPORT for an address of another family; the rest is the protocol's. */
    public static void sobind(Socket so, SockAddr nam, Lwp l) throws ErrnoException {
        KMutex lock = so.lock();
        lock.enter();
        try {
            checkFamily(so, nam);
            so.protosw().bind(so, nam, l);
        } finally {
            lock.exit();
        }
    }

    private static void checkFamily(Socket so, SockAddr nam) throws ErrnoException {
        if (nam.family != so.domain().family()) {
            throw new ErrnoException(Errno.EAFNOSUPPORT, "address family " + nam.family + " on a "
                    + so.domain().name() + " socket");
        }
    }

    /**
     * {@code connect(2)}: starts the connection and, unless {@code nbio}, waits until it is up or has
     * failed. EINVAL on a listening socket, EALREADY while a connection is in progress, EISCONN on a
     * connected stream; a connected datagram socket is disconnected first, and an AF_UNSPEC address
     * only disconnects it (POSIX). A non-blocking connection that the protocol cannot complete at once
     * is EINPROGRESS; its outcome is then POLLOUT and {@code SO_ERROR}. A wait interrupted by the lwp's
     * death is EINTR and the connection goes on, as BSD's does.
     */
    public static void soconnect(Socket so, SockAddr nam, boolean nbio, Lwp l) throws ErrnoException {
        Protosw pr = so.protosw();
        boolean stream = (pr.flags() & Protosw.PR_CONNREQUIRED) != 0;
        KMutex lock = so.lock();
        lock.enter();
        try {
            if (so.isListening()) {
                throw new ErrnoException(Errno.EINVAL, "connect on a listening socket");
            }
            if (so.hasState(Socket.SS_ISCONNECTING)) {
                throw new ErrnoException(Errno.EALREADY);
            }
            if (so.hasState(Socket.SS_ISCONNECTED)) {
                if (stream) {
                    throw new ErrnoException(Errno.EISCONN);
                }
                try {
                    sodisconnect(so);
                } catch (ErrnoException e) {
                    throw new ErrnoException(Errno.EISCONN, "cannot disconnect: " + e.getMessage());
                }
            }
            if (!stream && nam.family == SocketDefs.AF_UNSPEC) {
                return;
            }
            checkFamily(so, nam);
            pr.connect(so, nam, l);
            if (so.hasState(Socket.SS_ISCONNECTING) && nbio) {
                throw new ErrnoException(Errno.EINPROGRESS);
            }
            while (so.hasState(Socket.SS_ISCONNECTING) && so.error() == 0) {
                int r = so.awaitState(Long.MAX_VALUE);
                if (r != 0) {
                    throw new ErrnoException(r);
                }
            }
            if (so.error() != 0) {
                throw new ErrnoException(so.takeError());
            }
        } finally {
            lock.exit();
        }
    }

    /** {@code sodisconnect}, lock held: ENOTCONN if not connected, EALREADY while disconnecting. */
    static void sodisconnect(Socket so) throws ErrnoException {
        if (!so.hasState(Socket.SS_ISCONNECTED)) {
            throw new ErrnoException(Errno.ENOTCONN);
        }
        if (so.hasState(Socket.SS_ISDISCONNECTING)) {
            throw new ErrnoException(Errno.EALREADY);
        }
        so.protosw().disconnect(so);
    }
}
