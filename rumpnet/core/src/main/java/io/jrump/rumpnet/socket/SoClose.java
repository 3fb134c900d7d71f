package io.jrump.rumpnet.socket;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.sync.KMutex;

/**
 * {@code soclose} and {@code soabort} (NetBSD {@code uipc_socket.c}): what happens when the last
 * descriptor of a socket goes.
 *
 * <p>A listening socket first aborts every connection still on its queues. A connected socket then
 * ends its connection: with {@code SO_LINGER} at 0 seconds it is aborted (TCP sends a RST and drops
 * queued data); otherwise it is disconnected gracefully and, with {@code SO_LINGER} at N seconds on a
 * blocking descriptor, the close waits up to N seconds for the send buffer to drain. Then the protocol
 * detaches and the socket is freed with whatever its buffers still hold, unless the protocol keeps it
 * to finish the connection in the background (see {@link Protosw#detach}).
 */
public final class SoClose {
    private SoClose() {
    }

    /** Closes {@code so}; {@code nbio} is the descriptor's non-blocking mode, under which close never lingers. */
    public static void soclose(Socket so, boolean nbio) {
        KMutex lock = so.lock();
        lock.enter();
        try {
            closeLocked(so, nbio);
        } finally {
            lock.exit();
        }
    }

    /**
     * The body of {@link #soclose}, with {@code so}'s lock held. A listener's queued connections are
     * aborted with the lock given up meanwhile (the socket layer never holds two socket locks).
     */
    static void closeLocked(Socket so, boolean nbio) {
        KMutex lock = so.lock();
        if (so.isListening()) {
            so.setOptions(so.options() & ~io.jrump.kern.syscall.SocketDefs.SO_ACCEPTCONN);
            ListenQueue lq = so.listenQueue();
            Socket queued = lq == null ? null : lq.drain();
            if (queued != null) {
                lock.exit();
                try {
                    for (Socket c = queued; c != null; ) {
                        Socket next = ListenQueue.next(c);
                        soabort(c);
                        c = next;
                    }
                } finally {
                    lock.enter();
                }
            }
        }
        if (so.pcb() != null) {
            disconnect(so, nbio);
            if (so.pcb() != null) {
                so.protosw().detach(so);
            }
        }
        so.setState(Socket.SS_NOFDREF);
        so.sofree();
    }

    private static void disconnect(Socket so, boolean nbio) {
        Protosw pr = so.protosw();
        int linger = so.linger();
        if (linger == 0) {
            pr.abort(so);
            return;
        }
        if (!so.hasState(Socket.SS_ISCONNECTED)) {
            return;
        }
        if (!so.hasState(Socket.SS_ISDISCONNECTING)) {
            try {
                SoConnect.sodisconnect(so);
            } catch (ErrnoException e) {
                return;
            }
        }
        if (linger < 0 || nbio) {
            return;
        }
        long deadline = so.kernel().hypercall().clock().monotonicNanos() + linger * 1_000_000_000L;
        while (so.hasState(Socket.SS_ISCONNECTED) && so.snd.cc() > 0) {
            if (so.snd.await(deadline) != 0) {
                return;
            }
        }
    }

    /**
     * {@code soabort}: drops a connection nobody has a descriptor for (queued on a closing listener),
     * taking its lock: {@link Protosw#abort}, then detach and free.
     */
    public static void soabort(Socket so) {
        KMutex lock = so.lock();
        lock.enter();
        try {
            abortLocked(so);
        } finally {
            lock.exit();
        }
    }

    /** The body of {@link #soabort}, with {@code so}'s lock held. */
    static void abortLocked(Socket so) {
        if (so.pcb() != null) {
            so.protosw().abort(so);
        }
        if (so.pcb() != null) {
            so.protosw().detach(so);
        }
        so.setState(Socket.SS_NOFDREF);
        so.sofree();
    }
}
