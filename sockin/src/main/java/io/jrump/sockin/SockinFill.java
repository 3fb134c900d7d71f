package io.jrump.sockin;

import io.jrump.kern.ErrnoException;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.socket.Socket;
import java.nio.ByteBuffer;

/**
 * Bytes of a host stream socket into the rump receive buffer. Whoever reads the host (the receiver
 * thread, a reader that waited on the host, a reader that took data and made room) reads what the host
 * has, up to the receive buffer's free space, into mbufs appended with {@code sorwakeup}. A full buffer
 * stops reading that host socket until the user has taken data ({@link SockinStream#rcvd}), which
 * leaves the rest in the host's buffer and closes the TCP window on the peer: flow control end to end.
 * Bytes for which the mbuf pool had no room wait in {@link SockinPcb#spill}, retried by the receiver.
 * Called with the socket lock held.
 */
final class SockinFill {
    /** A host read at least this large marks a bulk connection, whose next reads use {@link SockinRxBuffers}. */
    static final int BULK_READ = 16 * 1024;

    private final Sockin sockin;
    private final SockinUser user;
    private final SockinStream stream;

    SockinFill(Sockin sockin, SockinStream stream) {
        this.sockin = sockin;
        this.user = sockin.user;
        this.stream = stream;
    }

    /**
     * Reads from the host into the receive buffer, through {@code buf}, until the host has no more or
     * the buffer no room ({@link SockinPcb#rcvFull}); appends, then wakes readers ({@code sorwakeup}),
     * through the receiver's {@link SockinReceiver#wakeReaders} when {@code receiver} is true. A
     * connection whose last read was large ({@link SockinPcb#bulk}) reads into one of
     * {@link SockinRxBuffers}, appended as a single mbuf. End of stream and errors end the
     * connection's input. Returns true if the host had nothing more to give.
     */
    boolean fill(SockinPcb p, SockinUser.Handle h, ByteBuffer buf, boolean receiver) {
        Socket so = p.so;
        boolean discard = so.hasState(Socket.SS_CANTRCVMORE);
        if (p.spill != null && !deliverSpill(p)) {
            return false;
        }
        boolean woke = false;
        boolean drained = false;
        for (;;) {
            int room = discard ? buf.capacity() : Math.min(so.rcv.space(), buf.capacity());
            if (room <= 0) {
                p.rcvFull = true;
                break;
            }
            ByteBuffer big = p.bulk && !discard && room >= BULK_READ ? sockin.rxBuffers.take() : null;
            ByteBuffer in = big != null ? big : buf;
            in.clear().limit(room);
            int n;
            try {
                n = user.read(h, in);
            } catch (ErrnoException e) {
                giveBack(big);
                if (woke) {
                    so.sorwakeup();
                }
                stream.fail(p, e.errno());
                return true;
            }
            if (n < 0) {
                giveBack(big);
                p.eof = true;
                so.cantRcvMore();
                return true;
            }
            p.bulk = n >= BULK_READ;
            if (!discard && n > 0 && big != null && n >= BULK_READ) {
                Mbuf m = sockin.rxBuffers.wrap(big);
                if (m != null) {
                    so.rcv.appendStream(m);
                    woke = true;
                    big = null;
                }
            }
            if (!discard && n > 0 && (big != null || in == buf)) {
                in.flip();
                Mbuf m = sockin.toMbufs(in);
                if (m != null) {
                    so.rcv.appendStream(m);
                    woke = true;
                }
                if (in.hasRemaining()) {
                    byte[] rest = new byte[in.remaining()];
                    in.get(rest);
                    giveBack(big);
                    p.spill = rest;
                    sockin.starved.add(p);
                    break;
                }
            }
            giveBack(big);
            if (n < room) {
                drained = true;
                break;
            }
        }
        if (woke) {
            if (receiver) {
                sockin.receiver().wakeReaders(so);
            } else {
                so.sorwakeup();
            }
            // the pollers are woken; one that wants to wait on is back through rcvsync
            p.watched = false;
        }
        return drained;
    }

    private void giveBack(ByteBuffer big) {
        if (big != null) {
            sockin.rxBuffers.put(big);
        }
    }

    /** Moves spilled bytes into the receive buffer; true once none are left. */
    private boolean deliverSpill(SockinPcb p) {
        ByteBuffer src = ByteBuffer.wrap(p.spill);
        Mbuf m = sockin.toMbufs(src);
        if (m != null) {
            p.so.rcv.appendStream(m);
            p.so.sorwakeup();
        }
        if (src.hasRemaining()) {
            byte[] rest = new byte[src.remaining()];
            src.get(rest);
            p.spill = rest;
            return false;
        }
        p.spill = null;
        sockin.starved.remove(p);
        return true;
    }

    /** The receiver's periodic retry of a stream whose bytes found no mbufs. */
    void retryStarved(SockinPcb p) {
        Socket so = p.so;
        so.lock().enter();
        try {
            if (so.pcb() != p || p.spill == null) {
                sockin.starved.remove(p);
                return;
            }
            if (deliverSpill(p)) {
                stream.updateInterest(p);
            }
        } finally {
            so.lock().exit();
        }
    }
}
