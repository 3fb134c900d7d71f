package io.jrump.rumpnet.socket;

/**
 * A kernel consumer's hook on a socket ({@code so_upcall}): AFPA sets it to learn of request data
 * without a thread blocked in {@code recv}. It fires on data arrival, on new space in the send buffer,
 * on a completed connection queued on a listening socket, and on state changes (connected,
 * disconnected, error, end of input).
 *
 * <p>It runs in the context of whoever caused the event, typically the network softint, with
 * {@code so.lock()} held (for a listener told of a connection the protocol completed with
 * {@link Socket#soisconnected()}, the new connection's lock instead): it must not sleep, must not take
 * another socket's lock, and should do little more than note the event or queue work. An exception it
 * throws is logged and does not reach the protocol.
 */
@FunctionalInterface
public interface SoUpcall {
    /**
     * {@code events} are {@link io.jrump.kern.file.Poll} bits: {@code POLLIN} (data, end of input, or a
     * connection to accept), {@code POLLOUT} (send space, connected), {@code POLLHUP} (disconnected),
     * {@code POLLERR} (an error is pending).
     */
    void upcall(Socket so, int events);
}
