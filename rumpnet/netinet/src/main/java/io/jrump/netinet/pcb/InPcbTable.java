package io.jrump.netinet.pcb;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.mem.Kmem;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.sysctl.SysctlNode;
import io.jrump.netinet.Inet;
import io.jrump.netinet.IntMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One protocol's pcbs ({@code struct inpcbtable}), indexed by local port, and the one place where an
 * arriving datagram is matched to its socket ({@link #lookup}): an exact connected match wins over a
 * bound wildcard, as {@code in_pcblookup_connect} then {@code in_pcblookup_bind}. Lazy Receiver
 * Processing moves this match to the interface; keeping it in one method is what makes that possible.
 * Ephemeral ports follow RFC 6056 section 3.3.1 (Algorithm 1, a random start in the anonymous range).
 *
 * <p>A pcb is kernel memory from the moment it joins the table until it leaves it: {@link #add} charges
 * the table's per-pcb size to its account (ENOBUFS past the kernel's limit, as {@code in_pcballoc}
 * fails when its pool is empty), {@link #remove} gives it back.
 */
public final class InPcbTable {
    private final Inet inet;
    private final String name;
    private final Kmem.Type kmemType;
    private final long pcbBytes;
    private final IntMap<InPcb[]> byPort = new IntMap<>(64);
    private final List<InPcb> all = new ArrayList<>();
    private final SysctlNode anonMin;
    private final SysctlNode anonMax;
    private volatile Vestigial vestigial;

    /**
     * Ports still held by connections that have left this table: TCP's vestigial TIME_WAIT entries
     * (TCP's {@code Vtw}). {@code bind} and the choice of an ephemeral port must still see them.
     */
    public interface Vestigial {
        boolean portHeld(int port);

        /** EADDRINUSE unless {@code options} allow binding {@code addr:port} beside those connections. */
        void checkBind(int addr, int port, int options) throws ErrnoException;
    }

    /**
     * The table of protocol {@code name}, whose pcbs are charged {@code pcbBytes} each to the kernel
     * memory account {@code kmemType}.
     */
    public InPcbTable(Inet inet, String name, SysctlNode anonMin, SysctlNode anonMax, String kmemType,
                      long pcbBytes) {
        this.inet = inet;
        this.name = name;
        this.kmemType = inet.kernel().kmem().type(kmemType);
        this.pcbBytes = pcbBytes;
        this.anonMin = anonMin;
        this.anonMax = anonMax;
    }

    public void setVestigial(Vestigial v) {
        this.vestigial = v;
    }

    /** Adds a new pcb, charging it to kernel memory; ENOBUFS past the limit. */
    public void add(InPcb p) throws ErrnoException {
        if (!inet.kernel().kmem().alloc(kmemType, pcbBytes)) {
            throw new ErrnoException(Errno.ENOBUFS, "no kernel memory for a " + name + " pcb");
        }
        synchronized (this) {
            all.add(p);
        }
    }

    /** Removes a pcb for good (its socket closed), giving its memory back; a second call does nothing. */
    public void remove(InPcb p) {
        synchronized (this) {
            if (!all.remove(p)) {
                return;
            }
            if (p.lport != 0) {
                unhash(p);
            }
        }
        inet.kernel().kmem().free(kmemType, pcbBytes);
    }

    /** Removes every pcb: the protocol is stopping (the kernel halts). */
    public void clear() {
        for (InPcb p : list()) {
            remove(p);
        }
    }

    private void hash(InPcb p) {
        InPcb[] cur = byPort.get(p.lport);
        InPcb[] n = cur == null ? new InPcb[1] : Arrays.copyOf(cur, cur.length + 1);
        n[n.length - 1] = p;
        byPort.put(p.lport, n);
    }

    private void unhash(InPcb p) {
        InPcb[] cur = byPort.get(p.lport);
        if (cur == null) {
            return;
        }
        List<InPcb> l = new ArrayList<>(Arrays.asList(cur));
        l.remove(p);
        if (l.isEmpty()) {
            byPort.remove(p.lport);
        } else {
            byPort.put(p.lport, l.toArray(new InPcb[0]));
        }
    }

    /**
     * {@code in_pcbbind}: EADDRNOTAVAIL for an address that is not ours, EACCES for a port below 1024
     * without root, EADDRINUSE if another socket holds the same address and port and not both allow
     * reuse (SO_REUSEADDR for a specific address beside a wildcard, SO_REUSEPORT for full sharing).
     */
    public synchronized void bind(InPcb p, int addr, int port, Cred cred) throws ErrnoException {
        if (p.lport != 0) {
            throw new ErrnoException(Errno.EINVAL, "socket is already bound");
        }
        if (addr != 0 && !inet.addrs().isLocal(addr) && !io.jrump.wire.Ipv4Address.isMulticast(addr)) {
            throw new ErrnoException(Errno.EADDRNOTAVAIL, io.jrump.wire.Ipv4Address.format(addr) + " is not a local address");
        }
        if (port == 0) {
            port = ephemeral(addr);
        } else {
            if (port < 1024 && !cred.isRoot()) {
                throw new ErrnoException(Errno.EACCES, "port " + port + " is reserved for root");
            }
            checkInUse(p, addr, port);
        }
        p.laddr = addr;
        p.lport = port;
        hash(p);
    }

    private void checkInUse(InPcb p, int addr, int port) throws ErrnoException {
        int myOpts = p.so.options();
        Vestigial v = vestigial;
        if (v != null) {
            v.checkBind(addr, port, myOpts);
        }
        InPcb[] cur = byPort.get(port);
        if (cur == null) {
            return;
        }
        for (InPcb o : cur) {
            boolean sameAddr = o.laddr == addr;
            boolean overlap = sameAddr || o.laddr == 0 || addr == 0;
            if (!overlap) {
                continue;
            }
            int theirs = o.so.options();
            boolean reusePort = (myOpts & SocketDefs.SO_REUSEPORT) != 0 && (theirs & SocketDefs.SO_REUSEPORT) != 0;
            boolean reuseAddr = (!sameAddr || o.timeWait) && (myOpts & SocketDefs.SO_REUSEADDR) != 0;
            if (!reusePort && !reuseAddr) {
                throw new ErrnoException(Errno.EADDRINUSE, io.jrump.wire.Ipv4Address.format(addr) + ":" + port
                        + " is in use");
            }
        }
    }

    /** Whether a port is taken on any address (also used by TIME_WAIT bookkeeping later). */
    synchronized boolean portInUse(int port) {
        Vestigial v = vestigial;
        return byPort.get(port) != null || v != null && v.portHeld(port);
    }

    private int ephemeral(int addr) throws ErrnoException {
        int min = anonMin.intValue();
        int max = anonMax.intValue();
        int n = max - min + 1;
        int start = (int) Long.remainderUnsigned(inet.kernel().hypercall().random().nextLong(), n);
        for (int i = 0; i < n; i++) {
            int port = min + (start + i) % n;
            if (byPort.get(port) == null && (vestigial == null || !vestigial.portHeld(port))) {
                return port;
            }
        }
        throw new ErrnoException(Errno.EADDRNOTAVAIL, "no free " + name + " port in " + min + ".." + max);
    }

    /** {@code in_pcbconnect}'s bookkeeping: binds an ephemeral port if needed and records the peer. */
    public synchronized void connect(InPcb p, int laddr, int faddr, int fport, Cred cred) throws ErrnoException {
        if (p.lport == 0) {
            bind(p, 0, 0, cred);
        }
        if (p.laddr == 0) {
            p.laddr = laddr;
        }
        p.faddr = faddr;
        p.fport = fport;
    }

    /**
     * Gives a pcb made for an accepted connection its four addresses at once (the listener's port is
     * shared, so no bind check applies).
     */
    public synchronized void setConnected(InPcb p, int laddr, int lport, int faddr, int fport) {
        if (p.lport != 0) {
            unhash(p);
        }
        p.laddr = laddr;
        p.lport = lport;
        p.faddr = faddr;
        p.fport = fport;
        hash(p);
    }

    /**
     * The listening pcb for a connection request to {@code dst:dport}: a bound, unconnected one, the
     * one with the specific address before a wildcard. Allocation-free.
     */
    public synchronized InPcb lookupListener(int dst, int dport) {
        InPcb[] cur = byPort.get(dport);
        if (cur == null) {
            return null;
        }
        InPcb wild = null;
        for (InPcb p : cur) {
            if (p.fport != 0 || !p.so.isListening()) {
                continue;
            }
            if (p.laddr == dst) {
                return p;
            }
            if (p.laddr == 0) {
                wild = p;
            }
        }
        return wild;
    }

    public synchronized void disconnect(InPcb p) {
        p.faddr = 0;
        p.fport = 0;
    }

    /**
     * The socket a datagram from {@code src:sport} to {@code dst:dport} belongs to: a connected pcb
     * matching all four, else the most specific bound one, else null. Allocation-free.
     */
    public synchronized InPcb lookup(int src, int sport, int dst, int dport) {
        InPcb[] cur = byPort.get(dport);
        if (cur == null) {
            return null;
        }
        InPcb best = null;
        int bestScore = -1;
        for (InPcb p : cur) {
            if (p.fport != 0 && (p.fport != sport || p.faddr != src)) {
                continue;
            }
            if (p.laddr != 0 && p.laddr != dst) {
                continue;
            }
            int score = (p.fport != 0 ? 2 : 0) + (p.laddr != 0 ? 1 : 0);
            if (score > bestScore) {
                best = p;
                bestScore = score;
            }
        }
        return best;
    }

    /**
     * Every pcb bound to {@code dport} that would accept a broadcast from {@code src:sport} to
     * {@code dst}: bound to the wildcard or to {@code dst} itself, not to one of our unicast addresses
     * (BSD's {@code udp_input}), and unconnected or connected to the sender.
     */
    public synchronized List<InPcb> lookupAll(int src, int sport, int dst, int dport) {
        InPcb[] cur = byPort.get(dport);
        List<InPcb> l = new ArrayList<>();
        if (cur != null) {
            for (InPcb p : cur) {
                if ((p.laddr == 0 || p.laddr == dst) && (p.fport == 0 || (p.fport == sport && p.faddr == src))) {
                    l.add(p);
                }
            }
        }
        return l;
    }

    /** Connected pcbs to {@code faddr:fport} from {@code lport}, for ICMP errors ({@code in_pcbnotify}). */
    public synchronized List<InPcb> connectedTo(int laddr, int lport, int faddr, int fport) {
        List<InPcb> l = new ArrayList<>();
        InPcb[] cur = byPort.get(lport);
        if (cur != null) {
            for (InPcb p : cur) {
                if (p.fport == fport && p.faddr == faddr && (p.laddr == 0 || p.laddr == laddr)) {
                    l.add(p);
                }
            }
        }
        return l;
    }

    public synchronized List<InPcb> list() {
        return List.copyOf(all);
    }
}
