package io.jrump.net;

import io.jrump.rumpnet.mbuf.Mbuf;

/**
 * Early demultiplexing at the interface, Lazy Receiver Processing's first step (seed 003): a cheap look at
 * a received frame's headers, in the driver's receive context and before any protocol processing, that
 * finds the socket the frame is for and puts it on that socket's channel (or drops it there when the
 * channel is full). A protocol family registers one with {@link Interfaces#setEarlyDemux}; this layer does
 * not know what the headers mean, which keeps it free of IP.
 */
@FunctionalInterface
public interface EarlyDemux {
    /**
     * Looks at the frame {@code m} (link header in front) that arrived on {@code ifp}. Returns true when it
     * took the frame (queued on a channel, or dropped and counted there); false leaves it to the interface's
     * ordinary input, the eager path, which frames that match no socket take (ARP, ICMP, fragments,
     * unknown ports). Runs in the driver's receive context: it must not sleep or take a socket lock for
     * long, and must allocate nothing.
     */
    boolean demux(Ifnet ifp, Mbuf m);

    /**
     * Early discard, before the driver builds an mbuf chain for a frame: whether the frame whose first
     * {@code len} bytes are {@code b[off, off + len)} (link header in front) is for a socket whose channel is
     * full, in which case it is dropped here and counted as that socket's channel drop. Under overload
     * nearly every frame ends this way, and seed 003 wants such a frame to cost as little as the lookup of its
     * socket: no mbuf, no reference on the sender's storage, no queue. False leaves the frame to
     * {@link #demux}; the same rules as there.
     */
    default boolean discard(Ifnet ifp, byte[] b, int off, int len) {
        return false;
    }
}
