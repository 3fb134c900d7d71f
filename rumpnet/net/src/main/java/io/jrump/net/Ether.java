package io.jrump.net;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufChain;
import io.jrump.rumpnet.mbuf.MbufFlags;
import io.jrump.wire.EthernetFrame;
import io.jrump.wire.MacAddress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ethernet input and output ({@code if_ethersubr.c}): demultiplexing by ethertype to registered
 * protocols, filtering frames not addressed to us, and prepending the header on output.
 */
public final class Ether {
    private static final int MAX_TYPES = 8;
    private final int[] types = new int[MAX_TYPES];
    private final EtherTypeHandler[] handlers = new EtherTypeHandler[MAX_TYPES];
    private int count;
    private final ThreadLocal<EthernetFrame> views = ThreadLocal.withInitial(EthernetFrame::new);
    final AtomicLong badFrames = new AtomicLong();
    final AtomicLong notForUs = new AtomicLong();

    /** Registers the protocol for an ethertype ({@code ETHERTYPE_IP}, {@code ETHERTYPE_ARP}). */
    public synchronized void register(int etherType, EtherTypeHandler h) {
        for (int i = 0; i < count; i++) {
            if (types[i] == etherType) {
                handlers[i] = h;
                return;
            }
        }
        if (count == MAX_TYPES) {
            throw new IllegalStateException("too many ethertypes");
        }
        types[count] = etherType;
        handlers[count] = h;
        count++;
    }

    public synchronized void unregister(int etherType) {
        for (int i = 0; i < count; i++) {
            if (types[i] == etherType) {
                types[i] = types[count - 1];
                handlers[i] = handlers[count - 1];
                handlers[--count] = null;
                return;
            }
        }
    }

    private EtherTypeHandler handler(int type) {
        for (int i = 0; i < count; i++) {
            if (types[i] == type) {
                return handlers[i];
            }
        }
        return null;
    }

    /** {@code ether_input}: runs at softint level with a complete frame; consumes {@code m}. */
    void input(Ifnet ifp, Mbuf m) {
        Mbuf h = MbufChain.pullup(m, EthernetFrame.HEADER_LEN);
        if (h == null) {
            badFrames.incrementAndGet();
            ifp.countInputError();
            return;
        }
        m = h;
        EthernetFrame f = views.get().wrap(m.buf(), m.off(), m.len());
        long dst = f.destination();
        int type = f.etherType();
        boolean bcast = MacAddress.isBroadcast(dst);
        if (bcast) {
            m.setFlags(MbufFlags.M_BCAST);
        } else if (MacAddress.isMulticast(dst)) {
            m.setFlags(MbufFlags.M_MCAST);
        } else if (dst != ifp.lladdr() && ifp.type() != Ifnet.IFT_LOOP && (ifp.flags() & Ifnet.IFF_PROMISC) == 0) {
            notForUs.incrementAndGet();
            ifp.mbufs().freeChain(m);
            return;
        }
        if (type < 0x0600) {
            // 802.3 length field: no LLC/SNAP protocols here
            ifp.countNoProto();
            ifp.mbufs().freeChain(m);
            return;
        }
        EtherTypeHandler eh = handler(type);
        if (eh == null) {
            ifp.countNoProto();
            ifp.mbufs().freeChain(m);
            return;
        }
        MbufChain.adj(m, EthernetFrame.HEADER_LEN);
        eh.input(ifp, m, bcast);
    }

    /**
     * {@code ether_output} after address resolution: prepends the header and sends. Consumes
     * {@code m}; ENOBUFS if no room for the header could be found.
     */
    public void output(Ifnet ifp, Mbuf m, long dstMac, int etherType) throws ErrnoException {
        Mbuf h = MbufChain.prepend(m, EthernetFrame.HEADER_LEN);
        if (h == null) {
            ifp.countOutputError();
            throw new ErrnoException(Errno.ENOBUFS, "no mbuf for the link header");
        }
        EthernetFrame f = views.get().wrap(h.buf(), h.off(), h.len());
        f.setDestination(dstMac);
        f.setSource(ifp.lladdr());
        f.setEtherType(etherType);
        ifp.output(h);
    }

    public long badFrames() {
        return badFrames.get();
    }

    public long notForUs() {
        return notForUs.get();
    }
}
