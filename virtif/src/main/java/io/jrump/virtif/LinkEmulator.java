package io.jrump.virtif;

import io.jrump.hypercall.Hypercall;
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

    public LinkEmulator(Hypercall hc, EtherLink inner, LinkEmulatorConfig config) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.config = Objects.requireNonNull(config, "config");
        SplittableRandom root = new SplittableRandom(config.seed());
        this.egress = new EmulatedPath("linkemu-egress", hc.clock(), config.egress(), root.split(),
                config.queueFrames(), config.queueBytes(), inner::send);
        this.ingress = new EmulatedPath("linkemu-ingress", hc.clock(), config.ingress(), root.split(),
                config.queueFrames(), config.queueBytes(), this::deliver);
        inner.setReceiver(new FrameSink() {
            @Override
            public void receive(byte[] frame, int off, int len) {
                ingress.offer(frame, off, len);
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
        egress.offer(frame, off, len);
    }

    private void deliver(byte[] frame, int off, int len) {
        FrameSink s = sink;
        if (s == null || closed) {
            counters.drop();
            return;
        }
        counters.received(len);
        s.receive(frames.get().array(frame, off, len, 0, 0));
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
