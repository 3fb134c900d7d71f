package io.jrump.virtif;

import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
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
        send(frame, off, len, 0);
    }

    @Override
    public boolean carriesPartialChecksums() {
        return true;
    }

    @Override
    public void send(byte[] frame, int off, int len, int csumFlags) {
        Objects.checkFromIndexSize(off, len, frame.length);
        if (closed || len < HEADER_LEN || len > hub.maxFrame()) {
            counters.drop();
            return;
        }
        counters.sent(len);
        hub.deliver(this, frame, off, len, csumFlags);
    }

    @Override
    public boolean sendsChains() {
        return true;
    }

    @Override
    public void send(Mbuf m, int csumFlags) {
        int len = m.pkthdr().len();
        if (closed || len < HEADER_LEN || len > hub.maxFrame()) {
            counters.drop();
            return;
        }
        counters.sent(len);
        hub.deliver(this, m, len, csumFlags);
    }

    /** Whether this port's sink reads a frame with these flags from the sender's chain. */
    boolean takesChain(int csumFlags) {
        FrameSink s = sink;
        return s != null && !closed && s.acceptsChains() && (csumFlags == 0 || s.acceptsPartialChecksums())
                && ((csumFlags & CsumFlags.M_CSUM_TSOv4) == 0 || s.acceptsSegmentationOffload());
    }

    void receive(Mbuf m, int len, int csumFlags) {
        FrameSink s = sink;
        if (s == null || closed) {
            counters.drop();
            return;
        }
        counters.received(len);
        s.receive(m, len, csumFlags);
    }

    /**
     * Hands a frame to this port's sink, finishing a partial checksum first for a sink that does not take
     * them; returns the flags the frame has afterwards, for the next port of the same lent buffer.
     */
    int receive(byte[] buf, int len, int csumFlags) {
        FrameSink s = sink;
        if (s == null || closed) {
            counters.drop();
            return csumFlags;
        }
        counters.received(len);
        if (csumFlags != 0 && !s.acceptsPartialChecksums()) {
            io.jrump.wire.ChecksumOffload.completeTcpInFrame(buf, 0, len);
            csumFlags = 0;
        }
        s.receive(buf, 0, len, csumFlags);
        return csumFlags;
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
