package io.jrump.sockin;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.socket.Protosw;
import io.jrump.rumpnet.socket.Socket;
import java.nio.ByteBuffer;

/**
 * sockin's SOCK_DGRAM: a UDP socket of the host behind each rump datagram socket. A datagram sent is
 * one host send; a datagram received is read by the receiver thread into a record with its sender's
 * address ({@code sbappendaddr}), or dropped and counted when the receive buffer has no room, as UDP
 * input drops it on a full socket.
 */
final class SockinDgram implements Protosw {
    /** Datagrams taken from one host socket per wakeup, so that one busy sender does not starve others. */
    private static final int BATCH = 64;

    private final Sockin sockin;
    private final SockinUser user;
    private final SockAddr from = new SockAddr();

    SockinDgram(Sockin sockin) {
        this.sockin = sockin;
        this.user = sockin.user;
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
        so.reserve(Sockin.DGRAM_SENDSPACE, Sockin.DGRAM_RECVSPACE);
        SockinUser.Handle h = user.openDatagram();
        SockinPcb p = new SockinPcb(so, h);
        so.setPcb(p);
        sockin.track(p);
        try {
            user.interest(h, SockinUser.OP_READ);
        } catch (ErrnoException e) {
            detach(so);
            throw e;
        }
    }

    @Override
    public void detach(Socket so) {
        if (so.pcb() instanceof SockinPcb p) {
            if (p.host != null) {
                user.close(p.host);
                p.host = null;
            }
            sockin.untrack(p);
            so.setPcb(null);
        }
    }

    private static SockinUser.Handle host(Socket so) throws ErrnoException {
        if (so.pcb() instanceof SockinPcb p && p.host != null) {
            return p.host;
        }
        throw new ErrnoException(Errno.EINVAL, "socket has no protocol control block");
    }

    @Override
    public void bind(Socket so, SockAddr nam, Lwp l) throws ErrnoException {
        nam.checkInet();
        SockinStream.checkPort(so, nam.port);
        user.bind(host(so), nam.addr, nam.port, (so.options() & SocketDefs.SO_REUSEADDR) != 0);
    }

    @Override
    public void connect(Socket so, SockAddr nam, Lwp l) throws ErrnoException {
        nam.checkInet();
        if (nam.port == 0) {
            throw new ErrnoException(Errno.EADDRNOTAVAIL, "connect to port 0");
        }
        user.connect(host(so), nam.addr == 0 ? 0x7f000001 : nam.addr, nam.port);
        so.soisconnected();
    }

    @Override
    public void disconnect(Socket so) throws ErrnoException {
        if (!so.hasState(Socket.SS_ISCONNECTED)) {
            throw new ErrnoException(Errno.ENOTCONN, "not connected");
        }
        user.disconnect(host(so));
        so.clearState(Socket.SS_ISCONNECTED);
    }

    @Override
    public void send(Socket so, Mbuf m, SockAddr to, int flags, Lwp l) throws ErrnoException {
        try {
            SockinUser.Handle h = host(so);
            int addr = 0;
            int port = 0;
            if (to != null) {
                if (so.hasState(Socket.SS_ISCONNECTED)) {
                    throw new ErrnoException(Errno.EISCONN, "sendto on a connected socket");
                }
                to.checkInet();
                if (to.port == 0) {
                    throw new ErrnoException(Errno.EADDRNOTAVAIL, "send to port 0");
                }
                addr = to.addr == 0 ? 0x7f000001 : to.addr;
                port = to.port;
            }
            ByteBuffer b = sockin.gather(m);
            if (!user.send(h, b, addr, port)) {
                throw new ErrnoException(Errno.ENOBUFS, "host send buffer full");
            }
        } finally {
            sockin.mbufs.freeChain(m);
        }
    }

    @Override
    public void sockaddr(Socket so, SockAddr out) {
        if (!(so.pcb() instanceof SockinPcb p) || p.host == null || !user.local(p.host, out)) {
            out.set(SocketDefs.AF_INET, 0, 0);
        }
    }

    @Override
    public void peeraddr(Socket so, SockAddr out) throws ErrnoException {
        if (!so.hasState(Socket.SS_ISCONNECTED) || !user.remote(host(so), out)) {
            throw new ErrnoException(Errno.ENOTCONN, "not connected");
        }
    }

    @Override
    public int getopt(Socket so, int level, int name) throws ErrnoException {
        return SockinOptions.get(user, host(so), level, name, false);
    }

    @Override
    public void setopt(Socket so, int level, int name, int value) throws ErrnoException {
        SockinOptions.set(user, so.pcb() instanceof SockinPcb p ? p.host : null, level, name, value, false);
    }

    /** The receiver thread: datagrams have arrived on {@code p}'s host socket. */
    void input(SockinPcb p, SockinUser.Handle h, int ops) {
        Socket so = p.so;
        SockinReceiver r = sockin.receiver();
        r.enter(so);
        try {
            if (so.pcb() != p || p.host != h) {
                return;
            }
            ByteBuffer rx = sockin.rx;
            boolean woke = false;
            for (int i = 0; i < BATCH; i++) {
                rx.clear();
                int n;
                try {
                    n = user.receive(h, rx, from);
                } catch (ErrnoException e) {
                    // an ICMP error the host reports on a connected socket, as udp_ctlinput would
                    so.setError(e.errno());
                    continue;
                }
                if (n < 0) {
                    break;
                }
                rx.flip();
                Mbuf m = null;
                if (rx.hasRemaining()) {
                    m = sockin.toMbufs(rx);
                    if (m == null || rx.hasRemaining()) {
                        if (m != null) {
                            sockin.mbufs.freeChain(m);
                        }
                        sockin.countDatagramDrop();
                        continue;
                    }
                }
                if (!so.rcv.appendAddr(from, m)) {
                    if (m != null) {
                        sockin.mbufs.freeChain(m);
                    }
                    sockin.countDatagramDrop();
                    continue;
                }
                woke = true;
            }
            if (woke) {
                r.wakeReaders(so);
            }
        } finally {
            so.lock().exit();
        }
    }
}
