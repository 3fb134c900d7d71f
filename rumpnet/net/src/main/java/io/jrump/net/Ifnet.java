package io.jrump.net;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.intr.Softint;
import io.jrump.kern.sync.KMutex;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.mbuf.MbufPool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A network interface ({@code struct ifnet}). Drivers call {@link #input(Mbuf)} from their receive
 * thread (an interrupt: it holds no CPU); the frame is queued and link and protocol input run in a softint
 * under the kernel's softnet lock, as BSD's network bottom half (the rule is on {@link #input(Mbuf)}). The
 * kernel sends through {@link #output}, which taps and hands the frame to the driver.
 *
 * <p>It carries DART's two fields: {@link #buflen()} ({@code if_buflen}), the frame payload size the
 * socket layer segments for, which can differ from the wire MTU when the device segments itself, and
 * an {@link IfSockbuf} hook ({@code if_sockbuf}) by which the driver raises socket buffering.
 */
public final class Ifnet {
    public static final int IFF_UP = 0x0001;
    public static final int IFF_BROADCAST = 0x0002;
    public static final int IFF_DEBUG = 0x0004;
    public static final int IFF_LOOPBACK = 0x0008;
    public static final int IFF_POINTOPOINT = 0x0010;
    public static final int IFF_RUNNING = 0x0040;
    public static final int IFF_NOARP = 0x0080;
    public static final int IFF_PROMISC = 0x0100;
    public static final int IFF_SIMPLEX = 0x0800;
    public static final int IFF_MULTICAST = 0x8000;
    /** Flags a user may change with SIOCSIFFLAGS. */
    public static final int IFF_CANTCHANGE = IFF_BROADCAST | IFF_POINTOPOINT | IFF_RUNNING | IFF_SIMPLEX
            | IFF_MULTICAST | IFF_LOOPBACK;

    /** {@code IFT_*} types. */
    public static final int IFT_ETHER = 0x06;
    public static final int IFT_LOOP = 0x18;

    public static final int LINK_STATE_UNKNOWN = 0;
    public static final int LINK_STATE_DOWN = 1;
    public static final int LINK_STATE_UP = 2;

    /** Default input queue length ({@code IFQ_MAXLEN}). */
    public static final int IFQ_MAXLEN = 256;

    private final Interfaces ifs;
    private final String name;
    private final int index;
    private final int type;
    private final IfnetDriver driver;
    private final IfQueue inq = new IfQueue(IFQ_MAXLEN);
    private final Softint inputSoftint;
    private final List<IfAddr> addrs = new CopyOnWriteArrayList<>();
    private volatile BpfTap[] taps = new BpfTap[0];
    private volatile int flags;
    private volatile int mtu;
    private volatile int buflen;
    private volatile long lladdr;
    private volatile int linkState = LINK_STATE_UNKNOWN;
    private volatile String linkstr;
    private volatile IfSockbuf sockbuf;
    private volatile long baudrate;
    private volatile io.jrump.rumpnet.socket.AdapterMemory adapterMemory;
    private volatile int csumFlagsTx;
    private volatile boolean detached;
    private final IfOffloadStats offloadStats = new IfOffloadStats();

    final AtomicLong ipackets = new AtomicLong();
    final AtomicLong ibytes = new AtomicLong();
    final AtomicLong ierrors = new AtomicLong();
    final AtomicLong iqdrops = new AtomicLong();
    final AtomicLong opackets = new AtomicLong();
    final AtomicLong obytes = new AtomicLong();
    final AtomicLong oerrors = new AtomicLong();
    final AtomicLong noproto = new AtomicLong();

    Ifnet(Interfaces ifs, String name, int index, int type, int mtu, long lladdr, int flags, IfnetDriver driver) {
        this.ifs = ifs;
        this.name = name;
        this.index = index;
        this.type = type;
        this.mtu = mtu;
        this.buflen = mtu;
        this.lladdr = lladdr;
        this.flags = flags;
        this.driver = driver;
        this.inputSoftint = ifs.kernel().softints().establish(name + " input", Softint.NET, this::inputSoftint);
    }

    public String name() {
        return name;
    }

    /** The interface index ({@code if_index}), never reused while the kernel runs. */
    public int index() {
        return index;
    }

    public int type() {
        return type;
    }

    public Interfaces interfaces() {
        return ifs;
    }

    public MbufPool mbufs() {
        return ifs.mbufs();
    }

    public IfnetDriver driver() {
        return driver;
    }

    public int flags() {
        return flags;
    }

    public boolean isUp() {
        return (flags & IFF_UP) != 0;
    }

    /** Sets the user-changeable flags (SIOCSIFFLAGS); going down stops the driver's traffic. */
    public void setFlags(int f) {
        int old = flags;
        flags = (old & IFF_CANTCHANGE) | (f & ~IFF_CANTCHANGE);
        if ((flags & IFF_UP) != 0) {
            flags |= IFF_RUNNING;
        } else {
            flags &= ~IFF_RUNNING;
        }
        if (old != flags) {
            ifs.notifyChange(this);
        }
    }

    void setFlagsInternal(int f) {
        flags = f;
    }

    public int mtu() {
        return mtu;
    }

    /** SIOCSIFMTU; {@code if_buflen} follows the MTU unless the driver set it apart. */
    public void setMtu(int m) throws ErrnoException {
        if (m < 68 || m > 65535) {
            throw new ErrnoException(Errno.EINVAL, "mtu " + m + " out of range 68..65535");
        }
        if (buflen == mtu) {
            buflen = m;
        }
        mtu = m;
    }

    /**
     * DART's {@code if_buflen} (seed 002): the largest IP datagram the adapter takes from the stack, which the
     * socket layer and TCP build segments for. Above the MTU the adapter segments ({@code M_CSUM_TSOv4} in
     * {@link #csumFlagsTx()}); at the MTU the stack does.
     */
    public int buflen() {
        return buflen;
    }

    /** The most {@link #buflen()} may be: a 64 KB adapter buffer (an IP datagram's 65535 bytes and more). */
    public static final int MAX_BUFLEN = 65536;

    /**
     * Sets {@link #buflen()}: the driver at attach (the hub and a tap that takes GSO: 64 KB), or
     * {@code ifconfig buflen} (SIOCSIFBUFLEN). EINVAL outside 68..{@value #MAX_BUFLEN}, or above the MTU on an
     * interface whose adapter cannot segment.
     */
    public void setBuflen(int b) throws ErrnoException {
        if (b < 68 || b > MAX_BUFLEN) {
            throw new ErrnoException(Errno.EINVAL, "buflen " + b + " out of range 68.." + MAX_BUFLEN);
        }
        if (b > mtu && (csumFlagsTx & CsumFlags.M_CSUM_TSOv4) == 0) {
            throw new ErrnoException(Errno.EINVAL, name + " cannot segment: buflen " + b + " above its MTU " + mtu);
        }
        this.buflen = b;
    }

    /** The driver's own setting of {@link #buflen()} when its offload changes: no checks, it knows. */
    public void setBuflenByDriver(int b) {
        this.buflen = Math.max(68, Math.min(b, MAX_BUFLEN));
    }

    /** What segmentation and checksum offload did on this interface. */
    public IfOffloadStats offloadStats() {
        return offloadStats;
    }

    public IfSockbuf sockbufHook() {
        return sockbuf;
    }

    public void setSockbufHook(IfSockbuf hook) {
        this.sockbuf = hook;
    }

    /** DART's adapter memory (seed 002): the interface's own buffer memory, null if it has none. */
    public io.jrump.rumpnet.socket.AdapterMemory adapterMemory() {
        return adapterMemory;
    }

    public void setAdapterMemory(io.jrump.rumpnet.socket.AdapterMemory am) {
        this.adapterMemory = am;
    }

    /** {@code if_baudrate}: the link's rate in bits per second as the driver knows it, 0 if unknown. */
    public long baudrate() {
        return baudrate;
    }

    public void setBaudrate(long bitsPerSec) {
        this.baudrate = Math.max(0, bitsPerSec);
    }

    /** The link-level (MAC) address, 48 bits. */
    public long lladdr() {
        return lladdr;
    }

    public void setLladdr(long mac) {
        this.lladdr = mac;
    }

    public int linkState() {
        return linkState;
    }

    public void setLinkState(int s) {
        this.linkState = s;
    }

    public String linkstr() {
        return linkstr;
    }

    public void setLinkstr(String s) {
        this.linkstr = s;
    }

    public List<IfAddr> addresses() {
        return List.copyOf(addrs);
    }

    public void addAddress(IfAddr a) {
        addrs.add(a);
    }

    public boolean removeAddress(IfAddr a) {
        return addrs.remove(a);
    }

    public IfQueue inputQueue() {
        return inq;
    }

    public boolean detached() {
        return detached;
    }

    /** Marks the interface gone and returns what was still queued for input, for the caller to free. */
    Mbuf markDetached() {
        detached = true;
        ifs.kernel().softints().disestablish(inputSoftint);
        return inq.close();
    }

    /**
     * The checksums the interface computes on transmit ({@code if_csum_flags_tx}, {@link
     * io.jrump.rumpnet.mbuf.CsumFlags} bits). IP output leaves a checksum partial only for an interface
     * that has its bit and no capture tap, and finishes it in software otherwise, as NetBSD's
     * {@code ip_output} does with {@code in_undefer_cksum}.
     */
    public int csumFlagsTx() {
        return csumFlagsTx;
    }

    /** Sets what {@link #csumFlagsTx()} returns: the driver at attach, or {@code ifconfig} turning offload off. */
    public void setCsumFlagsTx(int flags) {
        csumFlagsTx = flags;
    }

    /** Whether a capture tap is attached: a capture must see finished checksums. */
    public boolean hasTaps() {
        return taps.length > 0;
    }

    /** Adds a capture tap ({@code bpf_attach}). */
    public synchronized void addTap(BpfTap t) {
        BpfTap[] n = java.util.Arrays.copyOf(taps, taps.length + 1);
        n[taps.length] = t;
        taps = n;
    }

    public synchronized void removeTap(BpfTap t) {
        List<BpfTap> l = new ArrayList<>(java.util.Arrays.asList(taps));
        l.remove(t);
        taps = l.toArray(new BpfTap[0]);
    }

    private void tap(Mbuf m, boolean out) {
        BpfTap[] ts = taps;
        for (BpfTap t : ts) {
            try {
                t.tap(this, m, out);
            } catch (RuntimeException e) {
                ifs.kernel().log(name + ": capture tap failed: " + e);
            }
        }
    }

    /**
     * The one way a received frame enters the kernel ({@code if_input}). The driver hands over a packet
     * header chain of this interface's pool, built over its backend's buffer with external storage where
     * that saves a copy ({@link MbufCopy#lendPacket}) and copied into clusters where the buffer is only lent
     * ({@link MbufCopy#fromBytes}, {@link MbufCopy#fromBuffer}); the frame's offload flags are in its packet
     * header: {@code csum_flags} ({@link CsumFlags}: {@code M_CSUM_TCPv4} for a TCP checksum the sender left
     * partial over a link that never leaves memory, {@code M_CSUM_TSOv4} for one TCP segment received whole)
     * and, with {@code M_CSUM_TSOv4}, {@code csum_data} the size it would be cut at, which forwarding judges
     * DF by ({@code IpForward}). The interface owns {@code m} from here: it is queued, or dropped and counted
     * when the interface is down or the queue full. A capture tap sees the frame with its checksum finished.
     *
     * <p>Where and under which lock input runs, the one rule of the receive path: this method runs in the
     * driver's receive context (an interrupt: a backend's receive thread, or a sender's thread on an
     * in-memory wire), takes no lock but the queue's and does no protocol work. Link and protocol input run
     * in the interface's input softint, on whichever thread runs it (a virtual CPU's softint thread, or the
     * receive thread's interrupt tail), and always under the kernel's {@linkplain Interfaces#softnetLock()
     * softnet lock}, which the softint holds while it takes frames off the queue and hands them up. So all of
     * a kernel's network input runs on one thread at a time, in arrival order per interface, as NetBSD's
     * {@code softnet_lock} makes it; the protocols take socket locks inside it, never the other way round.
     */
    public void input(Mbuf m) {
        input(m, true);
    }

    /**
     * A driver's early discard ({@link EarlyDemux#discard}), asked before it builds the chain for
     * {@link #input}: true if the frame of {@code frameLen} bytes, whose first {@code headLen} are at
     * {@code b[off]}, was for a full channel and is dropped, counted as received as {@link #input} counts a
     * frame its demultiplexer drops. Never with a capture attached, which must see every frame, nor on an
     * interface that is down (its own drop counter).
     */
    public boolean discardEarly(byte[] b, int off, int headLen, int frameLen) {
        EarlyDemux demux = ifs.earlyDemux();
        if (demux == null || taps.length > 0 || detached || !isUp() || !demux.discard(this, b, off, headLen)) {
            return false;
        }
        ipackets.incrementAndGet();
        ibytes.addAndGet(frameLen);
        return true;
    }

    /** A frame the loopback sends back in: the output tap has seen it already, so no second capture. */
    void inputLooped(Mbuf m) {
        input(m, false);
    }

    private void input(Mbuf m, boolean tapIt) {
        int len = m.pkthdr().len();
        m.pkthdr().setRcvif(index);
        if (detached || !isUp()) {
            iqdrops.incrementAndGet();
            mbufs().freeChain(m);
            return;
        }
        if (tapIt && taps.length > 0) {
            if (m.pkthdr().csumFlags() != 0) {
                finishChecksumForCapture(m, len);
            }
            tap(m, false);
        }
        EarlyDemux demux = ifs.earlyDemux();
        if (demux != null && demux.demux(this, m)) {
            ipackets.incrementAndGet();
            ibytes.addAndGet(len);
            return;
        }
        // The queue refuses once the interface is detached, so a frame cannot slip in behind the drain.
        if (!inq.enqueue(m)) {
            mbufs().freeChain(m);
            return;
        }
        ipackets.incrementAndGet();
        ibytes.addAndGet(len);
        ifs.kernel().softints().schedule(inputSoftint);
    }

    /**
     * Finishes a partial TCP checksum in the frame, so that a capture shows what a wire would carry; the
     * flags stay, so the protocols still skip verifying it. Only with a capture attached, which copies the
     * frame anyway, so the flat copy here costs nothing the common path pays. Lent storage is copied before
     * it is written ({@link MbufCopy#copyback}), so the sender's chain stays as it was.
     */
    private void finishChecksumForCapture(Mbuf m, int len) {
        byte[] flat = new byte[len];
        MbufCopy.copydata(m, 0, len, flat, 0);
        io.jrump.wire.ChecksumOffload.completeTcpInFrame(flat, 0, len);
        MbufCopy.copyback(m, 0, len, flat, 0);
    }

    /**
     * Link and protocol input of one frame that {@link EarlyDemux} took from {@link #input} and a socket's
     * receiver now processes in its own context (Lazy Receiver Processing): the same work the input softint
     * does, under the same rule, so the caller holds the kernel's {@linkplain Interfaces#softnetLock()
     * softnet lock}. Consumes {@code m}.
     */
    public void inputDeferred(Mbuf m) {
        if (!ifs.softnetLock().owned()) {
            throw new IllegalStateException("deferred input without the softnet lock");
        }
        m.setNextPkt(null);
        try {
            ifs.linkInput(this, m);
        } catch (RuntimeException e) {
            ierrors.incrementAndGet();
            ifs.kernel().log(name + ": input: " + e);
        }
    }

    /** Counts a received frame the driver had to drop before it reached {@link #input} (no mbufs left). */
    public void countInputDrop() {
        iqdrops.incrementAndGet();
    }

    /**
     * The bottom half: takes the queued frames and hands them up under the kernel's softnet lock (see
     * {@link #input(Mbuf)}), so that a second thread running this softint waits instead of overtaking.
     */
    private void inputSoftint() {
        KMutex softnet = ifs.softnetLock();
        softnet.enter();
        try {
            Mbuf m;
            while ((m = inq.dequeueAll()) != null) {
                linkInputAll(m);
            }
        } finally {
            softnet.exit();
        }
    }

    private void linkInputAll(Mbuf m) {
        while (m != null) {
            Mbuf next = m.nextPkt();
            m.setNextPkt(null);
            try {
                ifs.linkInput(this, m);
            } catch (RuntimeException e) {
                ierrors.incrementAndGet();
                ifs.kernel().log(name + ": input: " + e);
            }
            m = next;
        }
    }

    /**
     * Sends a complete frame (link header in front). Consumes {@code m}: a down interface frees it and
     * reports ENETDOWN.
     */
    public void output(Mbuf m) throws ErrnoException {
        if (detached || !isUp()) {
            oerrors.incrementAndGet();
            mbufs().freeChain(m);
            throw new ErrnoException(Errno.ENETDOWN, name + " is down");
        }
        opackets.incrementAndGet();
        obytes.addAndGet(m.pkthdr().len());
        if ((m.pkthdr().csumFlags() & CsumFlags.M_CSUM_TSOv4) != 0) {
            offloadStats.largeOut.incrementAndGet();
        }
        tap(m, true);
        driver.transmit(this, m);
    }

    /** Counts a frame no protocol wanted. */
    public void countNoProto() {
        noproto.incrementAndGet();
    }

    /** Counts a malformed or otherwise rejected frame. */
    public void countInputError() {
        ierrors.incrementAndGet();
    }

    /** Counts a frame the driver could not send. */
    public void countOutputError() {
        oerrors.incrementAndGet();
    }

    public IfStats stats() {
        return new IfStats(ipackets.get(), ibytes.get(), ierrors.get(), iqdrops.get() + inq.drops(),
                opackets.get(), obytes.get(), oerrors.get(), noproto.get());
    }

    @Override
    public String toString() {
        return name;
    }
}
