package io.jrump.netinet.raw;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.netinet.Inet;
import io.jrump.netinet.ip.IpOutput;
import io.jrump.netinet.pcb.InPcb;
import io.jrump.netinet.pcb.InetOptions;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.socket.Protosw;
import io.jrump.rumpnet.socket.Socket;

/**
 * Raw IP's socket entry points ({@code rip_usrreqs}): root only; sends carry the socket's protocol
 * (ICMP for ping) unless IP_HDRINCL says the caller wrote the IP header itself.
 */
final class RawUsrreq implements Protosw {
    static final int RIP_SENDSPACE = 9216;
    static final int RIP_RECVSPACE = 9216 * 8;
    private final Inet inet;
    private final int protocol;

    RawUsrreq(Inet inet, int protocol) {
        this.inet = inet;
        this.protocol = protocol;
    }

    @Override
    public int type() {
        return SocketDefs.SOCK_RAW;
    }

    @Override
    public int protocol() {
        return protocol;
    }

    @Override
    public int flags() {
        return PR_ATOMIC | PR_ADDR;
    }

    @Override
    public void attach(Socket so, int proto) throws ErrnoException {
        if (!so.cred().isRoot()) {
            throw new ErrnoException(Errno.EPERM, "raw sockets need root");
        }
        so.reserve(RIP_SENDSPACE, RIP_RECVSPACE);
        InPcb p = InPcb.raw(so, inet.defaultTtl(), proto);
        so.setPcb(p);
        inet.raw().add(p);
    }

    @Override
    public void detach(Socket so) {
        if (so.pcb() instanceof InPcb p) {
            inet.raw().remove(p);
            so.setPcb(null);
        }
    }

    @Override
    public void bind(Socket so, SockAddr nam, Lwp l) throws ErrnoException {
        nam.checkInet();
        if (nam.addr != 0 && !inet.addrs().isLocal(nam.addr)) {
            throw new ErrnoException(Errno.EADDRNOTAVAIL, SockAddr.format(nam.addr) + " is not a local address");
        }
        InPcb p = InPcb.of(so);
        p.setRawAddresses(nam.addr, p.faddr());
    }

    @Override
    public void connect(Socket so, SockAddr nam, Lwp l) throws ErrnoException {
        nam.checkInet();
        InPcb p = InPcb.of(so);
        p.setRawAddresses(p.laddr(), nam.addr);
        so.soisconnected();
    }

    @Override
    public void disconnect(Socket so) throws ErrnoException {
        InPcb p = InPcb.of(so);
        p.setRawAddresses(p.laddr(), 0);
        so.clearState(Socket.SS_ISCONNECTED);
    }

    @Override
    public void send(Socket so, Mbuf m, SockAddr to, int flags, Lwp l) throws ErrnoException {
        InPcb p;
        int dst;
        try {
            p = InPcb.of(so);
            if (to != null) {
                to.checkInet();
                dst = to.addr;
            } else if (p.faddr() != 0) {
                dst = p.faddr();
            } else {
                throw new ErrnoException(Errno.EDESTADDRREQ, "raw socket needs a destination");
            }
        } catch (ErrnoException e) {
            inet.mbufs().freeChain(m);
            throw e;
        }
        int oflags = (so.options() & SocketDefs.SO_BROADCAST) != 0 ? IpOutput.IP_ALLOWBROADCAST : 0;
        if (p.hdrincl()) {
            inet.ipOutput().output(m, 0, dst, 0, 0, 0, oflags | IpOutput.IP_RAWOUTPUT);
        } else {
            inet.ipOutput().output(m, p.laddr(), dst, p.proto(), p.ttl(), p.tos(), oflags);
        }
    }

    @Override
    public void sockaddr(Socket so, SockAddr out) {
        out.set(SocketDefs.AF_INET, so.pcb() instanceof InPcb p ? p.laddr() : 0, 0);
    }

    @Override
    public void peeraddr(Socket so, SockAddr out) throws ErrnoException {
        InPcb p = InPcb.of(so);
        if (p.faddr() == 0) {
            throw new ErrnoException(Errno.ENOTCONN, "not connected");
        }
        out.set(SocketDefs.AF_INET, p.faddr(), 0);
    }

    @Override
    public int getopt(Socket so, int level, int name) throws ErrnoException {
        return InetOptions.get(InPcb.of(so), level, name);
    }

    @Override
    public void setopt(Socket so, int level, int name, int value) throws ErrnoException {
        InetOptions.set(InPcb.of(so), level, name, value);
    }
}
