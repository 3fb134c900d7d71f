package io.jrump.netinet.udp;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.netinet.Inet;
import io.jrump.netinet.pcb.InPcb;
import io.jrump.netinet.pcb.InetOptions;
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
        udp.table().bind(InPcb.of(so), nam.addr, nam.port, so.cred());
    }

    @Override
    public void connect(Socket so, SockAddr nam, Lwp l) throws ErrnoException {
        nam.checkInet();
        if (nam.port == 0) {
            throw new ErrnoException(Errno.EADDRNOTAVAIL, "connect to port 0");
        }
        InPcb p = InPcb.of(so);
        int dst = nam.addr == 0 ? 0x7f000001 : nam.addr;
        int src = inet.ipOutput().selectSource(dst);
        if (src == 0) {
            throw new ErrnoException(Errno.ENETUNREACH, "no route to " + SockAddr.format(dst));
        }
        udp.table().connect(p, src, dst, nam.port, so.cred());
        inet.applyIfSockbuf(so, dst);
        so.soisconnected();
    }

    @Override
    public void disconnect(Socket so) throws ErrnoException {
        InPcb p = InPcb.of(so);
        if (!p.connected()) {
            throw new ErrnoException(Errno.ENOTCONN, "not connected");
        }
        udp.table().disconnect(p);
        so.clearState(Socket.SS_ISCONNECTED);
    }

    @Override
    public void shutdown(Socket so) {
    }

    /**
     * DART's precomputed fragmentation (seed 002): a datagram larger than the route's MTU is laid out by the
     * socket layer in fragments of {@code (mtu - 20) & ~7} bytes of IP payload, the UDP header's room in the
     * first, so that IP output only adds headers ({@code net.inet.udp.fragprecompute}).
     */
    @Override
    public int fragmentPayload(Socket so, SockAddr to, int len) {
        if (udp.fragPrecompute.intValue() == 0) {
            return 0;
        }
        int dst;
        if (to != null) {
            dst = to.addr == 0 ? 0x7f000001 : to.addr;
        } else if (so.pcb() instanceof InPcb p && p.connected()) {
            dst = p.faddr();
        } else {
            return 0;
        }
        var rt = inet.routes().lookup(dst);
        if (rt == null || len + io.jrump.wire.UdpPacket.HEADER_LEN + io.jrump.wire.Ipv4Packet.HEADER_LEN <= rt.ifp().mtu()) {
            return 0;
        }
        return (rt.ifp().mtu() - io.jrump.wire.Ipv4Packet.HEADER_LEN) & ~7;
    }

    @Override
    public int transportHeader() {
        return io.jrump.wire.UdpPacket.HEADER_LEN;
    }

    @Override
    public void send(Socket so, Mbuf m, SockAddr to, int flags, Lwp l) throws ErrnoException {
        InPcb p;
        try {
            p = InPcb.of(so);
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
            out.set(SocketDefs.AF_INET, p.laddr(), p.lport());
        } else {
            out.set(SocketDefs.AF_INET, 0, 0);
        }
    }

    @Override
    public void peeraddr(Socket so, SockAddr out) throws ErrnoException {
        InPcb p = InPcb.of(so);
        if (!p.connected()) {
            throw new ErrnoException(Errno.ENOTCONN, "not connected");
        }
        out.set(SocketDefs.AF_INET, p.faddr(), p.fport());
    }

    @Override
    public int getopt(Socket so, int level, int name) throws ErrnoException {
        return InetOptions.get(InPcb.of(so), level, name);
    }

    @Override
    public void setopt(Socket so, int level, int name, int value) throws ErrnoException {
        InetOptions.set(InPcb.of(so), level, name, value);
    }

    /**
     * Lazy Receiver Processing (seed 003): a reader that found the buffer empty first processes its
     * socket's channel, on its own lwp and charged to its process, IP and UDP input included
     * ({@link io.jrump.netinet.lrp.Lrp#processForReader}); only with the channel empty does it sleep, to be
     * woken when the channel goes from empty to non-empty.
     */
    @Override
    public int rcvwait(Socket so, long deadlineNanos, Lwp l) {
        if (so.channel.isEmpty()) {
            return so.rcv.await(deadlineNanos);
        }
        inet.lrp().processForReader(so);
        return 0;
    }

    /** A poll or non-blocking read that found the buffer empty processes the channel as a blocking read would. */
    @Override
    public boolean rcvsync(Socket so, boolean watch) {
        return !so.channel.isEmpty() && inet.lrp().processForReader(so);
    }
}
