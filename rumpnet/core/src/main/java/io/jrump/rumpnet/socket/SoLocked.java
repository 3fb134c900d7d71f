package io.jrump.rumpnet.socket;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;

/**
 * Sending and receiving for a kernel consumer that already holds the socket's lock: code running in a
 * {@link SoUpcall} or {@link SoAcceptHook}, which {@link SoSend#sosend} and {@link SoReceive#soreceive}
 * would deadlock (they take the lock, which is not reentrant) and could put to sleep. AFPA's hook mode
 * (issue 17; seed {@code 000_e72d5458a6362c1e}) parses a request and queues the response at softint level
 * in the data-arrival upcall; these calls never sleep and never wait for space or data.
 */
final class SoLocked {
    private SoLocked() {
    }

    private static void assertLocked(Socket so) {
        if (!so.lock().owned()) {
            throw new IllegalStateException("socket lock not held");
        }
    }

    /**
     * Appends {@code chain} to the send buffer through the protocol's send, which starts output; the
     * chain is consumed in every case. 0, or the errno a write would report: EPIPE once the write side is
     * shut, the pending error (taken), ENOTCONN, or the protocol's error. The caller checks
     * {@code snd.space()} first: admission is its business, as TCP's window is.
     */
    static int send(Socket so, Mbuf chain) {
        assertLocked(so);
        if (chain == null) {
            return 0;
        }
        int err = 0;
        if (so.pcb() == null || so.isFreed()) {
            err = Errno.ENOTCONN;
        } else if (so.hasState(Socket.SS_CANTSENDMORE)) {
            err = Errno.EPIPE;
        } else if (so.error() != 0) {
            err = so.takeError();
        } else if (!so.hasState(Socket.SS_ISCONNECTED)) {
            err = Errno.ENOTCONN;
        }
        if (err != 0) {
            so.mbufs().freeChain(chain);
            return err;
        }
        try {
            so.protosw().send(so, chain, null, 0, null);
            return 0;
        } catch (ErrnoException e) {
            return e.errno();
        }
    }

    /**
     * Takes up to {@code max} bytes from the front of a stream's receive buffer as a chain the caller
     * frees (null if nothing is queued), and tells a {@link Protosw#PR_WANTRCVD} protocol that room was
     * made, so that TCP may announce the opened window: at once, or, when called from the socket's own
     * upcall, when that upcall returns ({@link Socket#deferRcvd()}).
     */
    static Mbuf receive(Socket so, int max) {
        assertLocked(so);
        if (max <= 0) {
            return null;
        }
        Mbuf m = so.rcv.takeStream(max);
        if (m != null && !so.deferRcvd()) {
            rcvd(so);
        }
        return m;
    }

    /** Tells a {@link Protosw#PR_WANTRCVD} protocol that received data was taken. Lock held. */
    static void rcvd(Socket so) {
        Protosw pr = so.protosw();
        if ((pr.flags() & Protosw.PR_WANTRCVD) != 0 && so.pcb() != null) {
            pr.rcvd(so, 0);
        }
    }

    /**
     * Copies up to {@code len} received bytes from offset {@code off} of the receive buffer into
     * {@code dst} without taking them, so that they stay for a later reader (AFPA's pass-through hands the
     * connection with them to the user's server); returns the count copied, 0 past the end.
     */
    static int peek(Socket so, int off, byte[] dst, int dstOff, int len) {
        assertLocked(so);
        SockBuf sb = so.rcv;
        int n = Math.min(len, sb.cc() - off);
        if (n <= 0 || off < 0) {
            return 0;
        }
        if (sb.first().nextPkt() != null) {
            throw new IllegalStateException("peek on a buffer of records");
        }
        MbufCopy.copydata(sb.first(), off, n, dst, dstOff);
        return n;
    }
}
