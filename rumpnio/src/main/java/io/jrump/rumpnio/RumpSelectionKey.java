package io.jrump.rumpnio;

import io.jrump.kern.file.PollFd;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectionKey;

/**
 * A channel's registration with a {@link RumpSelector}: its interest and ready sets and its own entry of
 * the selector's {@code poll} array, which the selecting thread fills from the interest set at the
 * start of each selection (a change made meanwhile waits for the next one, as with the JDK's selectors).
 */
final class RumpSelectionKey extends AbstractSelectionKey {
    final SelChannel chan;
    private final SelectableChannel channel;
    private final RumpSelector selector;
    /** This key's poll entry; written only by the selecting thread. */
    final PollFd pollFd;
    /** Index of {@link #pollFd} in the selector's array, -1 while not in it; selecting thread only. */
    int slot = -1;
    private volatile int interestOps;
    volatile int readyOps;

    RumpSelectionKey(SelChannel chan, RumpSelector selector) {
        this.chan = chan;
        this.channel = (SelectableChannel) chan;
        this.selector = selector;
        this.pollFd = new PollFd(-1, 0);
    }

    @Override
    public SelectableChannel channel() {
        return channel;
    }

    @Override
    public Selector selector() {
        return selector;
    }

    private void ensureValid() {
        if (!isValid()) {
            throw new CancelledKeyException();
        }
    }

    @Override
    public int interestOps() {
        ensureValid();
        return interestOps;
    }

    /** The interest set without the validity check, for the selecting thread. */
    int interest() {
        return interestOps;
    }

    @Override
    public java.nio.channels.SelectionKey interestOps(int ops) {
        ensureValid();
        if ((ops & ~channel.validOps()) != 0) {
            throw new IllegalArgumentException("Invalid interest ops: " + ops);
        }
        interestOps = ops;
        selector.interestChanged(this);
        return this;
    }

    @Override
    public int readyOps() {
        ensureValid();
        return readyOps;
    }

    @Override
    public String toString() {
        return "rump key[" + channel + (isValid() ? " interest=" + interestOps + " ready=" + readyOps : " cancelled")
                + "]";
    }
}
