package io.jrump.virtif;

import io.jrump.hypercall.Hypercall;
import io.jrump.kern.ErrnoException;
import io.jrump.net.IfOffloadStats;
import io.jrump.net.TsoSegmenter;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A link with a bad wire: wraps any {@link EtherLink} and delays, rate-limits, loses, duplicates,
 * reorders and corrupts frames in each direction as its {@link LinkEmulatorConfig} says, from a seed.
 * System tests (ARCHITECTURE.md section 10) put it between kernels on a hub or shmif bus to check that
 * TCP transfers arrive byte-exact through loss and reordering, and that a failure found with one seed
 * replays with it.
 *
 * <p>Egress impairs what {@link #send} is given before it reaches the wrapped link; ingress impairs what
 * the wrapped link delivers before it reaches this link's receiver. Each direction draws from its own
 * {@link SplittableRandom}, split in a fixed order from one seeded with the config's seed, so the two
 * directions do not perturb each other's sequence.
 *
 * <p>Delays are measured on the hypercall clock and held frames are handed on by a hypercall timer, so
 * under a {@code ManualClock} they arrive exactly when a test advances time; a frame nothing delays
 * passes through synchronously. Held frames are copied into a bounded pool ({@code limit},
 * {@code limit-bytes}); when it is full further frames are dropped and counted as overflowed.
 *
 * <p>Offload, as the emulated link would carry it: the emulator takes TCP packets built at {@code if_buflen}
 * ({@code M_CSUM_TSOv4}) as the sender's mbuf chain and cuts them into wire frames where they enter it, with the
 * one {@link TsoSegmenter}, as the adapter of the emulated link would, so that each wire frame is delayed,
 * serialised at the rate, lost or reordered on its own; and it carries partial TCP checksums
 * ({@code M_CSUM_TCPv4}) in both directions when the wrapped link does and nothing is corrupted (a corrupted
 * frame must fail its checksum at the receiver). So a long fat pipe can be measured with DART's segmentation.
 *
 * <p>The emulator owns the wrapped link: closing it closes the wrapped link and discards held frames.
 */
public final class LinkEmulator implements EtherLink {
    private final EtherLink inner;
    private final LinkEmulatorConfig config;
    private final EmulatedPath egress;
    private final EmulatedPath ingress;
    private final LinkCounters counters = new LinkCounters();
    private volatile FrameSink sink;
    /**
     * The frame a delivery lends the receiver in, one per delivering thread: frames that pass unimpaired
     * are delivered on the inner link's threads, held ones on the timer's.
     */
    private final ThreadLocal<RxFrame> frames = ThreadLocal.withInitial(RxFrame::new);
    private volatile boolean closed;
    private final boolean partial;
    private final ThreadLocal<TsoSegmenter> segmenters = ThreadLocal.withInitial(TsoSegmenter::new);
    /** A frame buffer per sending thread, for flattening a chain (or a cut segment) before impairment. */
    private final ThreadLocal<byte[]> flat;
    private volatile IfOffloadStats offloadStats;

    public LinkEmulator(Hypercall hc, EtherLink inner, LinkEmulatorConfig config) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.config = Objects.requireNonNull(config, "config");
        SplittableRandom root = new SplittableRandom(config.seed());
        this.partial = inner.carriesPartialChecksums() && config.egress().corrupt() == 0
                && config.ingress().corrupt() == 0;
        this.flat = ThreadLocal.withInitial(() -> new byte[inner.maxFrame()]);
        this.egress = new EmulatedPath("linkemu-egress", hc.clock(), config.egress(), root.split(),
                config.queueFrames(), config.queueBytes(), inner::send);
        this.ingress = new EmulatedPath("linkemu-ingress", hc.clock(), config.ingress(), root.split(),
                config.queueFrames(), config.queueBytes(), this::deliver);
        inner.setReceiver(new FrameSink() {
            @Override
            public void receive(byte[] frame, int off, int len) {
                ingress.offer(frame, off, len, 0);
            }

            /** Partial TCP checksums when carried; large segments always arrive cut to the wire's frames. */
            @Override
            public int offloads() {
                return partial ? CsumFlags.M_CSUM_TCPv4 : 0;
            }

            @Override
            public void receive(RxFrame f) {
                int fl = f.csumFlags() & CsumFlags.M_CSUM_TCPv4;
                if (f.array() != null) {
                    ingress.offer(f.array(), f.offset(), f.length(), fl);
                    return;
                }
                byte[] b = flat.get();
                if (f.length() > b.length) {
                    counters.drop();
                    return;
                }
                f.copyTo(b, 0);
                ingress.offer(b, 0, f.length(), fl);
            }

            /** Frames that pass unimpaired reach the receiver on the inner link's thread, whose burst this ends. */
            @Override
            public void endOfBurst(boolean more) {
                FrameSink s = sink;
                if (s != null) {
                    s.endOfBurst(more);
                }
            }
        });
    }

    /** Parses {@code config} with {@link LinkEmulatorConfig#parse}. */
    public LinkEmulator(Hypercall hc, EtherLink inner, String config) {
        this(hc, inner, LinkEmulatorConfig.parse(config));
    }

    @Override
    public void send(byte[] frame, int off, int len) {
        Objects.checkFromIndexSize(off, len, frame.length);
        if (closed || len < HEADER_LEN || len > inner.maxFrame()) {
            counters.drop();
            return;
        }
        counters.sent(len);
        egress.offer(frame, off, len, 0);
    }

    /** A partial checksum goes on only if carried; otherwise it is finished before the frame can be damaged. */
    @Override
    public void send(byte[] frame, int off, int len, int csumFlags) {
        Objects.checkFromIndexSize(off, len, frame.length);
        if (closed || len < HEADER_LEN || len > inner.maxFrame()) {
            counters.drop();
            return;
        }
        int fl = csumFlags & CsumFlags.M_CSUM_TCPv4;
        if (fl != 0 && !partial) {
            io.jrump.wire.ChecksumOffload.completeTcpInFrame(frame, off, len);
            countFilled();
            fl = 0;
        }
        counters.sent(len);
        egress.offer(frame, off, len, fl);
    }

    /** Partial TCP checksums cross the emulator when the wrapped link carries them and nothing is corrupted. */
    @Override
    public boolean carriesPartialChecksums() {
        return partial;
    }

    /** The rate its sending side is limited to ({@code rate=}, or {@code egress-rate=}), 0 if none. */
    @Override
    public long baudrate() {
        return config.egress().rateBitsPerSecond();
    }

    /** The emulator cuts large TCP segments itself, whatever link it wraps. */
    @Override
    public boolean segments() {
        return true;
    }

    @Override
    public boolean sendsChains() {
        return true;
    }

    /**
     * Takes a frame as the sender's chain: a large TCP segment is cut into wire frames here (checksums finished
     * unless carried), anything else flattened once; each then goes through the egress impairments.
     */
    @Override
    public void send(Mbuf m, int csumFlags) {
        int len = m.pkthdr().len();
        if ((csumFlags & CsumFlags.M_CSUM_TSOv4) == 0 || !TsoSegmenter.isLarge(m)) {
            if (len > inner.maxFrame()) {
                counters.drop();
                return;
            }
            byte[] b = flat.get();
            MbufCopy.copydata(m, 0, len, b, 0);
            send(b, 0, len, csumFlags);
            return;
        }
        if (closed) {
            counters.drop();
            return;
        }
        try {
            int lost = segmenters.get().cut(m, HEADER_LEN, !partial, seg -> {
                try {
                    int n = seg.pkthdr().len();
                    IfOffloadStats st = offloadStats;
                    if (st != null) {
                        st.adapterSegments.incrementAndGet();
                        if (!partial) {
                            st.checksumsFilled.incrementAndGet();
                        }
                    }
                    if (n > inner.maxFrame()) {
                        counters.drop();
                        return;
                    }
                    byte[] b = flat.get();
                    MbufCopy.copydata(seg, 0, n, b, 0);
                    counters.sent(n);
                    egress.offer(b, 0, n, seg.pkthdr().csumFlags() & CsumFlags.M_CSUM_TCPv4);
                } finally {
                    seg.pool().freeChain(seg);
                }
            });
            for (int i = 0; i < lost; i++) {
                counters.drop();
            }
        } catch (ErrnoException e) {
            counters.drop();
        }
    }

    @Override
    public void setOffloadStats(IfOffloadStats stats) {
        this.offloadStats = stats;
    }

    private void countFilled() {
        IfOffloadStats st = offloadStats;
        if (st != null) {
            st.checksumsFilled.incrementAndGet();
        }
    }

    private void deliver(byte[] frame, int off, int len, int csumFlags) {
        FrameSink s = sink;
        if (s == null || closed) {
            counters.drop();
            return;
        }
        counters.received(len);
        if (csumFlags != 0 && (s.offloads() & csumFlags) != csumFlags) {
            // a held copy or the wrapped link's lent buffer: finished in a scratch copy, never in place
            byte[] b = new byte[len];
            System.arraycopy(frame, off, b, 0, len);
            io.jrump.wire.ChecksumOffload.completeTcpInFrame(b, 0, len);
            s.receive(frames.get().array(b, 0, len, 0, 0));
            return;
        }
        s.receive(frames.get().array(frame, off, len, csumFlags, 0));
    }

    @Override
    public void setReceiver(FrameSink sink) {
        this.sink = sink;
    }

    @Override
    public int maxFrame() {
        return inner.maxFrame();
    }

    /**
     * Frames sent are those {@link #send} accepted, before impairment; frames received are those handed
     * to the receiver, after it; drops include the emulator's losses and overflows in both directions.
     */
    @Override
    public LinkStats stats() {
        return counters.snapshot(egress.dropped() + ingress.dropped());
    }

    public EmulatorStats egressStats() {
        return egress.stats();
    }

    public EmulatorStats ingressStats() {
        return ingress.stats();
    }

    /** Frames held back in each direction, waiting for their due time. */
    public int heldFrames() {
        return egress.heldFrames() + ingress.heldFrames();
    }

    public LinkEmulatorConfig config() {
        return config;
    }

    /** The wrapped link. */
    public EtherLink inner() {
        return inner;
    }

    @Override
    public void close() {
        closed = true;
        egress.close();
        ingress.close();
        inner.close();
    }

    @Override
    public String toString() {
        return "link emulator [" + config + "] on " + inner;
    }
}
