package io.jrump.netinet.arp;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.intr.Callout;
import io.jrump.kern.sysctl.SysctlNode;
import io.jrump.net.Ifnet;
import io.jrump.netinet.Counters;
import io.jrump.netinet.InAddr;
import io.jrump.netinet.Inet;
import io.jrump.netinet.IntMap;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufChain;
import io.jrump.wire.ArpPacket;
import io.jrump.wire.EtherType;
import io.jrump.wire.Ipv4Address;
import io.jrump.wire.MacAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * ARP for IPv4 over Ethernet (RFC 826, NetBSD's {@code if_arp.c}): a cache with expiry
 * ({@code net.inet.arp.keep}), static entries, packets held while a neighbour is resolved, requests
 * repeated at most once a second and abandoned after {@code net.inet.arp.maxtries}, replies to
 * requests for our addresses, and gratuitous ARP when an address is assigned.
 */
public final class Arp {
    static final int ST_RECEIVED = 0;
    static final int ST_BADLEN = 1;
    static final int ST_BADTYPE = 2;
    static final int ST_REQUESTS_IN = 3;
    static final int ST_REPLIES_IN = 4;
    static final int ST_REQUESTS_OUT = 5;
    static final int ST_REPLIES_OUT = 6;
    static final int ST_HELD = 7;
    static final int ST_HOLD_DROPS = 8;
    static final int ST_TIMEOUTS = 9;
    static final int ST_FROM_SELF = 10;
    static final int ST_DUPLICATE_IP = 11;
    static final int ST_EXPIRED = 12;
    static final int ST_NOBUFS = 13;

    private static final long SECOND = 1_000_000_000L;
    private final Inet inet;
    private final IntMap<ArpEntry> cache = new IntMap<>(64);
    private final Counters stats = new Counters("arp", "received", "bad length", "bad type", "requests received",
            "replies received", "requests sent", "replies sent", "packets held", "held packets dropped",
            "resolution timeouts", "packets from ourselves", "duplicate IP addresses", "entries expired",
            "no buffers");
    private final SysctlNode keep;
    private final SysctlNode maxtries;
    private final SysctlNode maxqueue;
    private final ThreadLocal<ArpPacket> views = ThreadLocal.withInitial(ArpPacket::new);
    private final Callout sweeper;
    /** When the sweeper is set to run, Long.MAX_VALUE if it is not; guarded by this. */
    private long sweepAt = Long.MAX_VALUE;
    private boolean stopped;

    public Arp(Inet inet) {
        this.inet = inet;
        var sysctl = inet.kernel().sysctl();
        keep = sysctl.createInt("net.inet.arp.keep", "Valid ARP entry lifetime in seconds", 1200,
                SysctlNode.READWRITE, v -> v > 0);
        maxtries = sysctl.createInt("net.inet.arp.maxtries", "Requests before giving up on a neighbour", 5,
                SysctlNode.READWRITE, v -> v > 0);
        maxqueue = sysctl.createInt("net.inet.arp.maxqueue", "Packets held per unresolved neighbour (a 64 KB datagram in 1500-byte fragments)", 64,
                SysctlNode.READWRITE, v -> v > 0 && v < 10000);
        sweeper = inet.kernel().callouts().create("arp sweep", this::sweep);
    }

    public Counters stats() {
        return stats;
    }

    private long now() {
        return inet.kernel().hypercall().clock().monotonicNanos();
    }

    /**
     * Resolves {@code ip} on {@code ifp} for an outgoing IPv4 packet. Returns the MAC if known; otherwise
     * keeps {@code m} until the reply comes (dropping the oldest held packet past the queue limit),
     * sends a request if none went out in the last second, and returns -1.
     */
    public long resolve(Ifnet ifp, int ip, Mbuf m) {
        long now = now();
        boolean request = false;
        long mac;
        synchronized (this) {
            ArpEntry e = cache.get(ip);
            if (e != null && e.state != ArpEntry.INCOMPLETE && (e.state == ArpEntry.STATIC || e.expires > now)) {
                return e.mac;
            }
            if (e == null || e.state != ArpEntry.INCOMPLETE) {
                if (e != null) {
                    stats.inc(ST_EXPIRED);
                }
                e = new ArpEntry(ip, ifp);
                cache.put(ip, e);
            }
            e.ifp = ifp;
            hold(e, m);
            if (now - e.lastRequest >= SECOND) {
                if (e.asked >= maxtries.intValue()) {
                    stats.inc(ST_TIMEOUTS);
                    dropHeld(e);
                    cache.remove(ip);
                    return -1;
                }
                e.lastRequest = now;
                e.asked++;
                request = true;
                armSweep(deadline(e));
            }
            mac = -1;
        }
        if (request) {
            sendArp(ifp, ArpPacket.OP_REQUEST, MacAddress.BROADCAST.bits(), 0, inet.addrs().sourceFor(ifp, ip), ip);
        }
        return mac;
    }

    private void hold(ArpEntry e, Mbuf m) {
        if (e.held >= maxqueue.intValue()) {
            Mbuf old = e.holdHead;
            e.holdHead = old.nextPkt();
            if (e.holdHead == null) {
                e.holdTail = null;
            }
            old.setNextPkt(null);
            e.held--;
            inet.mbufs().freeChain(old);
            stats.inc(ST_HOLD_DROPS);
        }
        m.setNextPkt(null);
        if (e.holdTail == null) {
            e.holdHead = m;
        } else {
            e.holdTail.setNextPkt(m);
        }
        e.holdTail = m;
        e.held++;
        stats.inc(ST_HELD);
    }

    private void dropHeld(ArpEntry e) {
        Mbuf m = e.holdHead;
        e.holdHead = e.holdTail = null;
        e.held = 0;
        while (m != null) {
            Mbuf n = m.nextPkt();
            m.setNextPkt(null);
            inet.mbufs().freeChain(m);
            m = n;
        }
    }

    /** Sends a gratuitous ARP for a newly assigned address, so neighbours update their caches. */
    public void announce(Ifnet ifp, int addr) {
        sendArp(ifp, ArpPacket.OP_REQUEST, MacAddress.BROADCAST.bits(), 0, addr, addr);
    }

    private void sendArp(Ifnet ifp, int op, long ethDst, long targetMac, int senderIp, int targetIp) {
        Mbuf m = inet.mbufs().getPacketHeader();
        if (m == null) {
            stats.inc(ST_NOBUFS);
            return;
        }
        m.setLen(ArpPacket.ETHERNET_IPV4_LEN);
        m.pkthdr().setLen(ArpPacket.ETHERNET_IPV4_LEN);
        ArpPacket p = views.get().wrap(m.buf(), m.off(), ArpPacket.ETHERNET_IPV4_LEN);
        p.setHardwareType(ArpPacket.HTYPE_ETHERNET);
        p.setProtocolType(EtherType.IPV4);
        p.setHardwareLength(6);
        p.setProtocolLength(4);
        p.setOperation(op);
        p.setSenderHardwareAddress(ifp.lladdr());
        p.setSenderProtocolAddress(senderIp);
        p.setTargetHardwareAddress(targetMac);
        p.setTargetProtocolAddress(targetIp);
        stats.inc(op == ArpPacket.OP_REQUEST ? ST_REQUESTS_OUT : ST_REPLIES_OUT);
        try {
            inet.interfaces().ether().output(ifp, m, ethDst, EtherType.ARP);
        } catch (ErrnoException e) {
            // the interface went down; the request is lost and will be repeated
        }
    }

    /** {@code arpintr}/{@code in_arpinput}: one received ARP packet, header stripped. */
    public void input(Ifnet ifp, Mbuf m, boolean linkBroadcast) {
        stats.inc(ST_RECEIVED);
        try {
            Mbuf h = MbufChain.pullup(m, Math.min(ArpPacket.ETHERNET_IPV4_LEN, m.pkthdr().len()));
            if (h == null || h.len() < ArpPacket.ETHERNET_IPV4_LEN) {
                stats.inc(ST_BADLEN);
                m = h;
                return;
            }
            m = h;
            ArpPacket p = views.get().wrap(m.buf(), m.off(), m.len());
            if (!p.check().isOk() || p.hardwareType() != ArpPacket.HTYPE_ETHERNET || p.protocolType() != EtherType.IPV4
                    || p.hardwareLength() != 6 || p.protocolLength() != 4) {
                stats.inc(ST_BADTYPE);
                return;
            }
            int op = p.operation();
            long sha = p.senderHardwareAddress();
            int spa = p.senderProtocolAddress();
            int tpa = p.targetProtocolAddress();
            if (sha == ifp.lladdr()) {
                stats.inc(ST_FROM_SELF);
                return;
            }
            if (MacAddress.isMulticast(sha)) {
                stats.inc(ST_BADTYPE);
                return;
            }
            stats.inc(op == ArpPacket.OP_REQUEST ? ST_REQUESTS_IN : ST_REPLIES_IN);
            if (spa != 0 && inet.addrs().isLocal(spa)) {
                stats.inc(ST_DUPLICATE_IP);
                inet.kernel().log("arp: " + MacAddress.format(sha) + " is using my IP address "
                        + Ipv4Address.format(spa) + " on " + ifp.name());
                return;
            }
            InAddr target = inet.addrs().find(tpa);
            boolean forUs = target != null && target.ifp() == ifp;
            if (spa != 0) {
                update(ifp, spa, sha, forUs);
            }
            if (forUs && op == ArpPacket.OP_REQUEST) {
                sendArp(ifp, ArpPacket.OP_REPLY, sha, sha, tpa, spa);
            }
        } finally {
            if (m != null) {
                inet.mbufs().freeChain(m);
            }
        }
    }

    /** Learns {@code ip -> mac}: always for an entry we have, and for new ones only when it talks to us (RFC 826). */
    private void update(Ifnet ifp, int ip, long mac, boolean create) {
        Mbuf held = null;
        synchronized (this) {
            ArpEntry e = cache.get(ip);
            if (e == null) {
                if (!create) {
                    return;
                }
                e = new ArpEntry(ip, ifp);
                cache.put(ip, e);
            }
            if (e.state == ArpEntry.STATIC) {
                return;
            }
            e.ifp = ifp;
            e.mac = mac;
            e.state = ArpEntry.RESOLVED;
            e.expires = now() + keep.intValue() * SECOND;
            e.asked = 0;
            armSweep(e.expires);
            held = e.holdHead;
            e.holdHead = e.holdTail = null;
            e.held = 0;
        }
        while (held != null) {
            Mbuf n = held.nextPkt();
            held.setNextPkt(null);
            try {
                inet.interfaces().ether().output(ifp, held, mac, EtherType.IPV4);
            } catch (ErrnoException e) {
                // the interface went down while the packet waited
            }
            held = n;
        }
    }

    /**
     * Sets the sweeper to run by {@code deadline} unless it runs sooner: it runs when the first entry can expire
     * or be given up, not once a second, so that a kernel with a full cache and nothing due takes no clock
     * interrupts (thousands of idle kernels in one JVM would otherwise wake thousands of times a second).
     * Called with this locked.
     */
    private void armSweep(long deadline) {
        if (deadline < sweepAt && !stopped) {
            sweepAt = deadline;
            sweeper.scheduleNanos(Math.max(0, deadline - now()));
        }
    }

    /** When {@code e} is due for the sweeper: its expiry, or when its resolution is given up; never if static. */
    private long deadline(ArpEntry e) {
        return switch (e.state) {
            case ArpEntry.RESOLVED -> e.expires;
            case ArpEntry.INCOMPLETE -> e.lastRequest + SECOND * maxtries.intValue();
            default -> Long.MAX_VALUE;
        };
    }

    /** Drops expired entries and gives up on silent neighbours; then waits for the next entry that is due. */
    private void sweep() {
        long now = now();
        synchronized (this) {
            long next = Long.MAX_VALUE;
            for (ArpEntry e : cache.values()) {
                if (e.state == ArpEntry.RESOLVED && e.expires <= now) {
                    cache.remove(e.ip);
                    stats.inc(ST_EXPIRED);
                } else if (e.state == ArpEntry.INCOMPLETE && now - e.lastRequest >= SECOND * maxtries.intValue()) {
                    dropHeld(e);
                    cache.remove(e.ip);
                    stats.inc(ST_TIMEOUTS);
                } else {
                    next = Math.min(next, deadline(e));
                }
            }
            sweepAt = Long.MAX_VALUE;
            if (next != Long.MAX_VALUE) {
                armSweep(next);
            }
        }
    }

    /**
     * {@code SIOCSARP} ({@code arp -s}: a permanent entry, on the interface named or else the one whose
     * subnet holds the address) and {@code SIOCDARP} ({@code arp -d}); root only.
     */
    public void ioctl(Object arg, Cred cred, boolean set) throws ErrnoException {
        if (!(arg instanceof ArpReq r)) {
            throw new ErrnoException(Errno.EFAULT, "ARP ioctl needs an ArpReq");
        }
        if (!cred.isRoot()) {
            throw new ErrnoException(Errno.EPERM, "only root may change ARP entries");
        }
        if (!set) {
            delete(r.addr);
            return;
        }
        Ifnet ifp = r.ifname != null ? inet.interfaces().find(r.ifname) : null;
        if (ifp == null) {
            var rt = inet.routes().lookup(r.addr);
            if (rt == null || rt.isGateway() || rt.ifp().type() != Ifnet.IFT_ETHER) {
                throw new ErrnoException(Errno.ENETUNREACH, Ipv4Address.format(r.addr) + " is not on a connected Ethernet");
            }
            ifp = rt.ifp();
        }
        setStatic(ifp, r.addr, r.mac);
    }

    /** {@code arp -s}: a permanent entry. */
    public synchronized void setStatic(Ifnet ifp, int ip, long mac) {
        ArpEntry e = new ArpEntry(ip, ifp);
        e.mac = mac;
        e.state = ArpEntry.STATIC;
        ArpEntry old = cache.put(ip, e);
        if (old != null) {
            dropHeld(old);
        }
    }

    /** {@code arp -d}: ENOENT-like ENXIO if there is no entry, as NetBSD's arp(8) says "no entry". */
    public synchronized void delete(int ip) throws ErrnoException {
        ArpEntry e = cache.remove(ip);
        if (e == null) {
            throw new ErrnoException(Errno.ENXIO, "no ARP entry for " + Ipv4Address.format(ip));
        }
        dropHeld(e);
    }

    /** Drops every entry learned on {@code ifp} (it went down or away). */
    public synchronized void flush(Ifnet ifp) {
        for (ArpEntry e : cache.values()) {
            if (e.ifp == ifp) {
                dropHeld(e);
                cache.remove(e.ip);
            }
        }
    }

    /** {@code arp -a}. */
    public synchronized List<ArpInfo> list() {
        long now = now();
        List<ArpInfo> l = new ArrayList<>();
        for (ArpEntry e : cache.values()) {
            l.add(new ArpInfo(e.ip, e.mac, e.ifp.name(), e.state != ArpEntry.INCOMPLETE, e.state == ArpEntry.STATIC,
                    e.state == ArpEntry.RESOLVED ? Math.max(0, e.expires - now) : 0));
        }
        l.sort((a, b) -> Integer.compareUnsigned(a.ip(), b.ip()));
        return l;
    }

    /**
     * Stops the sweep and drops held packets. The sweep callout is halted without this object's lock:
     * {@code callout_halt} waits for a sweep already running, and that sweep waits for the lock.
     */
    public void stop() {
        synchronized (this) {
            stopped = true;
        }
        sweeper.halt();
        synchronized (this) {
            for (ArpEntry e : cache.values()) {
                dropHeld(e);
            }
        }
    }
}
