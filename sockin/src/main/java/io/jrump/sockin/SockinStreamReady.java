package io.jrump.sockin;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.rumpnet.socket.Socket;

/**
 * What the receiver thread does when a host stream socket is ready: a listener's connections are taken
 * onto the rump listen queue, a connection in progress completes or fails, bytes queued in the rump
 * send buffer go out as the host takes them (and a shutdown or close held back for them follows), and
 * input is read into the receive buffer ({@link SockinFill}).
 */
final class SockinStreamReady {
    private final Sockin sockin;
    private final SockinUser user;
    private final SockinStream stream;
    private final SockinFill fill;

    SockinStreamReady(Sockin sockin, SockinStream stream, SockinFill fill) {
        this.sockin = sockin;
        this.user = sockin.user;
        this.stream = stream;
        this.fill = fill;
    }

    /** The host socket {@code h} of {@code p} is ready for {@code ops}. */
    void ready(SockinPcb p, SockinUser.Handle h, int ops) {
        Socket so = p.so;
        sockin.receiver().enter(so);
        try {
            if (so.pcb() != p || p.host != h) {
                return;
            }
            if (p.listening) {
                accept(p, h);
                return;
            }
            if (p.connecting) {
                finishConnect(p, h);
                return;
            }
            if ((ops & SockinUser.OP_WRITE) != 0) {
                drain(p, h);
            }
            if ((ops & SockinUser.OP_READ) != 0 && p.host == h) {
                fill.fill(p, h, sockin.rx, true);
            }
            if (p.host == h) {
                stream.updateInterest(p);
            }
        } finally {
            so.lock().exit();
        }
    }

    private void finishConnect(SockinPcb p, SockinUser.Handle h) {
        Socket so = p.so;
        try {
            if (!user.finishConnect(h)) {
                return;
            }
            p.connecting = false;
            so.isConnected();
        } catch (ErrnoException e) {
            p.connecting = false;
            stream.fail(p, e.errno());
            return;
        }
        stream.updateInterest(p);
    }

    /**
     * Takes the connections the host has accepted onto the rump listener's queue, completed, as a SYN
     * cache does ({@code sonewconn} with {@code connected}). A full queue resets the connection.
     */
    private void accept(SockinPcb p, SockinUser.Handle h) {
        Socket head = p.so;
        for (int i = 0; i < 64; i++) {
            SockinUser.Handle c;
            try {
                c = user.accept(h);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ECONNABORTED) {
                    sockin.kernel.log("sockin: accept: " + e.getMessage());
                }
                continue;
            }
            if (c == null) {
                return;
            }
            p.pendingChild = c;
            Socket so = Socket.sonewconn(head, true);
            if (p.pendingChild != null) {
                p.pendingChild = null;
                user.abort(c);
            }
            if (so == null) {
                sockin.countAcceptDrop();
            }
        }
    }

    /** Sends what the rump send buffer holds; wakes writers, and finishes a pending shutdown or close. */
    private void drain(SockinPcb p, SockinUser.Handle h) {
        Socket so = p.so;
        if (so.snd.cc() > 0) {
            int n;
            try {
                n = sockin.writeChain(h, so.snd.first());
            } catch (ErrnoException e) {
                so.snd.flush();
                stream.fail(p, e.errno());
                return;
            }
            so.snd.drop(n);
            so.sowwakeup();
        }
        if (so.snd.cc() == 0) {
            if (p.detached) {
                stream.finishDetached(p);
            } else if (p.shutPending) {
                stream.shutdownHost(p);
            }
        }
    }
}
