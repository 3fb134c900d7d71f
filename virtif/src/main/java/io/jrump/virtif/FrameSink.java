package io.jrump.virtif;

/**
 * Where a link delivers the frames that arrive on its segment: the driver's receive interrupt, in
 * NetBSD terms the point where a backend calls {@code if_input}.
 *
 * <p>A link makes one call per frame, {@link #receive(RxFrame)}, on its delivery thread (the sender's
 * thread for a {@link Hub} or a {@link LearningSwitch}, the bus reader thread for a {@link ShmifBus}, the
 * receive thread for a {@link TapLink}, the timer for frames a {@link LinkEmulator} held back). The frame
 * and its storage are lent for the duration of the call only and may be shared with other receivers of
 * the same frame: a sink reads them, copies or lends on what it keeps, and never writes into them.
 * Frames are lent rather than handed over so that the steady-state receive path allocates nothing.
 *
 * <p>What form a frame comes in depends on the sink alone, never on the frame's path through the layer
 * above: a sink says once, by {@link #offloads()}, which offloads it takes. A sink that takes none (a link
 * emulator, a capture, a test's recorder) gets every frame wire-ready (every checksum finished; on an
 * in-memory wire, no frame larger than the wire's) in an array, through {@link #receive(byte[], int, int)}.
 * A sink that takes some (a kernel interface's driver) gets frames in whatever storage the link has them
 * in, with the flags it takes left on, and the link finishes or cuts what it does not take.
 */
@FunctionalInterface
public interface FrameSink {
    /**
     * One wire-ready Ethernet frame, destination MAC first, without preamble or FCS, at
     * {@code frame[off..off+len)}: how a sink that takes no offload gets frames.
     */
    void receive(byte[] frame, int off, int len);

    /**
     * The offloads this sink takes, as {@link io.jrump.rumpnet.mbuf.CsumFlags} bits, the same for every
     * frame: {@code M_CSUM_TCPv4}, frames whose TCP checksum the sender left partial (see
     * {@link EtherLink#carriesPartialChecksums()}); {@code M_CSUM_TSOv4}, one TCP segment larger than the
     * wire's frames received whole, as Linux hands them on between virtio-net guests and across a veth pair.
     * A link finishes the checksum, or cuts the segment into wire-sized frames, for a sink without the bit.
     * A sink that takes any gets frames through {@link #receive(RxFrame)} in any storage.
     */
    default int offloads() {
        return 0;
    }

    /**
     * The one call a link makes per frame. The default, for a sink that takes no offload, hands the
     * wire-ready frame's array to {@link #receive(byte[], int, int)}.
     */
    default void receive(RxFrame frame) {
        receive(frame.array(), frame.offset(), frame.length());
    }

    /**
     * The link has delivered a burst of frames and is about to wait for more ({@code more} false), or has
     * delivered a budget's worth with more waiting ({@code more} true): the point where a receive thread's
     * interrupt ends, and where the sink may finish what the frames started on the same thread (the kernel's
     * interrupt tail). Called on the delivery thread.
     */
    default void endOfBurst(boolean more) {
    }
}
