package io.jrump.netinet.ip;

import io.jrump.kern.intr.Callout;
import io.jrump.kern.sysctl.SysctlNode;
import io.jrump.net.Ifnet;
import io.jrump.netinet.Counters;
import io.jrump.netinet.Inet;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufChain;
import io.jrump.wire.IcmpCode;
import io.jrump.wire.IcmpType;
import io.jrump.wire.InternetChecksum;
import io.jrump.wire.Ipv4Packet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * IPv4 reassembly (RFC 791 section 3.2, RFC 815), with the defences a host on a hostile network
 * needs: a bounded number of datagrams in progress ({@code net.inet.ip.maxfragpackets}) and of
 * fragments per datagram ({@code net.inet.ip.maxfrags}), a timeout ({@code IPFRAGTTL}, 30 s) after
 * which the first fragment is answered with ICMP time exceeded, overlapping fragments (the teardrop
 * attack, and RFC 5722's reasoning for IPv6) dropping the whole datagram, and a datagram that would
 * pass 65535 bytes (the "ping of death") dropped before it is ever assembled. Each case is counted.
 */
final class IpReassembly {
    static final long FRAG_TTL_NANOS = 30_000_000_000L;

    private final Inet inet;
    private final Counters st;
    private final SysctlNode maxPackets;
    private final SysctlNode maxFrags;
    private final List<FragQueue> queues = new ArrayList<>();
    private final Callout timer;
    private final Ipv4Packet view = new Ipv4Packet();
    private boolean timerArmed;
    private boolean stopped;

    /** One datagram being reassembled ({@code struct ipq}). */
    private static final class FragQueue {
        final int src;
        final int dst;
        final int id;
        final int proto;
        final long expires;
        final Ifnet ifp;
        final List<Frag> frags = new ArrayList<>();
        int totalLen = -1;
        Mbuf first;

        FragQueue(int src, int dst, int id, int proto, long expires, Ifnet ifp) {
            this.src = src;
            this.dst = dst;
            this.id = id;
            this.proto = proto;
            this.expires = expires;
            this.ifp = ifp;
        }
    }

    /**
     * A fragment's data (header stripped, except for offset 0, which keeps its header), and the sum of its
     * payload the adapter gave ({@code M_CSUM_DATA}, DART's adjusted checksum), or -1.
     */
    private record Frag(int off, int len, Mbuf m, int sum) {
    }

    IpReassembly(Inet inet) {
        this.inet = inet;
        this.st = inet.ipStats();
        this.maxPackets = inet.kernel().sysctl().createInt("net.inet.ip.maxfragpackets",
                "Datagrams being reassembled at once", 200, SysctlNode.READWRITE, v -> v >= 0);
        this.maxFrags = inet.kernel().sysctl().createInt("net.inet.ip.maxfrags",
                "Fragments per datagram", 128, SysctlNode.READWRITE, v -> v > 0);
        this.timer = inet.kernel().callouts().create("ip reassembly", this::expire);
    }

    private long now() {
        return inet.kernel().hypercall().clock().monotonicNanos();
    }

    /**
     * Adds a fragment (whole datagram in {@code m}, header contiguous); returns the complete datagram,
     * header first with fragment fields cleared, once every piece is there, else null.
     */
    synchronized Mbuf insert(Ifnet ifp, Mbuf m, int hlen) {
        Ipv4Packet ip = view.wrap(m.buf(), m.off(), m.len());
        int src = ip.source();
        int dst = ip.destination();
        int id = ip.identification();
        int proto = ip.protocol();
        int off = ip.fragmentOffset();
        int dlen = ip.totalLength() - hlen;
        boolean mf = ip.moreFragments();
        if (off + dlen > Ipv4Packet.MAX_TOTAL_LEN - hlen) {
            st.inc(IpStat.TOOLONG);
            FragQueue q = find(src, dst, id, proto);
            if (q != null) {
                free(q);
            }
            inet.mbufs().freeChain(m);
            return null;
        }
        if (mf && (dlen & 7) != 0 || dlen <= 0 && mf) {
            st.inc(IpStat.FRAGDROPPED);
            inet.mbufs().freeChain(m);
            return null;
        }
        FragQueue q = find(src, dst, id, proto);
        if (q == null) {
            if (queues.size() >= maxPackets.intValue()) {
                st.inc(IpStat.FRAGDROPPED);
                inet.mbufs().freeChain(m);
                return null;
            }
            q = new FragQueue(src, dst, id, proto, now() + FRAG_TTL_NANOS, ifp);
            queues.add(q);
            if (!timerArmed && !stopped) {
                timerArmed = true;
                timer.scheduleNanos(500_000_000L);
            }
        }
        if (q.frags.size() >= maxFrags.intValue()) {
            st.inc(IpStat.FRAGDROPPED);
            free(q);
            inet.mbufs().freeChain(m);
            return null;
        }
        for (Frag f : q.frags) {
            if (off < f.off() + f.len() && f.off() < off + dlen) {
                // Identical duplicates (a retransmitted or duplicated frame) are harmless; anything else overlapping is an attack.
                if (f.off() == off && f.len() == dlen) {
                    st.inc(IpStat.FRAGDROPPED);
                    inet.mbufs().freeChain(m);
                    return null;
                }
                st.inc(IpStat.FRAGOVERLAP);
                free(q);
                inet.mbufs().freeChain(m);
                return null;
            }
        }
        if (!mf) {
            if (q.totalLen >= 0 && q.totalLen != off + dlen) {
                st.inc(IpStat.FRAGOVERLAP);
                free(q);
                inet.mbufs().freeChain(m);
                return null;
            }
            q.totalLen = off + dlen;
        }
        int sum = (m.pkthdr().csumFlags() & CsumFlags.M_CSUM_DATA) != 0 ? m.pkthdr().csumData() & 0xffff : -1;
        if (off == 0) {
            q.first = m;
        } else {
            MbufChain.adj(m, hlen);
        }
        int at = 0;
        while (at < q.frags.size() && q.frags.get(at).off() < off) {
            at++;
        }
        q.frags.add(at, new Frag(off, dlen, m, sum));
        if (q.totalLen < 0) {
            return null;
        }
        int next = 0;
        for (Frag f : q.frags) {
            if (f.off() != next) {
                return null;
            }
            next += f.len();
        }
        if (next != q.totalLen) {
            return null;
        }
        queues.remove(q);
        // every fragment's offset is a multiple of 8, so the payload sums add without byte swaps
        int total = 0;
        for (Frag f : q.frags) {
            total = total < 0 || f.sum() < 0 ? -1 : InternetChecksum.add(total, f.sum());
        }
        Mbuf head = q.frags.get(0).m();
        for (int i = 1; i < q.frags.size(); i++) {
            MbufChain.cat(head, q.frags.get(i).m());
        }
        Mbuf h = MbufChain.pullup(head, hlen);
        if (h == null) {
            st.inc(IpStat.FRAGDROPPED);
            return null;
        }
        Ipv4Packet out = view.wrap(h.buf(), h.off(), h.len());
        out.setTotalLength(hlen + q.totalLen);
        out.setFlagsAndFragmentOffset(out.dontFragment(), false, 0);
        out.fillChecksum();
        h.pkthdr().setCsumFlags(total >= 0 ? CsumFlags.M_CSUM_DATA : 0);
        h.pkthdr().setCsumData(total >= 0 ? total : 0);
        return h;
    }

    private FragQueue find(int src, int dst, int id, int proto) {
        for (FragQueue q : queues) {
            if (q.id == id && q.src == src && q.dst == dst && q.proto == proto) {
                return q;
            }
        }
        return null;
    }

    private void free(FragQueue q) {
        queues.remove(q);
        for (Frag f : q.frags) {
            inet.mbufs().freeChain(f.m());
        }
        q.frags.clear();
    }

    /** {@code ip_slowtimo}: every half second, drops datagrams older than IPFRAGTTL. */
    private void expire() {
        List<Mbuf> timedOutFirsts = new ArrayList<>();
        List<Ifnet> ifps = new ArrayList<>();
        synchronized (this) {
            long now = now();
            for (Iterator<FragQueue> it = queues.iterator(); it.hasNext(); ) {
                FragQueue q = it.next();
                if (q.expires <= now) {
                    it.remove();
                    st.add(IpStat.FRAGTIMEOUT, q.frags.size());
                    for (Frag f : q.frags) {
                        if (f.m() == q.first) {
                            timedOutFirsts.add(f.m());
                            ifps.add(q.ifp);
                        } else {
                            inet.mbufs().freeChain(f.m());
                        }
                    }
                }
            }
            timerArmed = !stopped && !queues.isEmpty();
            if (timerArmed) {
                timer.scheduleNanos(500_000_000L);
            }
        }
        for (int i = 0; i < timedOutFirsts.size(); i++) {
            // RFC 792 and RFC 1122 3.2.2.4: time exceeded, code 1, only if fragment zero arrived.
            inet.icmp().error(timedOutFirsts.get(i), ifps.get(i), IcmpType.TIME_EXCEEDED,
                    IcmpCode.REASSEMBLY_EXCEEDED, 0);
        }
    }

    synchronized int inProgress() {
        return queues.size();
    }

    /**
     * Frees every queue. The timer is halted without this object's lock: {@code callout_halt} waits for
     * an {@link #expire} already running, which takes the lock.
     */
    void stop() {
        synchronized (this) {
            stopped = true;
        }
        timer.halt();
        synchronized (this) {
            for (FragQueue q : new ArrayList<>(queues)) {
                free(q);
            }
        }
    }
}
