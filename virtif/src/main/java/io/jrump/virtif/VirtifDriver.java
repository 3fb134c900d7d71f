package io.jrump.virtif;

import io.jrump.hypercall.Errno;
import io.jrump.hypercall.HyperError;
import io.jrump.hypercall.Hypercall;
import io.jrump.kern.ErrnoException;
import io.jrump.net.IfReq;
import io.jrump.net.Ifnet;
import io.jrump.net.IfnetDriver;
import io.jrump.net.mbuf.Mbuf;
import io.jrump.net.mbuf.MbufCopy;

/**
 * The ifnet driver of a {@code virtN} interface: a Linux tap ({@link TapLink}), optionally behind a
 * {@link LinkEmulator}. Without the emulator a frame goes from the mbuf chain to the tap with one
 * {@code writev} and no intermediate frame buffer; with it the frame is flattened once, because the
 * emulator holds frames as arrays. {@code linkstr} ({@link VirtifLinkstr}) moves the interface to
 * another tap and puts an emulator in or takes it out; changing only the emulator keeps the tap open,
 * so the host's configuration of the tap (its namespace, addresses) survives.
 */
final class VirtifDriver implements IfnetDriver {
    private final Hypercall hc;
    private final byte[] frame = new byte[VirtifUser.MAX_FRAME];
    private volatile TapLink tap;
    private volatile LinkEmulator emulator;
    private volatile FrameSink sink;

    VirtifDriver(Hypercall hc, TapLink tap) {
        this.hc = hc;
        this.tap = tap;
    }

    /** Starts delivering the tap's frames to {@code ifp}. */
    void connect(Ifnet ifp) {
        sink = ifp::input;
        tap.setReceiver(sink);
        ifp.setLinkstr(tap.name());
        ifp.setLinkState(Ifnet.LINK_STATE_UP);
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
            } else if (e == null) {
                t.send(m);
            } else {
                int len = m.pkthdr().len();
                if (len > frame.length) {
                    ifp.countOutputError();
                    return;
                }
                synchronized (frame) {
                    MbufCopy.copydata(m, 0, len, frame, 0);
                    e.send(frame, 0, len);
                }
            }
        } catch (RuntimeException ex) {
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
        if (oldEmu != null) {
            oldEmu.close();
        }
        if (next != old) {
            if (ifp.mtu() != next.mtu()) {
                ifp.setMtu(next.mtu());
            }
            tap = next;
            if (old != null) {
                old.close();
            }
        }
        if (ls.emulator() != null) {
            LinkEmulator e = new LinkEmulator(hc, new Attachment(next), ls.emulator());
            e.setReceiver(sink);
            emulator = e;
        } else {
            next.setReceiver(sink);
        }
        ifp.setLinkstr(next.name() + (ls.emulator() == null ? "" : "," + ls.emulator()));
        ifp.setLinkState(Ifnet.LINK_STATE_UP);
    }

    @Override
    public synchronized void stop(Ifnet ifp) {
        LinkEmulator e = emulator;
        TapLink t = tap;
        emulator = null;
        tap = null;
        ifp.setLinkState(Ifnet.LINK_STATE_DOWN);
        if (e != null) {
            e.close();
        }
        if (t != null) {
            t.close();
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
