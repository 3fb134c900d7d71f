package io.jrump.virtif;

import io.jrump.hypercall.HyperClock;
import io.jrump.wire.ArpPacket;
import io.jrump.wire.EtherType;
import io.jrump.wire.MacAddress;
import java.util.Objects;

/**
 * An in-process Ethernet switch: NetBSD's {@code if_bridge} in miniature, with IEEE 802.1D-2004 learning
 * (section 7.8). It offers the ports a {@link Hub} does ({@link #attach()} gives an {@link EtherLink}, so
 * {@code EtherIfs.attach(k, "shmif0", sw.attach(), 1500)} and a {@link LinkEmulator} around a port work as with a
 * hub) and delivers frames as the hub does (the sender's mbuf chain to kernel interfaces, partial checksums and
 * large TCP segments whole; {@link PortSet}), but not to every port:
 *
 * <ul>
 *   <li>it learns which port each source MAC is behind, from every frame a port sends; an address that shows up
 *       on another port is learned there (a station that moved);</li>
 *   <li>a frame to a learned unicast address goes to that port only, and is dropped if that is the port it came
 *       from (802.1D section 7.7.1: never back out of the ingress port);</li>
 *   <li>broadcast, multicast and unicast to an address not learned are flooded to every port but the ingress;</li>
 *   <li>an address not seen for the ageing time (802.1D section 7.9.2 and table 7-5: 300 s by default,
 *       {@link #setAgeingTime}) is forgotten, and frames to it are flooded until it is heard again. Time is the
 *       hypercall clock given to the constructor, so a test drives ageing with a {@code ManualClock}.</li>
 * </ul>
 *
 * <p>With N kernels on a hub every frame wakes all N; here a unicast frame wakes one. What still reaches
 * everyone is the ARP request each kernel broadcasts for every neighbour it talks to, and the gratuitous ARP it
 * sends when an address comes up: O(N) deliveries each, O(N²) for N kernels that each set up once or talk to all.
 * {@link #setArpSuppression ARP suppression} (off by default, as in NetBSD, which has none) removes them as
 * Linux's bridge does on a port with {@code neigh_suppress} and as EVPN does (RFC 7432 section 10): the switch
 * learns IPv4-to-MAC bindings from the ARP packets it carries, sends an ARP request whose target it knows to
 * that target's port only (the target answers itself, and learns the asker as it would from a flood), and drops
 * a gratuitous ARP that announces nothing it did not already know. A gratuitous ARP for an address now held by
 * another MAC (a move, or a duplicate address) is still flooded, so that stale caches are corrected and the old
 * holder sees the conflict. What suppression gives up: a neighbour whose cache holds a binding the switch has aged
 * out does not hear of its change until its own entry expires ({@code net.inet.arp.keep}), and captures on other
 * ports see fewer ARP frames.
 *
 * <p>The tables are hash tables keyed by the address as a {@code long} ({@link AddressTable}); one lock guards
 * both for the learning and look-up of a frame (no sink runs under it), so senders on many threads keep them
 * whole. A frame allocates nothing on the way through.
 */
public final class LearningSwitch extends EtherSegment {
    /** 802.1D-2004 table 7-5: the recommended ageing time. */
    public static final long DEFAULT_AGEING_NANOS = 300_000_000_000L;
    /** Addresses learned at most, unless the constructor says otherwise: enough for thousands of kernels. */
    public static final int DEFAULT_MAX_ADDRESSES = 1 << 16;

    private static final long BROADCAST = MacAddress.BROADCAST.bits();

    private final HyperClock clock;
    private final Object lock = new Object();
    private final AddressTable macs;
    private final AddressTable bindings;
    private final ArpPacket arp = new ArpPacket();
    private volatile long ageing = DEFAULT_AGEING_NANOS;
    private volatile boolean arpSuppression;
    private long forwarded;
    private long flooded;
    private long filtered;
    private long arpDirected;
    private long arpSuppressed;

    /** A switch carrying frames up to {@link EtherLink#DEFAULT_MAX_FRAME} bytes, ageing by {@code clock}. */
    public LearningSwitch(String name, HyperClock clock) {
        this(name, clock, EtherLink.DEFAULT_MAX_FRAME, DEFAULT_MAX_ADDRESSES);
    }

