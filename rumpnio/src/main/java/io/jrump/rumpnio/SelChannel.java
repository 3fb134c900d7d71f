package io.jrump.rumpnio;

import java.nio.channels.Channel;

/**
 * What a {@link RumpSelector} needs of a rump channel: its kernel descriptor, how interest maps to
 * {@code poll} events and back, and the deferred close once its last key is gone.
 */
interface SelChannel extends Channel {
    /** The kernel descriptor, valid until {@link #kill()} closed it. */
    int fd();

    /** The provider (and so the kernel) the channel belongs to. */
    RumpSelectorProvider rumpProvider();

    /** The {@code poll} events that watch for {@code ops} ({@code SelectionKey.OP_*}). */
    int pollEvents(int ops);

    /** The ready operations {@code revents} mean for a key interested in {@code interest}. */
    int readyOps(int revents, int interest);

    /**
     * Called by a selector after it deregistered one of the channel's keys: a channel closed while it
     * was registered closes its descriptor now if nothing else holds it.
     */
    void kill();
}
