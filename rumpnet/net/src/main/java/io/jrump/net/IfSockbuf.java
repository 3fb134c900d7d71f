package io.jrump.net;

/**
 * DART's {@code (*if_sockbuf)()}: a driver whose buffering is large (a fast or far link) raises the
 * socket buffers of connections bound to it, so that no application has to ask for enough buffering
 * to fill the pipe. It is applied to the socket created when a SYN arrives, not to the listener,
 * because the window scale is chosen from it (DART seed, "Socket Buffering and Flow Control").
 */
@FunctionalInterface
public interface IfSockbuf {
    /**
     * Given the socket's current send and receive buffer limits, returns the limits the interface
     * wants ({@code [send, receive]}); returning the inputs changes nothing.
     */
    int[] adjust(int sendLimit, int receiveLimit);
}
