package io.jrump.netinet.tdi;

import io.jrump.kern.syscall.SockAddr;

/**
 * What a client's connect event returns to take a connection (TDI's accept request,
 * seed {@code 001_4c2098c7f46ed350}): the completion routine, and the client's per-connection context
 * (the seed's "AFPA connection structure"), which the connection carries
 * ({@link TdiConnection#context()}). One request serves one connection request.
 */
public final class TdiAcceptRequest {
    static final int NEW = 0;
    /** Returned by the connect event; its SYN cache entry waits for the handshake's last ACK. */
    static final int EMBRYONIC = 1;
    /** The handshake completed; the connection waits to be held back from accept. */
    static final int LINKED = 2;
    /** Completed, successfully or not. */
    static final int DONE = 3;

    private final TdiAcceptCompletion done;
    private final Object context;
    /** Guarded by the address's monitor. */
    int state = NEW;
    TdiAddress address;
    /** The peer whose SYN the connect event answered. */
    SockAddr peer;
    TdiConnection connection;

    public TdiAcceptRequest(TdiAcceptCompletion done, Object context) {
        if (done == null) {
            throw new NullPointerException("an accept request needs a completion routine");
        }
        this.done = done;
        this.context = context;
    }

    /** The client's context for the connection. */
    public Object context() {
        return context;
    }

    TdiAcceptCompletion completion() {
        return done;
    }
}
