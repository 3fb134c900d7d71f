package io.jrump.afpa.hook;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.socket.Socket;

/**
 * The locked socket I/O the hook mode does from an upcall, a callout or its softint, with the
 * connection's lock held (issue 17's hazard: {@code sosend} from an upcall would take the lock again).
 * Received bytes are looked at in place and taken only once the accelerator answers the request they
 * belong to, so that a connection passed to the user-level server keeps them.
 */
final class SockIo {
    private SockIo() {
    }

    /** Copies up to {@code len} received bytes from {@code off} into {@code dst}; returns how many. */
    static int peek(Socket so, int off, byte[] dst, int dstOff, int len) {
        int n = Math.min(len, so.rcv.cc() - off);
        if (n <= 0) {
            return 0;
        }
        MbufCopy.copydata(so.rcv.first(), off, n, dst, dstOff);
        return n;
    }

    /** Drops {@code n} received bytes (a request answered) and lets the protocol open its window. */
    static void consume(Socket so, int n) {
        if (n > 0) {
            so.rcv.drop(Math.min(n, so.rcv.cc()));
            so.protosw().rcvd(so, 0);
        }
    }

    /**
     * Appends {@code chain} to the send buffer and has the protocol send; never sleeps. 0, or the
     * errno of a connection that can no longer send (the chain is freed then).
     */
    static int send(Socket so, Mbuf chain) {
        if (so.hasState(Socket.SS_CANTSENDMORE) || so.pcb() == null) {
            so.mbufs().freeChain(chain);
            return Errno.EPIPE;
        }
        try {
            so.protosw().send(so, chain, null, 0, null);
            return 0;
        } catch (ErrnoException e) {
            return e.errno();
        }
    }
}
