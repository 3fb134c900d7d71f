package io.jrump.rumpnet.socket;

import io.jrump.kern.Kernel;
import io.jrump.kern.mem.Kmem;
import io.jrump.kern.sysctl.SysctlNode;
import io.jrump.rumpnet.mbuf.MbufPool;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every live socket of one kernel, for {@code netstat -an} and {@code sockstat}, with the limits the
 * socket layer reads on its paths ({@code kern.sbmax}, {@code kern.somaxconn}) and its counters. A
 * service registered by the {@code rumpnet} component.
 */
public final class Sockets {
    private final Kernel kernel;
    private final MbufPool mbufs;
    private final Domains domains;
    private final SysctlNode sbmax;
    private final SysctlNode somaxconn;
    private final SocketFileOps fileOps = new SocketFileOps();
    private final Set<Socket> live = ConcurrentHashMap.newKeySet();
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicLong listenDrops = new AtomicLong();
    private final Kmem.Type kmemType;
    private final List<SoListenWatch> listenWatches = new CopyOnWriteArrayList<>();

    Sockets(Kernel kernel, MbufPool mbufs, Domains domains, SysctlNode sbmax, SysctlNode somaxconn) {
        this.kernel = kernel;
        this.mbufs = mbufs;
        this.domains = domains;
        this.sbmax = sbmax;
        this.somaxconn = somaxconn;
        this.kmemType = kernel.kmem().type(Socket.KMEM_TYPE);
    }

    /** The kernel memory account sockets are charged to. */
    Kmem.Type kmemType() {
        return kmemType;
    }

    public Kernel kernel() {
        return kernel;
    }

    public MbufPool mbufs() {
        return mbufs;
    }

    public Domains domains() {
        return domains;
    }

    /** {@code kern.sbmax}: the largest socket buffer a user may ask for. */
    public int sbmax() {
        return sbmax.intValue();
    }

    /** {@code kern.somaxconn}: the cap on a {@code listen(2)} backlog. */
    public int somaxconn() {
        return somaxconn.intValue();
    }

    /** The file operations of socket descriptors. */
    public SocketFileOps fileOps() {
        return fileOps;
    }

    /** Live sockets in creation order. */
    public List<Socket> list() {
        List<Socket> l = new ArrayList<>(live);
        l.sort((a, b) -> Long.compare(a.id(), b.id()));
        return l;
    }

    public int count() {
        return live.size();
    }

    /** Connection requests dropped on full listen queues, all listeners together. */
    public long listenDrops() {
        return listenDrops.get();
    }

    /** Tells {@code w} of every socket that starts listening from now on ({@link SoListenWatch}). */
    public void watchListen(SoListenWatch w) {
        listenWatches.add(w);
    }

    /** Stops telling {@code w}. */
    public void unwatchListen(SoListenWatch w) {
        listenWatches.remove(w);
    }

    /** {@code so} listens: tells the watches; thread context, no socket lock held. */
    void listened(Socket so) {
        for (SoListenWatch w : listenWatches) {
            try {
                w.listening(so);
            } catch (RuntimeException e) {
                kernel.log("listen watch: " + e);
            }
        }
    }

    void countListenDrop() {
        listenDrops.incrementAndGet();
    }

    long nextId() {
        return nextId.getAndIncrement();
    }

    void add(Socket so) {
        live.add(so);
    }

    void remove(Socket so) {
        live.remove(so);
    }
}
