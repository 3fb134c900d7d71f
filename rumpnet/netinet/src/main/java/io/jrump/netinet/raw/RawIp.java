package io.jrump.netinet.raw;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.mem.Kmem;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.net.Ifnet;
import io.jrump.netinet.Counters;
import io.jrump.netinet.Inet;
import io.jrump.netinet.pcb.InPcb;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.socket.Protosw;
import io.jrump.rumpnet.socket.Socket;
import io.jrump.wire.Ipv4Packet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Raw IP sockets ({@code raw_ip.c}): every datagram of a protocol is offered to the raw sockets open
 * for it, as copies with the IP header included, which is how {@code ping} reads ICMP echo replies.
 */
public final class RawIp {
    private final Inet inet;
    private final CopyOnWriteArrayList<InPcb> pcbs = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Ipv4Packet> views = ThreadLocal.withInitial(Ipv4Packet::new);
    private final ThreadLocal<SockAddr> from = ThreadLocal.withInitial(SockAddr::new);
    private final Counters stats = new Counters("rip", "datagrams delivered to raw sockets",
            "dropped due to full socket buffers");

    public RawIp(Inet inet) {
        this.inet = inet;
    }

    public Counters stats() {
        return stats;
    }

    /** The socket entry points of a raw socket for IP protocol {@code protocol} (0: every protocol). */
    public Protosw usrreq(int protocol) {
        return new RawUsrreq(inet, protocol);
    }

    /** Every raw socket's pcb, for {@code net.inet.raw.pcblist}. */
    public java.util.List<InPcb> pcbs() {
        return java.util.Collections.unmodifiableList(pcbs);
    }

    /** Adds a raw socket's pcb, charged to kernel memory as {@link InPcb#KMEM_BYTES}; ENOBUFS past the limit. */
    void add(InPcb p) throws ErrnoException {
        Kmem kmem = inet.kernel().kmem();
        if (!kmem.alloc(kmem.type(InPcb.KMEM_TYPE), InPcb.KMEM_BYTES)) {
            throw new ErrnoException(Errno.ENOBUFS, "no kernel memory for a raw pcb");
        }
        pcbs.add(p);
    }

    /** Removes a pcb, giving its memory back; a second call does nothing. */
    void remove(InPcb p) {
        if (pcbs.remove(p)) {
            Kmem kmem = inet.kernel().kmem();
            kmem.free(kmem.type(InPcb.KMEM_TYPE), InPcb.KMEM_BYTES);
        }
    }

    /** Removes every pcb: the kernel halts. */
    public void stop() {
        for (InPcb p : pcbs) {
            remove(p);
        }
    }

    /** Offers a copy of the datagram to matching raw sockets; true if at least one took it. Never consumes {@code m}. */
    public boolean deliver(Mbuf m, int hlen, Ifnet ifp) {
        if (pcbs.isEmpty()) {
            return false;
        }
        Ipv4Packet ip = views.get().wrap(m.buf(), m.off(), m.len());
        int proto = ip.protocol();
        int src = ip.source();
        int dst = ip.destination();
        boolean took = false;
        for (InPcb p : pcbs) {
            int pproto = p.proto();
            int laddr = p.laddr();
            int faddr = p.faddr();
            if ((pproto != 0 && pproto != proto) || (laddr != 0 && laddr != dst) || (faddr != 0 && faddr != src)) {
                continue;
            }
            Mbuf copy = MbufCopy.copym(m, 0, Mbuf.COPYALL);
            if (copy == null) {
                continue;
            }
            Socket so = p.socket();
            SockAddr a = from.get();
            a.set(SocketDefs.AF_INET, src, 0);
            so.lock().enter();
            try {
                if (so.isFreed() || !so.rcv.appendAddr(a, copy)) {
                    stats.inc(1);
                    inet.mbufs().freeChain(copy);
                } else {
                    stats.inc(0);
                    took = true;
                    so.sorwakeup();
                }
            } finally {
                so.lock().exit();
            }
        }
        return took;
    }
}
