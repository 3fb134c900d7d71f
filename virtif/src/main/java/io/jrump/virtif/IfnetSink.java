package io.jrump.virtif;

import io.jrump.kern.intr.Softints;
import io.jrump.net.Ifnet;
import io.jrump.rumpnet.mbuf.Mbuf;
import java.nio.ByteBuffer;

/**
 * An interface's receive interrupt: every form a link delivers a frame in goes to {@link Ifnet#input}, and
 * chains and host buffers are taken whenever no capture tap needs finished checksums. The interface's
 * softints (its input, and through it IP and TCP input) run at the tail of each burst a receive thread
 * ends ({@link #endOfBurst}, {@link Softints#interruptTail}), on that thread, so a frame reaches its socket
 * without waking a softint thread; a link that never ends a burst (a hub, a bus reader, the emulator's
 * timer) leaves them to CPU 0's softint thread.
 */
final class IfnetSink implements FrameSink {
    private final Ifnet ifp;
    private volatile Softints.InterruptTail tail;

    IfnetSink(Ifnet ifp) {
        this.ifp = ifp;
    }

    /**
     * A burst that ended with the link empty is finished here, on the receive thread; one cut short with
     * frames waiting goes to a softint thread, so that reading the next burst and the protocols' work on
     * this one run side by side (a stream of wire-sized frames keeps bursts full).
     */
    @Override
    public void endOfBurst(boolean more) {
        Softints.InterruptTail t = tail;
        if (t == null || !t.isOwner()) {
            // the first burst, or a new receive thread after the link changed
            if (t != null) {
                t.close();
            }
            t = tail = ifp.interfaces().kernel().softints().interruptTail("rx " + ifp.name());
        }
        if (more) {
            t.defer();
        } else {
            t.run();
        }
    }

    /** After the receive thread has ended: what its tail still has pending goes to a softint thread. */
    void closeTail() {
        Softints.InterruptTail t = tail;
        if (t != null) {
            t.close();
            tail = null;
        }
    }

    @Override
    public void receive(byte[] f, int off, int len) {
        ifp.input(f, off, len);
    }

    @Override
    public boolean acceptsPartialChecksums() {
        return true;
    }

    @Override
    public void receive(byte[] f, int off, int len, int csumFlags) {
        ifp.input(f, off, len, csumFlags);
    }

    @Override
    public boolean acceptsSegmentationOffload() {
        return true;
    }

    @Override
    public void receive(byte[] f, int off, int len, int csumFlags, int segSize) {
        ifp.input(f, off, len, csumFlags, segSize);
    }

    @Override
    public boolean acceptsChains() {
        return !ifp.hasTaps();
    }

    @Override
    public void receive(Mbuf m, int len, int csumFlags) {
        ifp.input(m, len, csumFlags);
    }

    @Override
    public boolean acceptsBuffers() {
        return !ifp.hasTaps();
    }

    @Override
    public void receive(ByteBuffer f, int off, int len, int csumFlags, int segSize) {
        ifp.input(f, off, len, csumFlags, segSize);
    }
}
