package io.jrump.net;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What an interface's segmentation and checksum offload did, for {@code rump.ifconfig -v} and
 * {@code rump.netstat -s} ({@code net.link.offload}): the DART split of work (seed 002) between the stack,
 * which builds segments at {@code if_buflen}, and the adapter, which cuts them into wire frames and fills in
 * checksums.
 */
public final class IfOffloadStats {
    /** Packets larger than the MTU the stack handed to the adapter to segment ({@code M_CSUM_TSOv4}). */
    public final AtomicLong largeOut = new AtomicLong();
    /** Wire frames the adapter (hub, link emulator, tap driver) cut those packets into. */
    public final AtomicLong adapterSegments = new AtomicLong();
    /** Segments IP output cut itself for this interface (it could not segment, or a capture was attached). */
    public final AtomicLong stackSegments = new AtomicLong();
    /** TCP checksums the adapter finished that the stack left partial. */
    public final AtomicLong checksumsFilled = new AtomicLong();
    /** Received fragmented datagrams whose adapter checksum was adjusted for the repeated IP headers. */
    public final AtomicLong fragSumsAdjusted = new AtomicLong();

    /** {@code largeOut adapterSegments stackSegments checksumsFilled fragSumsAdjusted}, for the table. */
    String line() {
        return largeOut.get() + " " + adapterSegments.get() + " " + stackSegments.get() + " " + checksumsFilled.get()
                + " " + fragSumsAdjusted.get();
    }
}
