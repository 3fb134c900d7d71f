package io.jrump.netinet.tdi;

/**
 * The completion routine of a send request ({@link TdiConnection#send}): called exactly once, with
 * errno 0 when the peer has acknowledged every byte of the request, or with the errno of the
 * connection's failure (ECONNRESET, ETIMEDOUT, ECONNABORTED), or ECANCELED when the client gave the
 * connection up (passed it to the user or closed its address) first; in the order the requests were
 * made. It runs with the connection's lock held, usually in ACK processing: it may send more or queue
 * work, never sleep.
 */
@FunctionalInterface
public interface TdiSendCompletion {
    void sendComplete(TdiConnection c, Object context, int errno);
}
