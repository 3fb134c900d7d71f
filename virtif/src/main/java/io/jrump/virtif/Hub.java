package io.jrump.virtif;

/**
 * An in-process Ethernet segment for tests and benchmarks: several kernels in one JVM talk through it
 * without a file or a host device.
 *
 * <p>It behaves as NetBSD's shmif bus does, not as a switch: every attached port sees every frame sent
 * by every other port, and never its own, whatever the destination address. Filtering by address is the
 * receiving interface's job, as it is on a shared wire, so promiscuous capture works for free.
 *
 * <p>Delivery is synchronous on the sender's thread, port after port, before {@link EtherLink#send}
 * returns: no queue, no thread hop, and so no reordering and no loss on the hub itself. A frame sent as
 * an mbuf chain goes as that chain to receivers that take chains (kernel interfaces), which copy its
 * headers into their own mbufs and take references to its clusters (as Linux's loopback passes one
 * {@code sk_buff} from sender to receiver); otherwise the frame is copied once into a buffer the hub
 * lends to all receivers for the duration of their {@link FrameSink#receive} call; a receiver that
 * keeps the frame must copy it, and must not write into it. The lent buffers are pooled, so a frame costs no allocation once the pool has as many
 * buffers as there have been concurrent (or nested: a receiver answering from inside its sink)
 * deliveries. No lock is held while sinks run, so receivers may send from their sink and concurrent
 * senders do not wait for each other.
 *
 * <p>Frames never leave memory here, so the hub carries TCP checksums partial
 * ({@link EtherLink#carriesPartialChecksums()}): neither kernel spends CPU summing bytes that nothing can
 * damage, as virtio-net guests on one host do not. A port whose sink cannot take a partial frame (a link
 * emulator that may flip bits, a capture) gets it finished first.
 *
 * <p>Every frame reaches every port, so with N kernels each one wakes for every frame any other sends: fine for
 * a few kernels, quadratic for thousands. A {@link LearningSwitch} offers the same ports and delivers a unicast
 * frame to one of them.
 */
public final class Hub extends EtherSegment {
    /** A hub that carries frames up to {@link EtherLink#DEFAULT_MAX_FRAME} bytes. */
    public Hub(String name) {
        this(name, EtherLink.DEFAULT_MAX_FRAME);
    }

    /** A hub that carries frames up to {@code maxFrame} bytes, header included. */
    public Hub(String name, int maxFrame) {
        super(name, "hub", maxFrame, true);
    }
}