    /**
     * A switch carrying frames up to {@code maxFrame} bytes, header included, that learns at most
     * {@code maxAddresses} MACs (and as many IPv4 bindings); past that, frames to addresses it could not learn
     * are flooded.
     */
    public LearningSwitch(String name, HyperClock clock, int maxFrame, int maxAddresses) {
        super(name, "switch", maxFrame, false);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.macs = new AddressTable(maxAddresses);
        this.bindings = new AddressTable(maxAddresses);
    }

    /** How long an address is remembered after it was last heard ({@code brconfig timeout}). */
    public long ageingTime() {
        return ageing;
    }

    /** Sets the ageing time; it applies to entries already learned too. */
    public void setAgeingTime(long nanos) {
        if (nanos <= 0) {
            throw new IllegalArgumentException("ageing time must be positive: " + nanos);
        }
        ageing = nanos;
    }

    public boolean arpSuppression() {
        return arpSuppression;
    }

    /** Turns ARP suppression on or off (see the class comment); bindings already learned are kept. */
    public void setArpSuppression(boolean on) {
        arpSuppression = on;
    }

    /** What the switch has done with the frames it carried, and how many addresses it knows now. */
    public SwitchStats stats() {
        synchronized (lock) {
            return new SwitchStats(forwarded, flooded, filtered, arpDirected, arpSuppressed, macs.size());
        }
    }

    /**
     * The forwarding decision for one frame from {@code from}: learn its source, then the port for its
     * destination, null to flood, {@code from} to drop.
     */
    @Override
    HubPort route(HubPort from, byte[] f, int off, int len) {
        long dst = MacAddress.read(f, off);
        long src = MacAddress.read(f, off + 6);
        long now = clock.monotonicNanos();
        long age = ageing;
        synchronized (lock) {
            // 802.1D section 7.8: a group address is never a source, so it is never learned
            if (!MacAddress.isMulticast(src)) {
                macs.put(src, from, 0, now, age);
            }
            if (arpSuppression && len >= PortSet.PEEK
                    && ((f[off + 12] & 0xff) << 8 | (f[off + 13] & 0xff)) == EtherType.ARP
                    && arp.wrap(f, off + EtherLink.HEADER_LEN, ArpPacket.ETHERNET_IPV4_LEN).check().isOk()) {
                boolean changed = learnBinding(from, now, age);
                if (dst == BROADCAST && arp.operation() == ArpPacket.OP_REQUEST) {
                    return arpRequest(from, changed, now, age);
                }
            }
            return counted(from, MacAddress.isMulticast(dst) ? null : station(from, dst, now, age));
        }
    }

    /** Counts the decision {@code to} for a frame from {@code from} and returns it. */
    private HubPort counted(HubPort from, HubPort to) {
        if (to == null) {
            flooded++;
        } else if (to == from) {
            filtered++;
        } else {
            forwarded++;
        }
        return to;
    }

    /** The port behind unicast {@code dst}: null if unknown (or its port closed), {@code from} if that is its port. */
    private HubPort station(HubPort from, long dst, long now, long age) {
        int s = macs.find(dst, now, age);
        if (s < 0) {
            return null;
        }
        HubPort p = (HubPort) macs.port(s);
        if (p.isClosed()) {
            macs.remove(s);
            return null;
        }
        return p;
    }

    /** Learns the ARP packet's sender binding; returns whether it replaced another MAC for that address. */
    private boolean learnBinding(HubPort from, long now, long age) {
        int spa = arp.senderProtocolAddress();
        if (spa == 0) {
            return false; // an RFC 5227 probe binds nothing
        }
        long sha = arp.senderHardwareAddress();
        long key = Integer.toUnsignedLong(spa);
        int s = bindings.find(key, now, age);
        boolean changed = s >= 0 && bindings.data(s) != sha;
        bindings.put(key, from, sha, now, age);
        return changed;
    }

    /**
     * A broadcast ARP request under suppression: a gratuitous one that changed nothing goes nowhere, one whose
     * target is bound goes to the target's port, anything else is flooded.
     */
    private HubPort arpRequest(HubPort from, boolean changed, long now, long age) {
        int spa = arp.senderProtocolAddress();
        int tpa = arp.targetProtocolAddress();
        if (spa == tpa) {
            if (changed) {
                return counted(from, null);
            }
            arpSuppressed++;
            return from;
        }
        int b = bindings.find(Integer.toUnsignedLong(tpa), now, age);
        HubPort p = b < 0 ? null : station(from, bindings.data(b), now, age);
        if (p == null || p == from) {
            return counted(from, p);
        }
        arpDirected++;
        return p;
    }
}
