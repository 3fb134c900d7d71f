package io.jrump.netinet.pcb;

import com.google.common.base.Preconditions;
import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.rumpnet.socket.Socket;

/**
 * An Internet protocol control block ({@code struct inpcb}): a socket's local and foreign address and
 * port, and its IP options. Addresses of 0 are wildcards; a connected pcb has a foreign port. The
 * addresses of a pcb in a table change only through {@link InPcbTable}, which keeps its index right;
 * a raw socket's pcb is in no table and sets them itself.
 */
public final class InPcb {
    /**
     * What a UDP or raw socket's pcb costs the host: the {@code InPcb} and its places in its table's
     * list and port index. Measured as about 70 bytes (a UDP socket with its pcb and descriptor took 862
     * bytes, {@link io.jrump.rumpnet.socket.Socket#KMEM_BYTES} and the file the rest);
     * {@code KernelMemoryFootprintTest} checks the sum.
     */
    public static final long KMEM_BYTES = 72;
    /** The kernel memory account of UDP and raw pcbs. */
    public static final String KMEM_TYPE = "inpcb";

    final Socket so;
    final InPcbTable table;
    volatile int laddr;
    volatile int lport;
    volatile int faddr;
    volatile int fport;
    int ttl;
    int tos;
    /** For raw sockets: the IP protocol it receives (0: all); IP_HDRINCL. */
    final int proto;
    boolean hdrincl;
    /** The protocol's own block for this pcb ({@code inp_ppcb}): TCP's control block. */
    private Object ppcb;
    /** In TIME_WAIT: its port may be taken again with {@code SO_REUSEADDR}. */
    volatile boolean timeWait;

    /** A pcb of {@code table}'s protocol for {@code so}, sending with {@code ttl}. */
    public InPcb(Socket so, InPcbTable table, int ttl) {
        this(so, table, ttl, 0);
    }

    /** A raw socket's pcb, in no table, receiving IP protocol {@code proto} (0: every protocol). */
    public static InPcb raw(Socket so, int ttl, int proto) {
        return new InPcb(so, null, ttl, proto);
    }

    private InPcb(Socket so, InPcbTable table, int ttl, int proto) {
        this.so = so;
        this.table = table;
        this.ttl = ttl;
        this.proto = proto;
    }

    /** The socket's pcb; EINVAL if it has none (closed, or not an Internet socket). */
    public static InPcb of(Socket so) throws ErrnoException {
        if (!(so.pcb() instanceof InPcb p)) {
            throw new ErrnoException(Errno.EINVAL, "socket has no protocol control block");
        }
        return p;
    }

    public Socket socket() {
        return so;
    }

    public int laddr() {
        return laddr;
    }

    public int lport() {
        return lport;
    }

    public int faddr() {
        return faddr;
    }

    public int fport() {
        return fport;
    }

    public int ttl() {
        return ttl;
    }

    public int tos() {
        return tos;
    }

    /** The IP protocol a raw socket receives and sends (0 for every protocol, and for other sockets). */
    public int proto() {
        return proto;
    }

    /** IP_HDRINCL: a raw socket's sends carry their own IP header. */
    public boolean hdrincl() {
        return hdrincl;
    }

    public boolean connected() {
        return fport != 0 || faddr != 0;
    }

    /** A connection accepted from a listener takes the listener's IP options (TTL and TOS). */
    public void inheritOptions(InPcb listener) {
        ttl = listener.ttl;
        tos = listener.tos;
    }

    /** A raw socket's {@code bind} and {@code connect}: the addresses it accepts datagrams to and from. */
    public void setRawAddresses(int laddr, int faddr) {
        Preconditions.checkState(table == null, "only a raw pcb, in no table, sets its own addresses");
        this.laddr = laddr;
        this.faddr = faddr;
    }

    /** The protocol's own block ({@code inp_ppcb}), or null. */
    public Object ppcb() {
        return ppcb;
    }

    public void setPpcb(Object ppcb) {
        this.ppcb = ppcb;
    }

    public boolean timeWait() {
        return timeWait;
    }

    /** Marks the pcb as in TIME_WAIT or out of it: a port in TIME_WAIT yields to {@code SO_REUSEADDR}. */
    public void setTimeWait(boolean on) {
        timeWait = on;
    }
}
