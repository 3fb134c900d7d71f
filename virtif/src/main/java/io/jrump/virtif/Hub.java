package io.jrump.virtif;

import static com.google.common.base.Preconditions.checkArgument;

import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.wire.SegmentationOffload;
import java.util.Arrays;
import java.util.Objects;

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
 */
public final class Hub {
    private static final HubPort[] NO_PORTS = new HubPort[0];

    private final String name;
    private final int maxFrame;
    private final Object lock = new Object();
    private volatile HubPort[] ports = NO_PORTS;
    private byte[][] spare = new byte[4][];
    private int nspare;
    private int nextPort;

    /** A hub that carries frames up to {@link EtherLink#DEFAULT_MAX_FRAME} bytes. */
    public Hub(String name) {
        this(name, EtherLink.DEFAULT_MAX_FRAME);
    }

    /** A hub that carries frames up to {@code maxFrame} bytes, header included. */
    public Hub(String name, int maxFrame) {
        this.name = Objects.requireNonNull(name, "name");
        checkArgument(maxFrame >= EtherLink.HEADER_LEN, "hub %s: max frame %s is shorter than an Ethernet header",
                name, maxFrame);
        this.maxFrame = maxFrame;
    }

    /** Attaches a new port; it sees frames sent after this call returns. */
    public EtherLink attach() {
        synchronized (lock) {
            HubPort p = new HubPort(this, name + "." + nextPort++);
            HubPort[] now = Arrays.copyOf(ports, ports.length + 1);
            now[now.length - 1] = p;
            ports = now;
            return p;
        }
    }

    public String name() {
        return name;
    }

    public int maxFrame() {
        return maxFrame;
    }

    /** Ports currently attached. */
    public int portCount() {
        return ports.length;
    }

    void detach(HubPort p) {
        synchronized (lock) {
            HubPort[] old = ports;
            int i = Arrays.asList(old).indexOf(p);
            if (i < 0) {
                return;
            }
            HubPort[] now = new HubPort[old.length - 1];
            System.arraycopy(old, 0, now, 0, i);
            System.arraycopy(old, i + 1, now, i, old.length - i - 1);
            ports = now;
        }
    }

    /**
     * Copies the frame once and lends the copy to every port but {@code from}. A sink that throws does
     * not keep the frame from the other ports; the first such exception is rethrown to the sender once
     * all have had it, so a broken receiver is noticed rather than hidden.
     */
    void deliver(HubPort from, byte[] frame, int off, int len, int csumFlags) {
        byte[] buf = borrow();
        RuntimeException failure = null;
        try {
            System.arraycopy(frame, off, buf, 0, len);
            for (HubPort p : ports) {
                if (p != from) {
                    try {
                        csumFlags = p.receive(buf, len, csumFlags);
                    } catch (RuntimeException e) {
                        if (failure == null) {
                            failure = e;
                        }
                    }
                }
            }
        } finally {
            giveBack(buf);
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Delivers packet {@code m}'s frame to every port but {@code from}: a port whose sink takes chains reads
     * the sender's mbufs in place and shares their clusters, so only headers are copied; for the others it
     * is flattened once into a lent buffer. Failures as for the array form.
     */
    void deliver(HubPort from, Mbuf m, int len, int csumFlags) {
        byte[] flat = null;
        int flatFlags = csumFlags;
        RuntimeException failure = null;
        try {
            for (HubPort p : ports) {
                if (p == from) {
                    continue;
                }
                try {
                    if (p.takesChain(csumFlags)) {
                        p.receive(m, len, csumFlags);
                    } else if ((csumFlags & CsumFlags.M_CSUM_TSOv4) != 0) {
                        if (flat == null) {
                            flat = borrow();
                            MbufCopy.copydata(m, 0, len, flat, 0);
                        }
                        deliverSegments(p, flat, len, m.pkthdr().csumData());
                    } else {
                        if (flat == null) {
                            flat = borrow();
                            MbufCopy.copydata(m, 0, len, flat, 0);
                        }
                        flatFlags = p.receive(flat, len, flatFlags);
                    }
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e;
                    }
                }
            }
        } finally {
            if (flat != null) {
                giveBack(flat);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** A large TCP segment, cut for a port whose sink takes only wire-sized frames. */
    private void deliverSegments(HubPort p, byte[] frame, int len, int mss) {
        byte[] seg = borrow();
        try {
            for (int i = 0; ; i++) {
                int n = SegmentationOffload.segment(frame, len, mss, i, seg);
                if (n < 0) {
                    break;
                }
                p.receive(seg, n, 0);
            }
        } finally {
            giveBack(seg);
        }
    }

    private byte[] borrow() {
        synchronized (lock) {
            if (nspare > 0) {
                byte[] b = spare[--nspare];
                spare[nspare] = null;
                return b;
            }
        }
        return new byte[maxFrame];
    }

    private void giveBack(byte[] buf) {
        synchronized (lock) {
            if (nspare == spare.length) {
                spare = Arrays.copyOf(spare, nspare * 2);
            }
            spare[nspare++] = buf;
        }
    }

    @Override
    public String toString() {
        return "hub " + name + " (" + ports.length + " ports)";
    }
}
