package io.jrump.netinet;

import io.jrump.rumpnet.socket.Socket;

/**
 * An Internet protocol control block ({@code struct inpcb}): a socket's local and foreign address and
 * port. Addresses of 0 are wildcards; a connected pcb has a foreign port.
 */
public final class InPcb {
    final Socket so;
    final InPcbTable table;
    volatile int laddr;
    volatile int lport;
    volatile int faddr;
    volatile int fport;
    int ttl;
    int tos;
    /** For raw sockets: the IP protocol it receives (0: all); IP_HDRINCL. */
    int proto;
    boolean hdrincl;
    /** The protocol's own block for this pcb ({@code inp_ppcb}): TCP's {@link TcpCb}. */
    Object ppcb;
    /** In TIME_WAIT: its port may be taken again with {@code SO_REUSEADDR}. */
    boolean timeWait;

    InPcb(Socket so, InPcbTable table, int ttl) {
        this.so = so;
        this.table = table;
        this.ttl = ttl;
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

    boolean connected() {
        return fport != 0 || faddr != 0;
    }
}
