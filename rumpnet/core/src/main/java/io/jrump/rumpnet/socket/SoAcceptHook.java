package io.jrump.rumpnet.socket;

/**
 * A kernel consumer's say over the connections of a listening socket, before {@code accept(2)} sees
 * them. The AFPA accelerator (issue 17; seed {@code 000_e72d5458a6362c1e}) serves requests on a port
 * whose user-level server listens through ordinary sockets: it takes each new connection first, answers
 * what its cache holds, and hands the rest, with the bytes already received, to that server as an
 * ordinary accepted connection ({@link Socket#releaseToAccept()}).
 *
 * <p>Installed with {@link Socket#setAcceptHook}. It is called once per connection, when the protocol
 * completes it ({@link Socket#soisconnected()}), where the connection would otherwise go onto the
 * listener's complete queue and wake {@code accept}. It runs with the same rules as {@link SoUpcall}: in
 * the context of whoever completed the connection (the network softint), with the new connection's
 * lock held (TCP also holds the listener's, taken first): it must not sleep nor take another socket's
 * lock. It may install an upcall on {@code conn} and use its locked calls ({@link Socket#receiveLocked},
 * {@link Socket#sendLocked}). An exception it throws is logged and counts as not holding.
 */
@FunctionalInterface
public interface SoAcceptHook {
    /**
     * Whether the consumer holds {@code conn}, a just-completed connection of {@code listener}. A held
     * connection is invisible to {@code accept} and not counted against the backlog; the consumer owns
     * it until it calls {@link Socket#releaseToAccept()}, {@link Socket#closeByKernel()} or
     * {@link Socket#abortByKernel()}. False lets it go to {@code accept} as usual.
     */
    boolean hold(Socket listener, Socket conn);
}
