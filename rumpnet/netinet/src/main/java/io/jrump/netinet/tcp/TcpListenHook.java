package io.jrump.netinet.tcp;

import io.jrump.rumpnet.socket.Socket;

/**
 * A kernel client's hook on a listening connection ({@link Tcp#setListenHook}): the passive open
 * tells it of each new connection request before the SYN cache answers, and of that request's end.
 * It exists for the transport-driver interface ({@code io.jrump.netinet.tdi}), whose connect event
 * fires when a SYN arrives (Windows 2000 TDI, seed {@code 001_4c2098c7f46ed350}), not when
 * {@code accept} would see the connection. With no hook installed TCP pays one null check per SYN.
 *
 * <p>Every method runs in the network softint (or the SYN cache's callout) and must not sleep.
 */
public interface TcpListenHook {
    /**
     * A SYN for a new embryonic connection {@code faddr:fport -> laddr:lport} (a retransmitted SYN is
     * not announced again). Returns a token the SYN cache keeps with the entry, or null to leave the
     * connection alone. The listening socket's lock is held.
     */
    Object syn(int laddr, int lport, int faddr, int fport);

    /**
     * The handshake of the entry holding {@code token} completed: {@code so} is the new connection's
     * socket, ESTABLISHED, not yet queued for {@code accept}. Returns the hook the connection carries
     * from now on, or null. The listening socket's and {@code so}'s locks are held.
     */
    TcpConnHook established(Object token, Socket so);

    /**
     * The entry holding {@code token} went without completing: its SYN,ACKs went unanswered
     * (ETIMEDOUT), the peer reset it (ECONNRESET), the cache overflowed or the stack is stopping
     * (ECONNABORTED). Called with no lock or with some listening socket's lock held: it may only
     * clean up or queue work.
     */
    void synDropped(Object token, int errno);
}
