package io.jrump.net;

/**
 * DART's {@code (*if_sockbuf)()}: a driver whose buffering is large (a fast or far link) raises the
 * socket buffers of connections bound to it, so that no application has to ask for enough buffering
 * to fill the pipe. It is applied to the socket created when a SYN arrives, not to the listener,
 * because the window scale is chosen from it (DART seed, "Socket Buffering and Flow Control").
 *
 * <p>The protocol asks twice: when the socket is tied to the interface, before any round trip is
 * measured ({@link #adjust(int, int)}, and {@link #receiveCeiling} for the window scale, which cannot
 * change after the SYN, RFC 7323 section 2.2), and once the handshake has measured the path's round trip
 * ({@link #adjust(int, int, long)}). The limits it returns are applied the way buffer autosizing grows a
 * buffer, not bounded by {@code kern.sbmax}, which bounds only what users ask for.
 */
@FunctionalInterface
public interface IfSockbuf {
    /**
     * Given the socket's current send and receive buffer limits, returns the limits the interface
     * wants ({@code [send, receive]}) while the path's round trip is unknown; returning the inputs
     * changes nothing.
     */
    int[] adjust(int sendLimit, int receiveLimit);

    /** As {@link #adjust(int, int)}, with the round trip the handshake measured ({@code rttNanos > 0}). */
    default int[] adjust(int sendLimit, int receiveLimit, long rttNanos) {
        return adjust(sendLimit, receiveLimit);
    }

    /**
     * The largest receive limit this interface may give a socket whose limit is {@code receiveLimit}: what
     * the window scale chosen at the SYN must cover.
     */
    default int receiveCeiling(int sendLimit, int receiveLimit) {
        return Math.max(receiveLimit, adjust(sendLimit, receiveLimit)[1]);
    }
}
