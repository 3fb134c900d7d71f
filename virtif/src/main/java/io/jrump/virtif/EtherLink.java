package io.jrump.virtif;

import io.jrump.rumpnet.mbuf.Mbuf;

/**
 * One attachment to an Ethernet segment: the frame-level half of an interface driver, below the
 * kernel's {@code ifnet}. A hub port, a shmif bus attachment and a link emulator around either are all
 * links, so the interface code above is written once.
 *
 * <p>Frames are Ethernet II frames without preamble and FCS, as tap devices, shmif and pcap carry them.
 * A frame shorter than the 14-byte header or longer than {@link #maxFrame()} is not sent: it is
 * dropped and counted in {@link LinkStats#drops()}, because a driver on a real wire cannot put it there
 * either and the caller has nothing better to do with it than a real driver would.
 */
public interface EtherLink extends AutoCloseable {
    /** Length of the Ethernet header: destination, source, type. */
    int HEADER_LEN = 14;

    /**
     * The largest frame a link accepts unless configured otherwise: an IPv4 datagram of the largest
     * size (65535) behind an Ethernet header, so that a 64 KB-MTU test interface needs no
     * fragmentation.
     */
    int DEFAULT_MAX_FRAME = 65535 + HEADER_LEN;

    /**
     * Sends {@code frame[off..off+len)} onto the segment. The link copies what it needs before
     * returning and never keeps the caller's array, so the caller may reuse it at once (an mbuf is
     * freed when its driver's output returns).
     *
     * @throws IndexOutOfBoundsException if the range is not inside the array
     */
    void send(byte[] frame, int off, int len);

    /**
     * Whether frames may cross this link with their TCP checksum partial: true only for a link that never
     * leaves the JVM's memory and hands frames on unchanged (the {@link Hub}), where, as between virtio-net
     * guests on one host ({@code VIRTIO_NET_F_CSUM}), computing and checking the sum would only spend
     * CPU. The interface then offers checksum offload to IP ({@code Ifnet.csumFlagsTx}).
     */
    default boolean carriesPartialChecksums() {
        return false;
    }

    /**
     * {@link #send(byte[], int, int)} with offload flags: {@code M_CSUM_TCPv4} says the frame's TCP checksum
     * is partial. A link that does not {@link #carriesPartialChecksums() carry} such frames finishes the
     * checksum in the caller's array first.
     */
    default void send(byte[] frame, int off, int len, int csumFlags) {
        if (csumFlags != 0) {
            io.jrump.wire.ChecksumOffload.completeTcpInFrame(frame, off, len);
        }
        send(frame, off, len);
    }

    /**
     * Whether {@link #send(Mbuf, int)} takes a frame as the sender's mbuf chain, read in place during the
     * call: true for a link that copies frames in memory (the {@link Hub}), so that a frame crosses from one
     * kernel's mbufs to the other's in one copy instead of being flattened first. A driver sends arrays to
     * any other link.
     */
    default boolean sendsChains() {
        return false;
    }

    /**
     * Sends the frame held by packet {@code m} (its {@code pkthdr.len} bytes) without taking it: the caller
     * still owns and frees the chain when this returns. Offload flags as for
     * {@link #send(byte[], int, int, int)}. Only for a link that {@link #sendsChains() sends chains}.
     *
     * @throws UnsupportedOperationException on any other link
     */
    default void send(Mbuf m, int csumFlags) {
        throw new UnsupportedOperationException(this + " sends frames as arrays");
    }

    /**
     * Whether the link takes TCP packets built at {@code if_buflen} ({@code M_CSUM_TSOv4}) through
     * {@link #send(Mbuf, int)} and cuts them into wire frames itself (DART's adapter, seed 002): a link that takes
     * chains in memory, partial checksums and frames of a whole IP datagram (the {@link Hub}), and the
     * {@link LinkEmulator}, which cuts at its entry. The driver then offers TSO and a 64 KB {@code if_buflen}.
     */
    default boolean segments() {
        return carriesPartialChecksums() && sendsChains() && maxFrame() >= DEFAULT_MAX_FRAME;
    }

    /**
     * The rate the link sends at, in bits per second, if it has one (the {@link LinkEmulator}'s {@code rate=}),
     * else 0: the driver gives it the interface as {@code if_baudrate}, which DART's {@code sockbuf auto} multiplies
     * by the round trip (seed 002). A link in memory has no rate of its own.
     */
    default long baudrate() {
        return 0;
    }

    /** Where the link counts the segments it cuts and the checksums it finishes for the interface; none by default. */
    default void setOffloadStats(io.jrump.net.IfOffloadStats stats) {
    }

    /**
     * Sets where arriving frames go; {@code null} drops them (counted), as an interface that is down
     * does. Frames are delivered on the link's delivery thread; see {@link FrameSink}.
     */
    void setReceiver(FrameSink sink);

    /** The largest frame, header included, that {@link #send} accepts. */
    int maxFrame();

    /** A snapshot of the counters ({@code netstat -i} for the link). */
    LinkStats stats();

    /** Detaches from the segment; later sends are dropped and counted, nothing more is delivered. */
    @Override
    void close();
}
