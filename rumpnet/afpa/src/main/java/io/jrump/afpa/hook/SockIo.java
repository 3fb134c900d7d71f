package io.jrump.afpa.hook;

import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.socket.Socket;

/**
 * The locked socket I/O the hook mode does from an upcall, a callout or its softint, with the
 * connection's lock held (issue 17's hazard: {@code sosend} from an upcall would take the lock again),
 * on the socket layer's calls for kernel consumers. Received bytes are looked at in place and taken only
 * once the accelerator answers the request they belong to, so that a connection passed to the user-level
 * server keeps them.
 */
final class SockIo {
    private SockIo() {
    }

    /** Copies up to {@code len} received bytes from {@code off} into {@code dst}; returns how many. */
    static int peek(Socket so, int off, byte[] dst, int dstOff, int len) {
        return Math.max(0, so.peekLocked(off, dst, dstOff, len));
    }

    /** Takes {@code n} received bytes (a request answered); the protocol may open its window. */
    static void consume(Socket so, int n) {
        while (n > 0) {
            Mbuf m = so.receiveLocked(n);
            if (m == null) {
                return;
            }
            int got = 0;
            for (Mbuf x = m; x != null; x = x.next()) {
                got += x.len();
            }
            so.mbufs().freeChain(m);
            n -= got;
        }
    }

    /** Queues {@code chain} for sending; never sleeps. 0, or the errno of a connection that cannot send. */
    static int send(Socket so, Mbuf chain) {
        return so.sendLocked(chain);
    }
}
