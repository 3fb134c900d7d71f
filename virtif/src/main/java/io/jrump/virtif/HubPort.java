package io.jrump.virtif;

import java.util.Objects;

/** One port of a {@link Hub}: what {@link Hub#attach()} hands out. */
final class HubPort implements EtherLink {
    private final Hub hub;
    private final String name;
    private final LinkCounters counters = new LinkCounters();
    private volatile FrameSink sink;
    private volatile boolean closed;

    HubPort(Hub hub, String name) {
        this.hub = hub;
        this.name = name;
    }

    @Override
    public void send(byte[] frame, int off, int len) {
        Objects.checkFromIndexSize(off, len, frame.length);
        if (closed || len < HEADER_LEN || len > hub.maxFrame()) {
            counters.drop();
            return;
        }
        counters.sent(len);
        hub.deliver(this, frame, off, len);
    }

    void receive(byte[] buf, int len) {
        FrameSink s = sink;
        if (s == null || closed) {
            counters.drop();
            return;
        }
        counters.received(len);
        s.receive(buf, 0, len);
    }

    @Override
    public void setReceiver(FrameSink sink) {
        this.sink = sink;
    }

    @Override
    public int maxFrame() {
        return hub.maxFrame();
    }

    @Override
    public LinkStats stats() {
        return counters.snapshot(0);
    }

    @Override
    public void close() {
        closed = true;
        hub.detach(this);
    }

    @Override
    public String toString() {
        return "hub port " + name;
    }
}
