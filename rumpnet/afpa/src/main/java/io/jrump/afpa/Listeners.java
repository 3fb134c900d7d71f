package io.jrump.afpa;

import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.rumpnet.socket.Socket;
import io.jrump.rumpnet.socket.Sockets;

/**
 * Finds the user-level server's listening socket on a port, the one both modes attach to. The accelerator
 * never listens by itself: as in both seeds it sits in front of a server that runs anyway, so with no
 * server on the port a client is refused exactly as without the accelerator, and the server can always
 * bind its port whether the accelerator was enabled first or not.
 */
public final class Listeners {
    private Listeners() {
    }

    /** The TCP socket listening on {@code port} for every local address, or null. */
    public static Socket find(Kernel k, int port) {
        Sockets sockets = k.service(Sockets.class);
        if (sockets == null) {
            return null;
        }
        SockAddr a = new SockAddr();
        for (Socket s : sockets.list()) {
            if (listensOn(s, port, a)) {
                return s;
            }
        }
        return null;
    }

    /** Whether {@code s} is a live TCP listener on {@code port}; {@code scratch} takes its address. */
    public static boolean listensOn(Socket s, int port, SockAddr scratch) {
        if (!s.isListening() || s.isFreed() || s.type() != SocketDefs.SOCK_STREAM
                || s.domain().family() != SocketDefs.AF_INET || s.protosw().protocol() != SocketDefs.IPPROTO_TCP) {
            return false;
        }
        s.protosw().sockaddr(s, scratch);
        return scratch.port == port;
    }

    /** Whether {@code l} still listens (the user-level server has not closed it). */
    public static boolean alive(Socket l) {
        return l != null && !l.isFreed() && l.isListening();
    }
}
