package io.jrump.netinet.tdi;

import io.jrump.kern.syscall.SockAddr;
import io.jrump.rumpnet.mbuf.Mbuf;

/**
 * A client's event callbacks on a {@link TdiAddress} (TDI's {@code TDI_EVENT_CONNECT},
 * {@code TDI_EVENT_RECEIVE} and {@code TDI_EVENT_DISCONNECT}, seed {@code 001_4c2098c7f46ed350}).
 * All run in the network softint and must not sleep; see the package comment for what they may do.
 * An exception one throws is logged and treated as the neutral answer (null, nothing taken).
 */
public interface TdiEventHandler {
    /**
     * A SYN arrived on the address's port from {@code peer}, for a connection nobody knows yet. The
     * client returns an accept request, whose completion routine is called once the handshake
     * completes (with the connection, which {@code accept} never sees) or fails; or null, and the
     * connection goes to the user-level listener's accept queue as usual. The listening socket's lock
     * is held: no connection exists to send on yet.
     */
    TdiAcceptRequest connectEvent(TdiAddress address, SockAddr peer);

    /**
     * Data arrived on {@code c}. {@code data} is the receive buffer's chain, {@code available} bytes
     * long, valid only during the call and never to be freed or kept; its first {@code indicated} bytes
     * were shown before and left there, so new bytes start at that offset (a request split over
     * segments is seen growing). Returns how many bytes from the front the client takes (they leave the
     * buffer, which opens the window); the rest stay, for the next event or for the user-level server
     * after {@link TdiConnection#passToUser()}.
     */
    default int receiveEvent(TdiConnection c, Mbuf data, int indicated, int available) {
        return 0;
    }

    /**
     * The connection ended from the peer's side: {@code abortive} false for its FIN (it sends no more;
     * the client may still send and then disconnect), true for a reset, a timeout or any other failure
     * (the connection is gone; its pending sends complete with the errno). Called at most once for a
     * FIN and once for the failure, never after the client disconnected or passed the connection on.
     */
    default void disconnectEvent(TdiConnection c, boolean abortive) {
    }
}
