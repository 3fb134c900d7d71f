package io.jrump.rumpnet.socket;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sync.KMutex;
import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.intr.Softint;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufChain;
import io.jrump.rumpnet.mbuf.MbufCopy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test-only AF_LOCAL domain with two protocols that exercise the generic socket layer the way a real
 * network protocol does: deliveries and connection set-up happen later, in a softint, like packet
 * input. The datagram protocol uses a lock per socket; the stream protocol gives all its sockets one
 * domain-wide lock (as TCP's {@code softnet_lock}) and keeps sent data in the sender's send buffer
 * until the peer's receive buffer has room, so flow control is real.
 */
final class LoopDomain implements Domain {
    static final int AF = SocketDefs.AF_LOCAL;
    static final int DGRAM_PROTO = 200;
    static final int STREAM_PROTO = 201;
    static final int DGRAM_BUF = 8192;
    static final int STREAM_BUF = 4096;

    final Kernel k;
    final KMutex streamLock;
    final Map<Integer, Socket> dgramPorts = new ConcurrentHashMap<>();
    final Map<Integer, Socket> streamPorts = new ConcurrentHashMap<>();
    final AtomicInteger ephemeral = new AtomicInteger(49152);
    final ConcurrentLinkedQueue<Runnable> work = new ConcurrentLinkedQueue<>();
    final Softint softint;
    final AtomicInteger dgramDrops = new AtomicInteger();
    final List<Integer> streamSends = new CopyOnWriteArrayList<>();
    final Dgram dgram = new Dgram();
    final Stream stream = new Stream();
    volatile boolean hold;
    volatile int segmentSize = Mbuf.MCLBYTES * 8;

    private LoopDomain(Kernel k) {
        this.k = k;
        this.streamLock = k.newMutex();
        this.softint = k.softints().establish("loop", Softint.NET, this::run);
    }

    static LoopDomain install(Kernel k) {
        LoopDomain d = new LoopDomain(k);
        k.service(Domains.class).register(d);
        k.onHalt(() -> {
            d.hold = false;
            d.k.softints().schedule(d.softint);
            d.k.softints().drain();
        });
        return d;
    }

    @Override
    public int family() {
        return AF;
    }

    @Override
    public String name() {
        return "loop";
    }

    @Override
    public Protosw lookup(int type, int protocol) {
        if (protocol == DGRAM_PROTO || protocol == 0 && type == SocketDefs.SOCK_DGRAM) {
            return dgram;
        }
        if (protocol == STREAM_PROTO || protocol == 0 && type == SocketDefs.SOCK_STREAM) {
            return stream;
        }
        return null;
    }

    /** Runs {@code r} in the softint, as packet input would; held back while {@link #hold} is set. */
    void defer(Runnable r) {
        work.add(r);
        if (!hold) {
            k.softints().schedule(softint);
        }
    }

    /** Lets held work run and waits for it. */
    void release() {
        hold = false;
        k.softints().schedule(softint);
        k.softints().drain();
    }

    private void run() {
        if (hold) {
            return;
        }
        Runnable r;
        while ((r = work.poll()) != null) {
            r.run();
        }
    }

    int autobind(Map<Integer, Socket> ports, Socket so, int port) throws ErrnoException {
        if (port == 0) {
            do {
                port = ephemeral.getAndIncrement();
            } while (ports.putIfAbsent(port, so) != null);
            return port;
        }
        if (ports.putIfAbsent(port, so) != null) {
            throw new ErrnoException(Errno.EADDRINUSE, "port " + port);
        }
        return port;
    }

    static final class DgramPcb {
        int port;
        SockAddr peer;
    }

    final class Dgram implements Protosw {
        @Override
        public int type() {
            return SocketDefs.SOCK_DGRAM;
        }

        @Override
        public int protocol() {
            return DGRAM_PROTO;
        }

        @Override
        public int flags() {
            return PR_ATOMIC | PR_ADDR;
        }

        @Override
        public void attach(Socket so, int proto) throws ErrnoException {
            so.reserve(DGRAM_BUF, DGRAM_BUF);
            so.setPcb(new DgramPcb());
        }

        @Override
        public void detach(Socket so) {
            DgramPcb p = (DgramPcb) so.pcb();
            if (p.port != 0) {
                dgramPorts.remove(p.port, so);
            }
            so.setPcb(null);
        }

        @Override
        public void bind(Socket so, SockAddr nam, Lwp l) throws ErrnoException {
            DgramPcb p = (DgramPcb) so.pcb();
            if (p.port != 0) {
                throw new ErrnoException(Errno.EINVAL, "already bound");
            }
            p.port = autobind(dgramPorts, so, nam.port);
        }

        @Override
        public void connect(Socket so, SockAddr nam, Lwp l) throws ErrnoException {
            DgramPcb p = (DgramPcb) so.pcb();
            if (p.port == 0) {
                p.port = autobind(dgramPorts, so, 0);
            }
            p.peer = nam.copy();
            so.isConnected();
        }

        @Override
        public void disconnect(Socket so) {
            ((DgramPcb) so.pcb()).peer = null;
            so.clearState(Socket.SS_ISCONNECTED);
        }

        @Override
        public void send(Socket so, Mbuf m, SockAddr to, int flags, Lwp l) throws ErrnoException {
            DgramPcb p = (DgramPcb) so.pcb();
            if (to != null && p.peer != null) {
                so.mbufs().freeChain(m);
                throw new ErrnoException(Errno.EISCONN);
            }
            SockAddr dst = to != null ? to : p.peer;
            if (p.port == 0) {
                p.port = autobind(dgramPorts, so, 0);
            }
            Socket target = dgramPorts.get(dst.port);
            if (target == null) {
                so.mbufs().freeChain(m);
                dgramDrops.incrementAndGet();
                return;
            }
            SockAddr from = new SockAddr(AF, 0, p.port);
            defer(() -> deliver(target, from, m));
        }

        private void deliver(Socket target, SockAddr from, Mbuf m) {
            target.lock().enter();
            try {
                if (target.pcb() == null || !target.rcv.appendAddr(from, m)) {
                    target.mbufs().freeChain(m);
                    dgramDrops.incrementAndGet();
                } else {
                    target.sorwakeup();
                }
            } finally {
                target.lock().exit();
            }
        }

        @Override
        public void sockaddr(Socket so, SockAddr out) {
            out.set(AF, 0, ((DgramPcb) so.pcb()).port);
        }

        @Override
        public void peeraddr(Socket so, SockAddr out) throws ErrnoException {
            SockAddr peer = ((DgramPcb) so.pcb()).peer;
            if (peer == null) {
                throw new ErrnoException(Errno.ENOTCONN);
            }
            out.set(peer);
        }
    }

    static final class StreamPcb {
        int port;
        Socket peer;
        int peerPort;
        boolean finSent;
    }

    final class Stream implements Protosw {
        @Override
        public int type() {
            return SocketDefs.SOCK_STREAM;
        }

        @Override
        public int protocol() {
            return STREAM_PROTO;
        }

        @Override
        public int flags() {
            return PR_CONNREQUIRED | PR_WANTRCVD | PR_LISTEN;
        }

        @Override
        public void attach(Socket so, int proto) throws ErrnoException {
            so.setLock(streamLock);
            if (so.snd.hiwat() == 0) {
                so.reserve(STREAM_BUF, STREAM_BUF);
            }
            so.setPcb(new StreamPcb());
        }

        private StreamPcb pcb(Socket so) {
            return (StreamPcb) so.pcb();
        }

        private void unlink(Socket so) {
            StreamPcb p = pcb(so);
            Socket peer = p.peer;
            if (peer != null) {
                p.peer = null;
                if (peer.pcb() != null) {
                    pcb(peer).peer = null;
                }
            }
        }

        @Override
        public void detach(Socket so) {
            StreamPcb p = pcb(so);
            Socket peer = p.peer;
            if (peer != null) {
                pump(so);
                unlink(so);
                peer.isDisconnected();
            }
            if (p.port != 0) {
                streamPorts.remove(p.port, so);
            }
            so.setPcb(null);
        }

        @Override
        public void bind(Socket so, SockAddr nam, Lwp l) throws ErrnoException {
            StreamPcb p = pcb(so);
            if (p.port != 0) {
                throw new ErrnoException(Errno.EINVAL, "already bound");
            }
            p.port = autobind(streamPorts, so, nam.port);
        }

        @Override
        public void listen(Socket so, int backlog, Lwp l) throws ErrnoException {
            StreamPcb p = pcb(so);
            if (p.port == 0) {
                p.port = autobind(streamPorts, so, 0);
            }
        }

        @Override
        public void connect(Socket so, SockAddr nam, Lwp l) throws ErrnoException {
            StreamPcb p = pcb(so);
            if (p.port == 0) {
                p.port = ephemeral.getAndIncrement();
            }
            so.isConnecting();
            int port = nam.port;
            defer(() -> complete(so, port));
        }

        private void complete(Socket so, int port) {
            streamLock.enter();
            try {
                if (so.pcb() == null || !so.hasState(Socket.SS_ISCONNECTING)) {
                    return;
                }
                Socket lis = streamPorts.get(port);
                Socket child = lis != null && lis.isListening() ? Socket.sonewconn(lis) : null;
                if (child == null) {
                    so.setError(Errno.ECONNREFUSED);
                    so.isDisconnected();
                    return;
                }
                StreamPcb cp = pcb(child);
                StreamPcb sp = pcb(so);
                cp.port = port;
                cp.peer = so;
                cp.peerPort = sp.port;
                sp.peer = child;
                sp.peerPort = port;
                child.isConnected();
                so.isConnected();
            } finally {
                streamLock.exit();
            }
        }

        @Override
        public void disconnect(Socket so) {
            so.isDisconnecting();
            pump(so);
        }

        @Override
        public void shutdown(Socket so) {
            pump(so);
        }

        @Override
        public void send(Socket so, Mbuf m, SockAddr to, int flags, Lwp l) throws ErrnoException {
            if (pcb(so).peer == null) {
                so.mbufs().freeChain(m);
                throw new ErrnoException(Errno.ENOTCONN);
            }
            streamSends.add(MbufChain.length(m));
            so.snd.appendStream(m);
            pump(so);
        }

        /** Moves what the peer has room for from {@code so}'s send buffer to the peer's receive buffer. */
        void pump(Socket so) {
            StreamPcb p = pcb(so);
            Socket peer = p.peer;
            if (peer == null) {
                return;
            }
            int n = Math.min(so.snd.cc(), peer.rcv.space());
            if (n > 0) {
                Mbuf c = MbufCopy.copym(so.snd.first(), 0, n);
                if (c == null) {
                    return;
                }
                peer.rcv.appendStream(c);
                so.snd.drop(n);
                peer.sorwakeup();
                so.sowwakeup();
            }
            if (so.hasState(Socket.SS_CANTSENDMORE) && so.snd.cc() == 0 && !p.finSent) {
                p.finSent = true;
                peer.cantRcvMore();
            }
        }

        @Override
        public void rcvd(Socket so, int flags) {
            Socket peer = pcb(so).peer;
            if (peer != null) {
                pump(peer);
            }
        }

        @Override
        public void abort(Socket so) {
            Socket peer = pcb(so).peer;
            if (peer != null) {
                unlink(so);
                peer.setError(Errno.ECONNRESET);
                peer.isDisconnected();
            }
            so.isDisconnected();
        }

        @Override
        public void sockaddr(Socket so, SockAddr out) {
            out.set(AF, 0, pcb(so).port);
        }

        @Override
        public void peeraddr(Socket so, SockAddr out) throws ErrnoException {
            StreamPcb p = pcb(so);
            if (p.peer == null) {
                throw new ErrnoException(Errno.ENOTCONN);
            }
            out.set(AF, 0, p.peerPort);
        }

        @Override
        public int segmentSize(Socket so) {
            return segmentSize;
        }
    }
}
