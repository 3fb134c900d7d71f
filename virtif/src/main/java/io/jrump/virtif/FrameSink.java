package io.jrump.virtif;

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
}
