package io.jrump.virtif;

import io.jrump.kern.sched.Lwp;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.kern.ErrnoException;
import io.jrump.net.IfOffloadStats;
import io.jrump.net.TsoSegmenter;
import java.util.Arrays;

/**
 * The ports of an in-process segment (a {@link Hub}, a {@link LearningSwitch}) and the delivery of one frame to
 * one of them or to every one but its sender, written once for both: how a frame reaches a sink (the sender's
 * mbuf chain, a lent array, cut large segments, finished checksums) does not depend on who chose the ports.
 *
 * <p>Attaching is amortised O(1): the port array has room to spare and doubles when full, and a sender reads an
 * immutable snapshot (the array and how many of its slots are in use), so attaching never copies the array for
 * every port and a delivery in progress never sees a half-made change. A detached port stays in the array,
 * skipped, until the detached ones are half of it; then the live ones are copied to a new array, so detaching is
 * amortised O(1) too and halting thousands of kernels does not copy the array once per port.
 */
final class PortSet {
    /** What a segment decides for each frame, before delivery. */
    interface Forwarding {
        /**
         * The port a frame goes to: {@code null} to flood it to every port but {@code from}, {@code from} to drop
         * it. {@code frame[off..)} holds at least the first {@code min(len, PEEK)} bytes of the
         * {@code len}-byte frame; it is read-only and lent for the call.
         */
        HubPort route(HubPort from, byte[] frame, int off, int len);
    }

    /** How much of a frame {@link Forwarding#route} may read: an Ethernet header and an IPv4 ARP packet. */
    static final int PEEK = EtherLink.HEADER_LEN + io.jrump.wire.ArpPacket.ETHERNET_IPV4_LEN;

    /** An immutable view of the ports: slots {@code [0, count)} of {@code array} never change once published. */
    private record Ports(HubPort[] array, int count) {
    }

    private final String name;
    private final String kind;
    private final int maxFrame;
    private final Forwarding forwarding;
    private final Object lock = new Object();
    private volatile Ports ports = new Ports(new HubPort[4], 0);
    private int detached;
    private int nextPort;
    private Lent[] spare = new Lent[4];
    /**
     * The frame a sender's chain is lent to sinks in, one per sending thread, so that the chain path, a bulk
     * transfer's, takes no pool lock.
     */
    private final ThreadLocal<RxFrame> chainFrames = ThreadLocal.withInitial(RxFrame::new);
    private int nspare;
    /** The one segmenter, one per sending thread, for a port whose sink takes only wire-sized frames. */
    private final ThreadLocal<TsoSegmenter> segmenters = ThreadLocal.withInitial(TsoSegmenter::new);

    /**
     * The ports of segment {@code name}, a {@code kind} ("hub", "switch") carrying frames up to {@code maxFrame}
     * bytes; {@code forwarding} null floods every frame, as a hub does.
     */
    PortSet(String name, String kind, int maxFrame, Forwarding forwarding) {
        if (maxFrame < EtherLink.HEADER_LEN) {
            throw new IllegalArgumentException(kind + " " + name + ": max frame " + maxFrame
                    + " is shorter than an Ethernet header");
        }
        this.name = name;
        this.kind = kind;
        this.maxFrame = maxFrame;
        this.forwarding = forwarding;
    }

    int maxFrame() {
        return maxFrame;
    }

    String kind() {
        return kind;
    }

    /** A new port; it gets frames sent after this returns. */
    HubPort attach() {
        synchronized (lock) {
            HubPort p = new HubPort(this, name + "." + nextPort++);
            Ports now = ports;
            HubPort[] a = now.array;
            if (now.count == a.length) {
                a = Arrays.copyOf(a, a.length * 2);
            }
            a[now.count] = p;
            ports = new Ports(a, now.count + 1);
            return p;
        }
    }

    /** Takes a closed port out; its slot is reclaimed once detached ports are half the array. */
    void detach(HubPort p) {
        synchronized (lock) {
            if (p.detached) {
                return;
            }
            p.detached = true;
            detached++;
            Ports now = ports;
            if (detached * 2 >= now.count) {
                HubPort[] live = new HubPort[Math.max(4, (now.count - detached) * 2)];
                int n = 0;
                for (int i = 0; i < now.count; i++) {
                    if (!now.array[i].detached) {
                        live[n++] = now.array[i];
                    }
                }
                ports = new Ports(live, n);
                detached = 0;
            }
        }
    }

    /** Ports attached and not closed. */
    int count() {
        synchronized (lock) {
            return ports.count - detached;
        }
    }

    /** The port {@code m}'s frame goes to, as {@link Forwarding#route} says; null (flood) without forwarding. */
    private HubPort route(HubPort from, Mbuf m, int len) {
        if (forwarding == null) {
            return null;
        }
        int peek = Math.min(len, PEEK);
        if (m.len() >= peek) {
            return forwarding.route(from, m.buf(), m.off(), len);
        }
        byte[] head = new byte[peek]; // a header split over mbufs: rare, drivers prepend it whole
        MbufCopy.copydata(m, 0, peek, head, 0);
        return forwarding.route(from, head, 0, len);
    }

