package io.jrump.virtif;

import io.jrump.kern.intr.Softints;
import io.jrump.net.Ifnet;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;

/**
 * An interface's receive interrupt: every frame a link delivers becomes one mbuf chain with its offload
 * flags and goes to the interface's one entry point, {@link Ifnet#input(Mbuf)}. The interface's
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

    /** Partial TCP checksums and large TCP segments whole: the interface's protocols take both. */
    @Override
    public int offloads() {
        return CsumFlags.M_CSUM_TCPv4 | CsumFlags.M_CSUM_TSOv4;
    }

    /**
     * The frame as an mbuf chain of the interface's pool (the sender's clusters lent, a lent buffer copied
     * once) with its offload flags, into {@link Ifnet#input}; a frame that finds no mbufs is a counted drop.
     */
    @Override
    public void receive(RxFrame f) {
        enter(f.toMbufs(ifp.mbufs()));
    }

    /** Not called by links (this sink takes offload); a wire-ready frame, copied into mbufs. */
    @Override
    public void receive(byte[] f, int off, int len) {
        enter(MbufCopy.fromBytes(ifp.mbufs(), f, off, len));
    }

    private void enter(Mbuf m) {
        if (m == null) {
            ifp.countInputDrop();
        } else {
            FragmentSum.apply(m, ifp.offloadStats());
            ifp.input(m);
        }
    }
}
