package io.jrump.rumpnet.socket;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sync.KCondVar;
import io.jrump.kern.sync.KMutex;
import io.jrump.kern.Kernel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A listening socket's queues of arriving connections ({@code so_q0}, {@code so_q} and
 * {@code so_qlimit} of NetBSD's {@code struct socket}): connections the protocol has begun but not
 * completed, and completed ones waiting for {@code accept}; and a third list, of completed connections a
 * kernel consumer holds back from {@code accept} ({@link SoAcceptHook}), which are neither visible to
 * {@code accept} nor counted against the backlog, but which the listener must know of so that a
 * consumer's {@link Socket#releaseToAccept()} finds them and a closing listener lets go of them.
 *
 * <p>The queues have their own lock, a leaf below every socket lock. NetBSD makes a queued socket share
 * its listener's lock to the same end; a lock of its own lets a protocol whose input holds a queued
 * connection's lock complete it without the listener's, and lets accepted connections keep separate
 * locks. The queues are intrusive, linked through the queued sockets, so queueing allocates nothing.
 */
final class ListenQueue {
    static final int NONE = 0;
    static final int INCOMPLETE = 1;
    static final int COMPLETE = 2;
    static final int HELD = 3;

    private final Socket head;
    private final KMutex lock;
    private final KCondVar cv;
    private final AtomicLong drops = new AtomicLong();
    private Socket q0first;
    private Socket q0last;
    private Socket qfirst;
    private Socket qlast;
    private Socket hfirst;
    private Socket hlast;
    /** Changed only under {@link #lock}; volatile so that {@link #full()} and netstat may read them without it. */
    private volatile int q0len;
    private volatile int qlen;
    private volatile int heldLen;
    private volatile int limit;

    ListenQueue(Socket head, Kernel k) {
        this.head = head;
        this.lock = k.newMutex();
        this.cv = k.newCondVar();
    }

    int qlen() {
        return qlen;
    }

    int q0len() {
        return q0len;
    }

    int heldLen() {
        return heldLen;
    }

    int limit() {
        return limit;
    }

    void setLimit(int n) {
        limit = n;
    }

    long drops() {
        return drops.get();
    }

    void countDrop() {
        drops.incrementAndGet();
    }

    /** More than one and a half times the limit queued, counting both queues, as {@code sonewconn} allows. */
    boolean full() {
        return qlen + q0len > 3 * limit / 2;
    }

    /** Whether one more connection may be queued, read under the queue lock. */
    boolean admits() {
        lock.enter();
        try {
            return !full();
        } finally {
            lock.exit();
        }
    }

    /** Queues a new connection, incomplete or complete; a complete one wakes {@code accept}. */
    void insert(Socket so, int which) {
        lock.enter();
        try {
            link(so, which);
            if (which == COMPLETE) {
                cv.broadcast();
            }
        } finally {
            lock.exit();
        }
    }

    private void link(Socket so, int which) {
        so.onq = which;
        so.qnext = null;
        if (which == INCOMPLETE) {
            so.qprev = q0last;
            if (q0last == null) {
                q0first = so;
            } else {
                q0last.qnext = so;
            }
            q0last = so;
            q0len++;
        } else if (which == HELD) {
            so.qprev = hlast;
            if (hlast == null) {
                hfirst = so;
            } else {
                hlast.qnext = so;
            }
            hlast = so;
            heldLen++;
        } else {
            so.qprev = qlast;
            if (qlast == null) {
                qfirst = so;
            } else {
                qlast.qnext = so;
            }
            qlast = so;
            qlen++;
        }
    }

    private void unlink(Socket so) {
        if (so.onq == INCOMPLETE) {
            if (so.qprev == null) {
                q0first = so.qnext;
            } else {
                so.qprev.qnext = so.qnext;
            }
            if (so.qnext == null) {
                q0last = so.qprev;
            } else {
                so.qnext.qprev = so.qprev;
            }
            q0len--;
        } else if (so.onq == COMPLETE) {
            if (so.qprev == null) {
                qfirst = so.qnext;
            } else {
                so.qprev.qnext = so.qnext;
            }
            if (so.qnext == null) {
                qlast = so.qprev;
            } else {
                so.qnext.qprev = so.qprev;
            }
            qlen--;
        } else if (so.onq == HELD) {
            if (so.qprev == null) {
                hfirst = so.qnext;
            } else {
                so.qprev.qnext = so.qnext;
            }
            if (so.qnext == null) {
                hlast = so.qprev;
            } else {
                so.qnext.qprev = so.qprev;
            }
            heldLen--;
        }
        so.onq = NONE;
        so.qnext = null;
        so.qprev = null;
    }

