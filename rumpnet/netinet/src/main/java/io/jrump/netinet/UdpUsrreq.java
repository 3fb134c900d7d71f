package io.jrump.netinet;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.socket.Protosw;
import io.jrump.rumpnet.socket.Socket;

/** UDP's socket entry points ({@code udp_usrreqs}). */
final class UdpUsrreq implements Protosw {
    private final Inet inet;
    private final Udp udp;

    UdpUsrreq(Inet inet, Udp udp) {
        this.inet = inet;
        this.udp = udp;
    }

    @Override
    public int type() {
        return SocketDefs.SOCK_DGRAM;
    }

    @Override
    public int protocol() {
        return SocketDefs.IPPROTO_UDP;
    }

    @Override
    public int flags() {
        return PR_ATOMIC | PR_ADDR;
    }

    static InPcb pcb(Socket so) throws ErrnoException {
        Object p = so.pcb();
        if (!(p instanceof InPcb pcb)) {
            throw new ErrnoException(Errno.EINVAL, "socket has no protocol control block");
        }
        return pcb;
    }

    @Override
    public void attach(Socket so, int proto) throws ErrnoException {
        so.reserve(udp.sendspace.intValue(), udp.recvspace.intValue());
        InPcb p = new InPcb(so, udp.table(), inet.defaultTtl());
        so.setPcb(p);
        udp.table().add(p);
    }

    @Override
    public void detach(Socket so) {
        if (so.pcb() instanceof InPcb p) {
            udp.table().remove(p);
            so.setPcb(null);
        }
    }

    @Override
    public void bind(Socket so, SockAddr nam, Lwp l) throws ErrnoException {
        nam.checkInet();
        udp.table().bind(pcb(so), nam.addr, nam.port, so.cred());
    }

    @Override
    public void connect(Socket so, SockAddr nam, Lwp l) throws ErrnoException {
        nam.checkInet();
        if (nam.port == 0) {
            throw new ErrnoException(Errno.EADDRNOTAVAIL, "connect to port 0");
        }
        InPcb p = pcb(so);
        int dst = nam.addr == 0 ? 0x7f000001 : nam.addr;
        int src = inet.ipOutput().selectSource(dst);
        if (src == 0) {
            throw new ErrnoException(Errno.ENETUNREACH, "no route to " + SockAddr.format(dst));
        }
        udp.table().connect(p, src, dst, nam.port, so.cred());
        applyIfSockbuf(inet, so, dst);
        so.soisconnected();
    }

    /**
     * DART's {@code if_sockbuf}: once a socket is tied to an interface, that interface's driver may
     * raise its buffering. For UDP this only bounds the largest datagram (DART seed, "Socket Buffering
     * and Flow Control"); TCP applies it to the socket made at SYN arrival.
     */
    static void applyIfSockbuf(Inet inet, Socket so, int dst) {
        var rt = inet.routes().lookup(dst);
        var hook = rt == null ? null : rt.ifp().sockbufHook();
        if (hook == null) {
            return;
        }
        int[] want = hook.adjust(so.snd.hiwat(), so.rcv.hiwat());
        int snd = Math.max(so.snd.hiwat(), want[0]);
        int rcv = Math.max(so.rcv.hiwat(), want[1]);
        if (snd != so.snd.hiwat() || rcv != so.rcv.hiwat()) {
            try {
                so.reserve(snd, rcv);
            } catch (ErrnoException e) {
                // above kern.sbmax: keep what the socket has
            }
        }
    }

    @Override
    public void disconnect(Socket so) throws ErrnoException {
        InPcb p = pcb(so);
        if (!p.connected()) {
            throw new ErrnoException(Errno.ENOTCONN, "not connected");
        }
        udp.table().disconnect(p);
        so.clearState(Socket.SS_ISCONNECTED);
    }

    @Override
    public void shutdown(Socket so) {
    }

    @Override
    public void send(Socket so, Mbuf m, SockAddr to, int flags, Lwp l) throws ErrnoException {
        InPcb p;
        try {
            p = pcb(so);
        } catch (ErrnoException e) {
            inet.mbufs().freeChain(m);
            throw e;
        }
        udp.output(p, m, to);
    }

    @Override
    public void sockaddr(Socket so, SockAddr out) {
        Object o = so.pcb();
        if (o instanceof InPcb p) {
            out.set(SocketDefs.AF_INET, p.laddr, p.lport);
        } else {
            out.set(SocketDefs.AF_INET, 0, 0);
        }
    }

    @Override
    public void peeraddr(Socket so, SockAddr out) throws ErrnoException {
        InPcb p = pcb(so);
        if (!p.connected()) {
            throw new ErrnoException(Errno.ENOTCONN, "not connected");
        }
        out.set(SocketDefs.AF_INET, p.faddr, p.fport);
    }

    @Override
    public int getopt(Socket so, int level, int name) throws ErrnoException {
        return InetOptions.get(pcb(so), level, name);
    }

    @Override
    public void setopt(Socket so, int level, int name, int value) throws ErrnoException {
        InetOptions.set(pcb(so), level, name, value);
    }
}
