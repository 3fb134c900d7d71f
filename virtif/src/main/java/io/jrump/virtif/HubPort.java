package io.jrump.virtif;

import io.jrump.kern.sched.Lwp;
import io.jrump.rumpnet.mbuf.Mbuf;
import java.util.Objects;

/** One port of a {@link Hub} or a {@link LearningSwitch}: what their {@code attach()} hands out. */
final class HubPort implements EtherLink {
    private final PortSet set;
    private final String name;
    private final LinkCounters counters = new LinkCounters();
    private volatile FrameSink sink;
    private volatile boolean closed;
    /** Counted out of the port set's array; guarded by the set's lock. */
    boolean detached;
    /** The sending interface's offload counters, where the segments cut for this port's sends are counted. */
    volatile io.jrump.net.IfOffloadStats offloadStats;

    HubPort(PortSet set, String name) {
        this.set = set;
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
        if (closed || len < HEADER_LEN || len > set.maxFrame()) {
            counters.drop();
            return;
        }
        counters.sent(len);
        set.send(this, frame, off, len, csumFlags);
    }

    @Override
    public boolean sendsChains() {
        return true;
    }

    @Override
    public void send(Mbuf m, int csumFlags) {
        int len = m.pkthdr().len();
        if (closed || len < HEADER_LEN || len > set.maxFrame()) {
            counters.drop();
            return;
        }
        counters.sent(len);
        set.send(this, m, len, csumFlags);
    }

    boolean isClosed() {
        return closed;
    }

    /** The lwp of this port's kernel on the calling thread, the sender's, if the sink is a kernel interface. */
    Lwp senderLwp() {
        return sink instanceof IfnetSink s ? s.curlwp() : null;
    }

    /** The offloads this port's sink takes ({@link FrameSink#offloads()}); 0 without a sink. */
    int offloads() {
        FrameSink s = sink;
        return s == null || closed ? 0 : s.offloads();
    }

    /** Hands a frame the sink takes as it is (the sender's chain, its flags) to this port's sink. */
    void receive(RxFrame f) {
        FrameSink s = sink;
        if (s == null || closed) {
            counters.drop();
            return;
        }
        counters.received(f.length());
        s.receive(f);
    }

    /**
     * Hands the frame in {@code buf[0..len)} to this port's sink, finishing a partial checksum first for a
     * sink that does not take them; returns the flags the frame has afterwards, for the next port of the
     * same lent buffer.
     */
    int receive(RxFrame f, byte[] buf, int len, int csumFlags) {
        FrameSink s = sink;
        if (s == null || closed) {
            counters.drop();
            return csumFlags;
        }
        counters.received(len);
        if (csumFlags != 0 && (s.offloads() & csumFlags) != csumFlags) {
            io.jrump.wire.ChecksumOffload.completeTcpInFrame(buf, 0, len);
            csumFlags = 0;
        }
        s.receive(f.array(buf, 0, len, csumFlags, 0));
        return csumFlags;
    }

    @Override
    public void setOffloadStats(io.jrump.net.IfOffloadStats stats) {
        this.offloadStats = stats;
    }

    @Override
    public void setReceiver(FrameSink sink) {
        this.sink = sink;
    }

    @Override
    public int maxFrame() {
        return set.maxFrame();
    }

    @Override
    public LinkStats stats() {
        return counters.snapshot(0);
    }

    @Override
    public void close() {
        closed = true;
        set.detach(this);
    }

    @Override
    public String toString() {
        return set.kind() + " port " + name;
    }
}
