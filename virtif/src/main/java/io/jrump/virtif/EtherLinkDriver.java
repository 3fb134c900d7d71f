package io.jrump.virtif;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.net.IfReq;
import io.jrump.net.Ifnet;
import io.jrump.net.IfnetDriver;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import java.util.function.Function;

/**
 * The ifnet driver for any {@link EtherLink} (a hub port, a shmif bus, an emulated link): transmit
 * hands the chain to a link that {@link EtherLink#sendsChains() takes chains} and otherwise flattens it
 * into one reused frame buffer and sends that, receive hands frames to
 * {@link Ifnet#input(io.jrump.rumpnet.mbuf.Mbuf)} on the link's delivery thread, which acts as the interrupt.
 * With a link opener, {@code linkstr} (SIOCSLINKSTR) attaches it to a new link, as
 * {@code ifconfig shmif0 linkstr /tmp/bus} does on NetBSD.
 */
public final class EtherLinkDriver implements IfnetDriver {
    private final Function<String, EtherLink> opener;
    private final byte[] frame;
    private volatile EtherLink link;
    private volatile IfnetSink sink;

    /** A driver whose link comes later, from {@code linkstr}, opened by {@code opener} (null: fixed link). */
    public EtherLinkDriver(EtherLink link, Function<String, EtherLink> opener, int maxFrame) {
        this.link = link;
        this.opener = opener;
        this.frame = new byte[maxFrame];
    }

    /** Starts delivering the link's frames to {@code ifp}. */
    void connect(Ifnet ifp) {
        EtherLink l = link;
        if (l != null) {
            IfnetSink old = sink;
            IfnetSink s = new IfnetSink(ifp);
            sink = s;
            l.setReceiver(s);
            if (old != null) {
                old.closeTail();
            }
            l.setOffloadStats(ifp.offloadStats());
            // A link that segments (the hub, the link emulator) takes packets of a 64 KB if_buflen (DART, seed 002).
            boolean tso = l.segments();
            ifp.setCsumFlagsTx((l.carriesPartialChecksums() ? CsumFlags.M_CSUM_TCPv4 : 0)
                    | (tso ? CsumFlags.M_CSUM_TSOv4 : 0));
            ifp.setBuflenByDriver(tso ? Ifnet.MAX_BUFLEN : ifp.mtu());
            ifp.setBaudrate(l.baudrate());
            ifp.setLinkState(Ifnet.LINK_STATE_UP);
        }
    }

    public EtherLink link() {
        return link;
    }

    @Override
    public void transmit(Ifnet ifp, Mbuf m) {
        try {
            EtherLink l = link;
            int len = m.pkthdr().len();
            if (l != null && l.sendsChains()) {
                // The link checks the length against what it carries: a TSO packet is larger than the MTU.
                l.send(m, m.pkthdr().csumFlags() & (CsumFlags.M_CSUM_TCPv4 | CsumFlags.M_CSUM_TSOv4));
                return;
            }
            if (l == null || len > frame.length) {
                ifp.countOutputError();
                return;
            }
            synchronized (frame) {
                MbufCopy.copydata(m, 0, len, frame, 0);
                l.send(frame, 0, len, m.pkthdr().csumFlags() & CsumFlags.M_CSUM_TCPv4);
            }
        } catch (RuntimeException e) {
            ifp.countOutputError();
        } finally {
            ifp.mbufs().freeChain(m);
        }
    }

    @Override
    public void ioctl(Ifnet ifp, long cmd, IfReq req) throws ErrnoException {
        if (opener == null) {
            throw new ErrnoException(Errno.ENOTTY, ifp.name() + " has a fixed link");
        }
        if (req.linkstr == null || req.linkstr.isEmpty()) {
            throw new ErrnoException(Errno.EINVAL, "empty linkstr");
        }
        EtherLink n;
        try {
            n = opener.apply(req.linkstr);
        } catch (io.jrump.hypercall.HyperError e) {
            throw new ErrnoException(e.errno(), "cannot open bus " + req.linkstr + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new ErrnoException(Errno.EINVAL, "cannot open bus " + req.linkstr + ": " + e.getMessage());
        }
        EtherLink old = link;
        link = n;
        ifp.setLinkstr(req.linkstr);
        connect(ifp);
        if (old != null) {
            closeQuietly(old);
        }
    }

    @Override
    public void stop(Ifnet ifp) {
        EtherLink l = link;
        link = null;
        ifp.setLinkState(Ifnet.LINK_STATE_DOWN);
        if (l != null) {
            closeQuietly(l);
        }
        IfnetSink s = sink;
        if (s != null) {
            s.closeTail();
        }
    }

    private static void closeQuietly(EtherLink l) {
        try {
            l.close();
        } catch (Exception e) {
            // the link is going away either way
        }
    }
}
