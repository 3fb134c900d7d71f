package io.jrump.netinet.tdi;

/**
 * The completion routine of a {@link TdiAcceptRequest}: called exactly once, with the connection and
 * errno 0 once the handshake completed, or with a null connection and the errno when it did not
 * (ETIMEDOUT: the peer never answered the SYN,ACK; ECONNRESET: it reset; ECONNABORTED: the SYN cache
 * overflowed or the stack stopped; ECANCELED: the address was closed first). On failure it should
 * only clean up (the seed's AFPA "simply cleans up in case of error"): it may run with a listening
 * socket's lock held or in a timer.
 */
@FunctionalInterface
public interface TdiAcceptCompletion {
    void acceptComplete(TdiAcceptRequest request, TdiConnection c, int errno);
}
