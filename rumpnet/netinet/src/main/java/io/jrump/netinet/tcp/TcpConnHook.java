package io.jrump.netinet.tcp;

/**
 * A kernel client's hook on one connection ({@link Tcp#setConnHook}), for send requests that
 * complete when the peer has acknowledged their last byte, as the transport-driver interface's do
 * ({@code io.jrump.netinet.tdi}, seed {@code 001_4c2098c7f46ed350}). Both methods run with the
 * connection's socket lock held, inside input processing or a timer: they must not sleep.
 */
public interface TcpConnHook {
    /**
     * The peer acknowledged {@code bytes} more bytes of the send stream, which have just left the send
     * buffer (RFC 9293 section 3.10.7.4, fifth: SND.UNA advanced). Counting bytes rather than sequence
     * numbers lets the client number its requests by the bytes queued before them.
     */
    void acked(int bytes);

    /**
     * The connection is over ({@code tcp_close}): {@code errno} is the socket's pending error
     * (ECONNRESET, ETIMEDOUT, ECONNABORTED), or 0 for an orderly end. The hook is removed before this
     * call and never called again.
     */
    void closed(int errno);
}
