package io.jrump.virtif;

import io.jrump.rumpnet.mbuf.Mbuf;
import java.nio.ByteBuffer;

/**
 * Where a link delivers the frames that arrive on its segment: the driver's receive interrupt, in
 * NetBSD terms the point where a backend calls {@code if_input}.
 *
 * <p>It is called on the link's delivery thread (the sender's thread for a {@link Hub}, the bus reader
 * thread for a {@link ShmifBus}, the timer for frames a {@link LinkEmulator} held back). The array is
 * lent for the duration of the call only and may be shared with other receivers of the same frame:
 * a sink reads it, copies what it keeps, and never writes into it. Buffers are lent rather than
 * handed over so that the steady-state receive path allocates nothing.
 */
@FunctionalInterface
public interface FrameSink {
    /** One Ethernet frame, destination MAC first, without preamble or FCS, at {@code frame[off..off+len)}. */
    void receive(byte[] frame, int off, int len);

    /**
     * Whether this sink takes frames whose TCP checksum the sender left partial (see
     * {@link EtherLink#carriesPartialChecksums()}); a link finishes the checksum before it hands a frame to
     * a sink that does not, so a sink that checks checksums, or a link emulator that may damage the frame,
     * never sees a partial one.
     */
    default boolean acceptsPartialChecksums() {
        return false;
    }

    /**
     * A frame with offload flags ({@link io.jrump.rumpnet.mbuf.CsumFlags}): {@code M_CSUM_TCPv4} says its TCP
     * checksum is partial. Links that carry flags call this for every frame, with flags only on a sink
     * that {@link #acceptsPartialChecksums() accepts} them; such a sink may finish the checksum in place (for a capture, say), which other receivers of
     * the same lent buffer cannot tell from the sender's work.
     */
    default void receive(byte[] frame, int off, int len, int csumFlags) {
        receive(frame, off, len);
    }

    /**
     * Whether this sink takes frames as the sender's mbuf chain ({@link #receive(Mbuf, int, int)}); a link
     * flattens a chain into a lent array for any other sink.
     */
    default boolean acceptsChains() {
        return false;
    }

    /**
     * Whether this sink takes a chain that holds one large TCP segment for the receiver to treat as received
     * whole ({@code M_CSUM_TSOv4}, segment size in the chain's {@code csum_data}): what Linux does between
     * virtio-net guests and across a veth pair, where a GSO packet is never cut because no wire is crossed.
     * A link cuts such a frame into wire-sized ones (with complete checksums) for any other sink.
     */
    default boolean acceptsSegmentationOffload() {
        return false;
    }

    /**
     * A frame holding one TCP segment larger than the wire's frames, received whole (Linux's GSO frames
     * through a tap with offload): {@code csumFlags} has {@code M_CSUM_TSOv4} beside the partial
     * {@code M_CSUM_TCPv4}, and {@code segSize} is the size the sender would have cut it at
     * ({@code gso_size}), which a router needs to judge DF and to cut it for its next hop. Only for a
     * sink that {@link #acceptsSegmentationOffload() accepts} large segments.
     */
    default void receive(byte[] frame, int off, int len, int csumFlags, int segSize) {
        throw new UnsupportedOperationException(this + " takes no large TCP segments");
    }

    /**
     * The link has delivered a burst of frames and is about to wait for more ({@code more} false), or has
     * delivered a budget's worth with more waiting ({@code more} true): the point where a receive thread's
     * interrupt ends, and where the sink may finish what the frames started on the same thread (the kernel's
     * interrupt tail). Called on the delivery thread.
     */
    default void endOfBurst(boolean more) {
    }

    /**
     * Whether this sink takes a frame in a buffer of the link's ({@link #receive(ByteBuffer, int, int, int, int)}),
     * typically memory the host wrote the frame into, so that the frame is copied once, into the sink's mbufs;
     * a link copies the frame into a lent array for any other sink. A sink answers for the frame at hand.
     */
    default boolean acceptsBuffers() {
        return false;
    }

    /**
     * The frame at {@code frame[off..off+len)} (absolute indexes below the limit; the position means
     * nothing), lent for the call only and read-only to the sink. Flags and segment size as for
     * {@link #receive(byte[], int, int, int, int)}, {@code segSize} 0 when there is no large segment; as with
     * a chain, the checksum can not be finished in place. Only for a sink that {@link #acceptsBuffers()
     * accepts} buffers.
     */
    default void receive(ByteBuffer frame, int off, int len, int csumFlags, int segSize) {
        throw new UnsupportedOperationException(this + " takes frames as arrays");
    }

    /**
     * A frame that is the first {@code len} bytes of another kernel's chain {@code m}, lent for the call
     * only and shared with other receivers: a sink never writes into the chain, and keeps only copies or
     * references to its external storage ({@code MbufCopy.lendPacket}), which is reference counted and
     * read-only while shared.
     * Flags as for {@link #receive(byte[], int, int, int)}, with the difference that the checksum can not
     * be finished in place.
     */
    default void receive(Mbuf m, int len, int csumFlags) {
        throw new UnsupportedOperationException(this + " takes frames as arrays");
    }
}
