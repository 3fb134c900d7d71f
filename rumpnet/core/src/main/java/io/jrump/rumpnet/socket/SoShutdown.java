package io.jrump.rumpnet.socket;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sync.KMutex;
import io.jrump.kern.syscall.SocketDefs;

/**
 * {@code soshutdown} (NetBSD {@code uipc_socket.c}): closing one or both directions without closing
 * the descriptor. Shutting the read side discards queued input and makes reads return 0
 * ({@code sorflush}); shutting the write side makes writes fail with EPIPE and lets the protocol tell
 * the peer (TCP's FIN), after which the peer reads end of stream.
 */
public final class SoShutdown {
    private SoShutdown() {
    }

    /** {@code how} is {@code SHUT_RD}, {@code SHUT_WR} or {@code SHUT_RDWR}, else EINVAL. */
    public static void soshutdown(Socket so, int how) throws ErrnoException {
        if (how < SocketDefs.SHUT_RD || how > SocketDefs.SHUT_RDWR) {
            throw new ErrnoException(Errno.EINVAL, "shutdown how " + how);
        }
        KMutex lock = so.lock();
        lock.enter();
        try {
            if (how != SocketDefs.SHUT_WR) {
                so.cantRcvMore();
                so.rcv.flush();
            }
            if (how != SocketDefs.SHUT_RD) {
                so.cantSendMore();
                if (so.pcb() != null) {
                    so.protosw().shutdown(so);
                }
            }
        } finally {
            lock.exit();
        }
    }
}
