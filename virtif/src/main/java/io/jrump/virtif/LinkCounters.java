package io.jrump.virtif;

import java.util.concurrent.atomic.LongAdder;

/**
 * The live counters behind {@link LinkStats}. Adders rather than atomics because a hub port's receive
 * counters are bumped by every other port's sender thread at once; an adder increments without
 * allocating once its cells exist, so the frame path stays garbage-free.
 */
final class LinkCounters {
    private final LongAdder framesSent = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder framesReceived = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();
    private final LongAdder drops = new LongAdder();

    void sent(int len) {
        framesSent.increment();
        bytesSent.add(len);
    }

    void received(int len) {
        framesReceived.increment();
        bytesReceived.add(len);
    }

    void drop() {
        drops.increment();
    }

    LinkStats snapshot(long extraDrops) {
        return new LinkStats(framesSent.sum(), bytesSent.sum(), framesReceived.sum(), bytesReceived.sum(),
                drops.sum() + extraDrops);
    }
}
