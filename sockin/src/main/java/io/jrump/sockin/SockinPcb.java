package io.jrump.sockin;

import io.jrump.rumpnet.socket.Socket;

/**
 * A sockin socket's protocol control block: its host socket and the little state needed to move
 * data between that socket and the rump socket's buffers. Guarded by the rump socket's lock.
 */
final class SockinPcb {
    final Socket so;
    /** The host socket; null once closed or aborted. */
    SockinUser.Handle host;
    /** A listening stream socket. */
    boolean listening;
    /** A stream connection the host is still setting up. */
    boolean connecting;
    /** The host said end of stream: the peer's FIN. */
    boolean eof;
    /**
     * The receive buffer had no room, so the host socket is not read until the user has taken data
     * ({@link io.jrump.rumpnet.socket.Protosw#rcvd}); the host's own buffer and TCP window hold the rest,
     * which is how back-pressure reaches the peer without losing a byte.
     */
    boolean rcvFull;
    /**
     * The last host read was large ({@link SockinFill#BULK_READ}): the next one goes into a buffer of
     * {@link SockinRxBuffers} rather than through clusters.
     */
    boolean bulk;
    /** Bytes read from the host for which no mbufs were left; delivered before the host is read again. */
    byte[] spill;
    /** The write side was shut down while data was still queued; the host is told once it is sent. */
    boolean shutPending;
    /** No descriptor is left; the pcb lives on only to send what is queued, then closes. */
    boolean detached;
    /**
     * Readers take this connection's input from the host themselves ({@link SockinReaderWait#rcvwait}), so
     * the receiver does not watch it for reading. Sticky: it ends only when something needs arrivals
     * delivered unasked (a poller, an upcall, a second reader), so that a connection read by one lwp
     * costs the receiver no wakeup at all, not one per read.
     */
    boolean direct;
    /** An lwp waits in the host for this socket's input (at most one does). */
    boolean directWaiting;
    /**
     * The reader about to wait found the host empty in {@link SockinReaderWait#rcvdirect} and reads what
     * arrives there itself, into its own memory; its wait leaves the data on the host.
     */
    boolean readerNext;
    /**
     * A poller relies on {@code sorwakeup} for input, so readers may not take over the input. Set by
     * every poll for input; cleared once data delivered with {@code sorwakeup} has woken the pollers,
     * since one that wants to keep waiting polls again.
     */
    boolean watched;
    /** Readers sleeping on the receive buffer rather than on the host: the receiver must deliver. */
    int sleepers;
    /** A connection accepted by the host, waiting for {@link Socket#sonewconn} to attach it. */
    SockinUser.Handle pendingChild;

    SockinPcb(Socket so, SockinUser.Handle host) {
        this.so = so;
        this.host = host;
        if (host != null) {
            host.owner = this;
        }
    }
}