    /** Moves {@code so} from the incomplete to the complete queue and wakes {@code accept}; false if it was not incomplete here. */
    boolean complete(Socket so) {
        lock.enter();
        try {
            if (so.head() != head || so.onq != INCOMPLETE) {
                return false;
            }
            unlink(so);
            link(so, COMPLETE);
            cv.broadcast();
            return true;
        } finally {
            lock.exit();
        }
    }

    /**
     * Moves {@code so} from the incomplete queue to the held list, where {@code accept} does not see it;
     * false if it was not incomplete here (the listener closed meanwhile and let go of it).
     */
    boolean hold(Socket so) {
        lock.enter();
        try {
            if (so.head() != head || so.onq != INCOMPLETE) {
                return false;
            }
            unlink(so);
            link(so, HELD);
            return true;
        } finally {
            lock.exit();
        }
    }

    /**
     * Moves a held connection to the complete queue and wakes {@code accept}; false, changing nothing, if
     * it is not held here or the listener no longer listens (its close is under way, and would abort a
     * connection queued now).
     */
    boolean release(Socket so) {
        lock.enter();
        try {
            if (so.head() != head || so.onq != HELD || !head.isListening() || head.isFreed()) {
                return false;
            }
            unlink(so);
            link(so, COMPLETE);
            cv.broadcast();
            return true;
        } finally {
            lock.exit();
        }
    }

    /** Takes a held connection off the held list, for its consumer's close; the connection forgets its listener. */
    void forget(Socket so) {
        lock.enter();
        try {
            if (so.head() == head) {
                if (so.onq == HELD) {
                    unlink(so);
                }
                if (so.onq == NONE) {
                    so.clearHead();
                }
            }
        } finally {
            lock.exit();
        }
    }

    /**
     * Takes {@code so} off the incomplete queue (or the held list) when it is freed; false, leaving it,
     * if it is complete: a completed connection stays for {@code accept}, which then reports ECONNABORTED (NetBSD's
     * {@code sofree} keeps it for the same reason: poll already said the listener was readable).
     */
    boolean removeUnlessComplete(Socket so) {
        lock.enter();
        try {
            if (so.head() != head) {
                return true;
            }
            if (so.onq == COMPLETE) {
                return false;
            }
            unlink(so);
            so.clearHead();
            return true;
        } finally {
            lock.exit();
        }
    }

    /** Wakes {@code accept} to recheck the listener (an error, or the listener shut down). */
    void wakeup() {
        lock.enter();
        try {
            cv.broadcast();
        } finally {
            lock.exit();
        }
    }

    /**
     * Takes the first completed connection, waiting for one unless {@code nbio}: EAGAIN when
     * non-blocking and none is queued, the listener's pending error, ECONNABORTED once it can receive no
     * more, EINTR if the lwp is killed.
     */
    Socket take(boolean nbio) throws ErrnoException {
        Socket so = takeLocked(nbio);
        head.channel.room();
        return so;
    }

    private Socket takeLocked(boolean nbio) throws ErrnoException {
        lock.enter();
        try {
            while (qlen == 0) {
                if (head.error() != 0) {
                    throw new ErrnoException(head.takeError());
                }
                if (head.hasState(Socket.SS_CANTRCVMORE) || !head.isListening()) {
                    throw new ErrnoException(Errno.ECONNABORTED, "listening socket shut down");
                }
                if (nbio) {
                    throw new ErrnoException(Errno.EAGAIN, "no connection queued");
                }
                int r = cv.awaitSig(lock);
                if (r != 0) {
                    throw new ErrnoException(r);
                }
            }
            Socket so = qfirst;
            unlink(so);
            so.clearHead();
            return so;
        } finally {
            lock.exit();
        }
    }

    /**
     * Empties both queues of a closing listener and returns the connections, linked through their queue
     * pointers ({@link #next}), for the caller to abort without holding the listener's lock. Held
     * connections are not the listener's to abort: they stay with their kernel consumer, forgetting the
     * listener, so that a later {@link Socket#releaseToAccept()} fails and resets them instead.
     */
    Socket drain() {
        Socket list = null;
        lock.enter();
        try {
            while (hfirst != null) {
                Socket s = hfirst;
                unlink(s);
                s.clearHead();
            }
            while (q0first != null || qfirst != null) {
                Socket s = q0first != null ? q0first : qfirst;
                unlink(s);
                s.clearHead();
                s.qnext = list;
                list = s;
            }
            cv.broadcast();
        } finally {
            lock.exit();
        }
        return list;
    }

    /** The connection after {@code s} in a list from {@link #drain}, unlinking {@code s}. */
    static Socket next(Socket s) {
        Socket n = s.qnext;
        s.qnext = null;
        return n;
    }
}
