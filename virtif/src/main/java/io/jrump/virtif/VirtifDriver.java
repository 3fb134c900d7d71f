package io.jrump.virtif;

import io.jrump.hypercall.Errno;
import io.jrump.hypercall.HyperError;
import io.jrump.hypercall.Hypercall;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Lwp;
import io.jrump.net.IfReq;
import io.jrump.net.Ifnet;
import io.jrump.net.IfnetDriver;
import io.jrump.net.TsoSegmenter;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;

/**
 * The ifnet driver of a {@code virtN} interface: a Linux tap ({@link TapLink}), optionally behind a
 * {@link LinkEmulator}. Without the emulator a frame goes from the mbuf chain to the tap with one
 * {@code writev} and no intermediate frame buffer; with it the emulator takes the chain and flattens each wire
 * frame once, because it holds frames as arrays. {@code linkstr} ({@link VirtifLinkstr}) moves the interface to
 * another tap and puts an emulator in or takes it out; changing only the emulator keeps the tap open,
 * so the host's configuration of the tap (its namespace, addresses) survives.
 *
 * <p>Offload ({@code tso4} in the linkstr, on unless {@code -tso4}): the interface offers IP the TCP/IPv4
 * checksum and segmentation ({@code M_CSUM_TCPv4 | M_CSUM_TSOv4} in {@code if_csum_flags_tx}), which the tap
 * passes to Linux in the virtio header, and Linux may hand the interface partial checksums and 64 KB TCP
 * segments. Both ends are in one host's memory, so the checksum guards against nothing a virtio-net guest's
 * would not, and a segment cut at the wire MTU by the rump kernel only to be merged again by Linux (or the
 * other way round) costs a frame's fixed price 40 times per 64 KB: DART's point (seed 002) that segmentation
 * belongs at the device's buffer size, {@code if_buflen}. It is on by default for that reason, as QEMU's
 * tap backend has it on for its guests, and the interface's {@code if_buflen} is then 64 KB. The adapter
 * segments where Linux cannot: with a link emulator in between, the emulator cuts large segments at its entry
 * and finishes checksums before it can damage a frame (Linux is then told to hand over wire-sized frames, which
 * the emulator impairs); on a tap that refuses offload ({@code TUNSETOFFLOAD}), this driver cuts them with the
 * one {@link TsoSegmenter} and finishes their checksums.
 */
final class VirtifDriver implements IfnetDriver {
    /**
     * The interface's input queue, in frames: as long as the queue Linux keeps on its side of a tap
     * ({@code txqueuelen}, 1000 by default), rather than {@code IFQ_MAXLEN}'s 256. Between the tap reader and
     * the softint it absorbs what a sender with a 2 MB window (TCP's receive buffer grows that far) puts in
     * flight at once, some 1400 frames of 1500 bytes; with 256 the bursts overflowed it and TCP recovered
     * losses the link never had. Frames held there are mbufs, so the kernel's mbuf limit still bounds it.
     */
    static final int INPUT_QUEUE = 1024;

    /** Offload when the linkstr does not say: on (see above). */
    static final boolean DEFAULT_OFFLOAD = true;

    private final Hypercall hc;
    private volatile TapLink tap;
    private volatile LinkEmulator emulator;
    private volatile LinkEmulatorConfig emulatorConfig;
    private volatile IfnetSink sink;
    private volatile boolean offload = DEFAULT_OFFLOAD;
    /** Whether Linux takes our large segments and partial checksums (and hands over its own). */
    private volatile boolean hostGso;
    private final ThreadLocal<TsoSegmenter> segmenters = ThreadLocal.withInitial(TsoSegmenter::new);

    VirtifDriver(Hypercall hc, TapLink tap) {
        this.hc = hc;
        this.tap = tap;
    }

    /** Starts delivering the tap's frames to {@code ifp}. */
    void connect(Ifnet ifp) {
        sink = new IfnetSink(ifp);
        ifp.inputQueue().setMaxLength(INPUT_QUEUE);
        tap.setReceiver(sink);
        applyOffload(ifp);
        ifp.setLinkstr(linkstr());
        ifp.setLinkState(Ifnet.LINK_STATE_UP);
    }

    /** Whether offload is asked for and there is a tap: the interface then takes packets of a 64 KB if_buflen. */
    boolean offloading() {
        return offload && tap != null;
    }

    /**
     * Makes the tap and the interface's transmit flags agree with {@link #offloading()}. The transmit flags
     * go off before the tap's and on after: a frame IP built for the old setting still goes out right,
     * because the tap takes partial checksums and large segments from us whatever Linux was told. Linux is
     * asked to take and give offload only without an emulator; where it refuses, the driver segments.
     */
    private void applyOffload(Ifnet ifp) {
        TapLink t = tap;
        boolean on = offloading();
        boolean host = on && emulator == null;
        if (!on) {
            ifp.setCsumFlagsTx(0);
        }
        if (t != null && !t.setOffload(host)) {
            host = false;
            t.setOffload(false);
        }
        hostGso = host;
        LinkEmulator e = emulator;
        if (e != null) {
            e.setOffloadStats(ifp.offloadStats());
        }
        // Without Linux's help only large segments are worth offloading: this driver cuts them and sums each.
        ifp.setCsumFlagsTx(!on ? 0 : host ? CsumFlags.M_CSUM_TCPv4 | CsumFlags.M_CSUM_TSOv4
                : e != null && e.carriesPartialChecksums() ? CsumFlags.M_CSUM_TCPv4 | CsumFlags.M_CSUM_TSOv4
                : CsumFlags.M_CSUM_TSOv4);
        ifp.setBuflenByDriver(on ? Ifnet.MAX_BUFLEN : ifp.mtu());
    }

