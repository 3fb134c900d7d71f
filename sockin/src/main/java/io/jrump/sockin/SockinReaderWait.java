package io.jrump.sockin;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.sched.Scheduler;
import io.jrump.kern.sync.KMutex;
import io.jrump.rumpnet.socket.Socket;
import java.nio.ByteBuffer;

/**
 * Readers of a sockin stream that wait on the host. A reader that finds the receive buffer empty waits
 * on its own host socket instead ({@link #rcvwait}), and reads what arrives into the buffer itself:
 * data for a blocked reader then goes from the host to the reader with one thread wakeup, as with a
 * plain blocking host socket, instead of two (the receiver's, then the reader's). A lone reader may
 * even take the bytes straight into its own memory ({@link #rcvdirect}).
 *
 * <p>The connection then stays in that mode ({@link SockinPcb#direct}), with the receiver no longer
 * watching it for input, until something needs input delivered unasked: a poll for input, an upcall, a
 * non-blocking read, or a second reader ({@link #rcvsync}, and {@link SockinPcb#sleepers}). All host
 * reads and appends are made with the socket lock held, so data read by the receiver and by readers
 * keeps its order; every wakeup of the buffer's readers also wakes the one waiting on the host
 * ({@link #rcvwakeup}).
 */
final class SockinReaderWait {
    private final Sockin sockin;
    private final SockinUser user;
    private final Scheduler sched;
    private final SockinStream stream;
    private final SockinFill fill;

    SockinReaderWait(Sockin sockin, SockinStream stream, SockinFill fill) {
        this.sockin = sockin;
        this.user = sockin.user;
        this.sched = sockin.kernel.scheduler();
        this.stream = stream;
        this.fill = fill;
    }

    /**
     * Reads what the host socket has straight into the reader's buffer when this lwp may take the
     * connection's input over ({@link #mayReadDirect}) and the receive buffer is empty: one copy from the
     * host into the reader's memory, as a plain host socket makes, where going through the buffer makes
     * two more (into an mbuf, out of it) and keeps a third thread busy. An empty read marks the coming {@link #rcvwait} as this reader's, which then leaves
     * what arrives on the host for the next call here instead of moving it into the buffer.
     */
    int rcvdirect(Socket so, ByteBuffer dst, Lwp l) {
        if (!(so.pcb() instanceof SockinPcb p) || so.rcv.cc() != 0 || !mayReadDirect(p, so, l)) {
            return 0;
        }
        takeInput(p);
        int n;
        try {
            n = user.read(p.host, dst);
        } catch (ErrnoException e) {
            stream.fail(p, e.errno());
            return 0;
        }
        if (n < 0) {
            p.eof = true;
            so.cantRcvMore();
            return 0;
        }
        if (n == 0) {
            p.readerNext = true;
        } else {
            sockin.countDirectRead(n);
        }
        return n;
    }

    /**
     * Waits for input on the host socket itself when this lwp may take the connection's input over
     * ({@link #mayReadDirect}), else on the buffer as the socket layer would. The lwp gives up the
     * socket lock and its CPU for the host wait ({@link Scheduler#unschedForHost}), then reads what
     * the host has into the buffer, which also wakes pollers and other readers. A kill, a close or
     * shutdown from another lwp, an error, or the receiver delivering data wakes it
     * ({@link #rcvwakeup}, the lwp's waker).
     */
    int rcvwait(Socket so, long deadlineNanos, Lwp l) {
        if (!(so.pcb() instanceof SockinPcb p)) {
            return so.rcv.await(deadlineNanos);
        }
        boolean readerNext = p.readerNext;
        p.readerNext = false;
        if (!mayReadDirect(p, so, l)) {
            return sleep(p, deadlineNanos);
        }
        SockinUser.Handle h = p.host;
        try {
            user.prepareWait(h);
        } catch (ErrnoException e) {
            return sleep(p, deadlineNanos);
        }
        takeInput(p);
        long timeoutMs = 0;
        if (deadlineNanos != Long.MAX_VALUE) {
            long left = deadlineNanos - sockin.kernel.hypercall().clock().monotonicNanos();
            if (left <= 0) {
                return Errno.EWOULDBLOCK;
            }
            timeoutMs = Math.max(1, (left + 999_999) / 1_000_000);
        }
        p.directWaiting = true;
        sockin.countReaderHostWait();
        KMutex lock = so.lock();
        lock.exit();
        int depth = sched.unschedForHost(l, h.readerWakeup);
        try {
            if (!l.killed()) {
                user.awaitReadable(h, timeoutMs);
            }
        } finally {
            sched.schedAfterHost(l, depth);
            lock.enter();
        }
        p.directWaiting = false;
        if (l.killed()) {
            return Errno.EINTR;
        }
        int cc = so.rcv.cc();
        int state = so.state();
        // what arrived stays on the host for this reader's next rcvdirect; an expired deadline is then
        // reported by the next wait, after that read found nothing
        boolean leaveOnHost = readerNext && mayReadDirect(p, so, l);
        if (so.pcb() == p && p.host == h && mayFill(p, so) && !leaveOnHost) {
            fill.fill(p, h, sockin.staging(), false);
        }
        if (!leaveOnHost && deadlineNanos != Long.MAX_VALUE && so.rcv.cc() == cc && so.state() == state
                && so.error() == 0 && sockin.kernel.hypercall().clock().monotonicNanos() >= deadlineNanos) {
            return Errno.EWOULDBLOCK;
        }
        return 0;
    }