    /**
     * Copies the frame once and lends the copy to the port forwarding chooses (every port but {@code from} for a
     * flood). A sink that throws does not keep the frame from the other ports; the first such exception is
     * rethrown to the sender once all have had it, so a broken receiver is noticed rather than hidden.
     */
    void send(HubPort from, byte[] frame, int off, int len, int csumFlags) {
        HubPort to = forwarding == null ? null : forwarding.route(from, frame, off, len);
        if (to == from) {
            return;
        }
        Ports ps = ports;
        int n = to != null ? 1 : ps.count;
        Lent lent = borrow();
        lent.frame.sender(from.senderLwp());
        RuntimeException failure = null;
        try {
            System.arraycopy(frame, off, lent.buf, 0, len);
            for (int i = 0; i < n; i++) {
                HubPort p = to != null ? to : ps.array[i];
                if (p != from && !p.isClosed()) {
                    try {
                        csumFlags = p.receive(lent.frame, lent.buf, len, csumFlags);
                    } catch (RuntimeException e) {
                        if (failure == null) {
                            failure = e;
                        }
                    }
                }
            }
        } finally {
            giveBack(lent);
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Delivers packet {@code m}'s frame as {@link #send(HubPort, byte[], int, int, int)} does: a port whose sink
     * takes the frame's offloads reads the sender's mbufs in place and shares their clusters, so only headers are
     * copied; for the others it is flattened once into a lent buffer (and a large TCP segment cut to wire size).
     */
    void send(HubPort from, Mbuf m, int len, int csumFlags) {
        HubPort to = route(from, m, len);
        if (to == from) {
            return;
        }
        Ports ps = ports;
        int n = to != null ? 1 : ps.count;
        RxFrame chain = chainFrames.get();
        Lwp sender = from.senderLwp();
        Lent flat = null;
        int flatFlags = csumFlags;
        RuntimeException failure = null;
        try {
            for (int i = 0; i < n; i++) {
                HubPort p = to != null ? to : ps.array[i];
                if (p == from || p.isClosed()) {
                    continue;
                }
                try {
                    int takes = p.offloads();
                    if (takes != 0 && (csumFlags & ~takes) == 0) {
                        // filled for each port: a sink that sends from inside its call refills it
                        p.receive(chain.chain(m, len, csumFlags).sender(sender));
                        continue;
                    }
                    if ((csumFlags & CsumFlags.M_CSUM_TSOv4) != 0) {
                        deliverSegments(from, p, m, takes);
                        continue;
                    }
                    if (flat == null) {
                        flat = borrow();
                        flat.frame.sender(sender);
                        MbufCopy.copydata(m, 0, len, flat.buf, 0);
                    }
                    flatFlags = p.receive(flat.frame, flat.buf, len, flatFlags);
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e;
                    }
                }
            }
        } finally {
            chain.clear();
            if (flat != null) {
                giveBack(flat);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * A large TCP segment, cut by the one {@link TsoSegmenter} for a port whose sink takes only wire-sized frames
     * (checksums left partial for a sink that takes that, else finished), each segment flattened into a lent
     * buffer; counted as the sender's adapter segments.
     */
    private void deliverSegments(HubPort from, HubPort p, Mbuf m, int takes) {
        Lent seg = borrow();
        boolean partial = (takes & CsumFlags.M_CSUM_TCPv4) != 0;
        IfOffloadStats st = from.offloadStats;
        seg.frame.sender(from.senderLwp());
        try {
            segmenters.get().cut(m, EtherLink.HEADER_LEN, !partial, s -> {
                try {
                    int n = s.pkthdr().len();
                    MbufCopy.copydata(s, 0, n, seg.buf, 0);
                    if (st != null) {
                        st.adapterSegments.incrementAndGet();
                        if (!partial) {
                            st.checksumsFilled.incrementAndGet();
                        }
                    }
                    p.receive(seg.frame, seg.buf, n, s.pkthdr().csumFlags() & CsumFlags.M_CSUM_TCPv4);
                } finally {
                    s.pool().freeChain(s);
                }
            });
        } catch (ErrnoException e) {
            // the sink throws no ErrnoException; nothing to do
        } finally {
            giveBack(seg);
        }
    }

    /** A frame buffer and the frame a delivery lends its sinks, pooled together. */
    private static final class Lent {
        final byte[] buf;
        final RxFrame frame = new RxFrame();

        Lent(int size) {
            buf = new byte[size];
        }
    }

    /**
     * A frame buffer from the pool: as many as there have been concurrent (or nested: a receiver answering from
     * inside its sink) deliveries, so a frame costs no allocation once the pool is that large.
     */
    private Lent borrow() {
        synchronized (lock) {
            if (nspare > 0) {
                Lent b = spare[--nspare];
                spare[nspare] = null;
                return b;
            }
        }
        return new Lent(maxFrame);
    }

    private void giveBack(Lent lent) {
        lent.frame.clear();
        synchronized (lock) {
            if (nspare == spare.length) {
                spare = Arrays.copyOf(spare, nspare * 2);
            }
            spare[nspare++] = lent;
        }
    }

    @Override
    public String toString() {
        return kind + " " + name + " (" + count() + " ports)";
    }
}