    /** What {@code ifconfig} shows as the linkstr: tap, emulator and {@code -tso4} if offload was turned off. */
    private String linkstr() {
        TapLink t = tap;
        LinkEmulatorConfig e = emulator == null ? null : emulatorConfig;
        return (t == null ? "none" : t.name()) + (e == null ? "" : "," + e)
                + (offload ? "" : ",-" + VirtifLinkstr.TSO4);
    }

    TapLink tap() {
        return tap;
    }

    LinkEmulator emulator() {
        return emulator;
    }

    @Override
    public void transmit(Ifnet ifp, Mbuf m) {
        try {
            LinkEmulator e = emulator;
            TapLink t = tap;
            if (t == null) {
                ifp.countOutputError();
            } else if (e != null) {
                e.send(m, m.pkthdr().csumFlags() & (CsumFlags.M_CSUM_TCPv4 | CsumFlags.M_CSUM_TSOv4));
            } else if (!hostGso && TsoSegmenter.isLarge(m)) {
                segmenters.get().cut(m, EtherLink.HEADER_LEN, true, seg -> {
                    try {
                        ifp.offloadStats().adapterSegments.incrementAndGet();
                        ifp.offloadStats().checksumsFilled.incrementAndGet();
                        t.send(seg);
                    } finally {
                        seg.pool().freeChain(seg);
                    }
                });
            } else {
                t.send(m);
            }
        } catch (RuntimeException | ErrnoException ex) {
            ifp.countOutputError();
        } finally {
            ifp.mbufs().freeChain(m);
        }
    }

    @Override
    public synchronized void ioctl(Ifnet ifp, long cmd, IfReq req) throws ErrnoException {
        if (req.linkstr == null) {
            throw new ErrnoException(Errno.EINVAL, "empty linkstr");
        }
        VirtifLinkstr ls;
        try {
            ls = VirtifLinkstr.parse(req.linkstr);
        } catch (IllegalArgumentException e) {
            throw new ErrnoException(Errno.EINVAL, ifp.name() + ": bad linkstr: " + e.getMessage());
        }
        if (!ls.linkGiven()) {
            if (tap == null) {
                throw new ErrnoException(Errno.ENXIO, ifp.name() + " has no tap: name one in the linkstr");
            }
            offload = ls.offload();
            applyOffload(ifp);
            ifp.setLinkstr(linkstr());
            return;
        }
        TapLink old = tap;
        TapLink next = old;
        if (ls.tap() != null && (old == null || !ls.tap().equals(old.name()))) {
            try {
                next = TapLink.open(hc, ls.tap());
            } catch (HyperError e) {
                throw new ErrnoException(e.errno(), ifp.name() + ": cannot open tap: " + e.getMessage());
            }
        }
        if (next == null) {
            throw new ErrnoException(Errno.ENXIO, ifp.name() + " has no tap: name one in the linkstr");
        }
        LinkEmulator oldEmu = emulator;
        emulator = null;
        if (next != old) {
            if (ifp.mtu() != next.mtu()) {
                ifp.setMtu(next.mtu());
            }
            tap = next;
        }
        closeLinks(ifp, oldEmu, next != old ? old : null);
        if (ls.offload() != null) {
            offload = ls.offload();
        }
        if (ls.emulator() != null) {
            LinkEmulator e = new LinkEmulator(hc, new Attachment(next), ls.emulator());
            emulatorConfig = ls.emulator();
            emulator = e;
            applyOffload(ifp);
            e.setReceiver(sink);
        } else {
            next.setReceiver(sink);
            applyOffload(ifp);
        }
        ifp.setLinkstr(linkstr());
        ifp.setLinkState(Ifnet.LINK_STATE_UP);
    }

    @Override
    public synchronized void stop(Ifnet ifp) {
        LinkEmulator e = emulator;
        TapLink t = tap;
        emulator = null;
        tap = null;
        ifp.setCsumFlagsTx(0);
        ifp.setBuflenByDriver(ifp.mtu());
        ifp.setLinkState(Ifnet.LINK_STATE_DOWN);
        closeLinks(ifp, e, t);
    }

    /**
     * Closes the links that are out of use (either may be null), and with a tap that goes, its receive thread's
     * interrupt tail: what that still has pending goes to a softint thread. Closing a tap joins its receive
     * thread, which may be waiting for a CPU to run its tail, so the caller's CPU is given up meanwhile.
     */
    private void closeLinks(Ifnet ifp, LinkEmulator e, TapLink t) {
        if (e == null && t == null) {
            return;
        }
        Kernel k = ifp.interfaces().kernel();
        Lwp l = k.curlwp();
        int depth = l == null ? -1 : k.scheduler().unschedForHost(l, null);
        try {
            if (e != null) {
                e.close();
            }
            IfnetSink s = sink;
            if (t != null) {
                t.close();
                // still without a CPU: a receive thread that outlived the join may hold the tail, waiting for one
                if (s != null) {
                    s.closeTail();
                }
            }
        } finally {
            if (l != null) {
                k.scheduler().schedAfterHost(l, depth);
            }
        }
    }

    /**
     * The tap as the emulator's inner link. The emulator closes its inner link when it is closed; this
     * attachment then only stops passing frames, because the tap outlives a change of emulator.
     */
    private static final class Attachment implements EtherLink {
        private final TapLink tap;
        private volatile boolean closed;

        Attachment(TapLink tap) {
            this.tap = tap;
        }

        @Override
        public void send(byte[] frame, int off, int len) {
            if (!closed) {
                tap.send(frame, off, len);
            }
        }

        @Override
        public void setReceiver(FrameSink s) {
            if (!closed) {
                tap.setReceiver(s);
            }
        }

        @Override
        public int maxFrame() {
            return tap.maxFrame();
        }

        @Override
        public LinkStats stats() {
            return tap.stats();
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