    /** Readers take the connection's input over: the receiver stops watching it for reading. */
    void takeInput(SockinPcb p) {
        if (!p.direct) {
            p.direct = true;
            stream.updateInterest(p, false);
        }
    }

    /**
     * Whether a reader may wait on the host for this connection and read from it itself: an established
     * connection with input to come and room for it, no upcall, no poller counting on {@code sorwakeup},
     * and no other reader waiting, on the host or on the buffer (the receiver must keep delivering for
     * those).
     */
    private static boolean mayReadDirect(SockinPcb p, Socket so, Lwp l) {
        return l != null && mayTakeInput(p, so);
    }

    /** {@link #mayReadDirect} for whichever lwp reads next. */
    static boolean mayTakeInput(SockinPcb p, Socket so) {
        return !p.directWaiting && p.sleepers == 0 && !p.watched && so.upcall() == null
                && !p.listening && !p.connecting && !p.detached && so.hasState(Socket.SS_ISCONNECTED)
                && mayFill(p, so);
    }

    /** Whether the host may be read into the buffer now: input to come and room for it. */
    static boolean mayFill(SockinPcb p, Socket so) {
        return p.host != null && !p.eof && !p.rcvFull && p.spill == null
                && !so.hasState(Socket.SS_CANTRCVMORE);
    }

    /** Sleeps on the buffer, with the receiver delivering this connection's input meanwhile. */
    private int sleep(SockinPcb p, long deadlineNanos) {
        if (p.direct) {
            p.direct = false;
            stream.updateInterest(p);
        }
        p.sleepers++;
        try {
            return p.so.rcv.await(deadlineNanos);
        } finally {
            p.sleepers--;
        }
    }

    /** The buffer's readers were woken: so is the one waiting on the host, if any. */
    void rcvwakeup(Socket so) {
        if (so.pcb() instanceof SockinPcb p && p.directWaiting) {
            SockinUser.Handle h = p.host;
            if (h != null) {
                user.wakeReader(h);
            }
        }
    }

    /**
     * Someone looks at the buffer without waiting on the host. While readers own the input, what the
     * host has is read in now; with {@code watch} (a poller about to sleep, an upcall) the receiver
     * takes the input back, so that what arrives later is delivered with {@code sorwakeup}.
     */
    boolean rcvsync(Socket so, boolean watch) {
        if (!(so.pcb() instanceof SockinPcb p)) {
            return false;
        }
        boolean changed = false;
        if (p.direct && mayFill(p, so)) {
            int cc = so.rcv.cc();
            int state = so.state();
            fill.fill(p, p.host, sockin.staging(), false);
            changed = so.rcv.cc() != cc || so.state() != state || so.error() != 0;
        }
        if (watch) {
            p.watched = true;
            if (p.direct) {
                p.direct = false;
                stream.updateInterest(p);
            }
        }
        return changed;
    }
}
