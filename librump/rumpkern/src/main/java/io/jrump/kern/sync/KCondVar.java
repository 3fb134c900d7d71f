package io.jrump.kern.sync;

import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Lwp;
import io.jrump.hypercall.Errno;
import io.jrump.hypercall.HyperCondVar;

/**
 * A kernel condition variable ({@code kcondvar_t}). Waiting gives up the virtual CPU; the
 * {@code *Sig} variants return EINTR when the lwp is killed (its remote client went away), as
 * {@code cv_wait_sig} does for a signal.
 */
public final class KCondVar {
    private final Kernel kernel;
    private final HyperCondVar cv;

    public KCondVar(Kernel kernel) {
        this.kernel = kernel;
        this.cv = kernel.hypercall().sync().newCondVar();
    }

    /** {@code cv_wait}: not interruptible. */
    public void await(KMutex m) {
        Lwp l = kernel.curlwp();
        int depth = l != null && l.cpu() != null ? kernel.scheduler().sleep(l) : -1;
        try {
            cv.await(m.hm);
        } finally {
            if (depth >= 0) {
                m.hm.exit();
                kernel.scheduler().wake(l, depth);
                m.enter();
            }
        }
    }

    /** {@code cv_wait_sig}: returns 0 when signalled, EINTR if the lwp was killed. */
    public int awaitSig(KMutex m) {
        return awaitSigUntil(m, Long.MAX_VALUE);
    }

    /**
     * {@code cv_timedwait_sig} with an absolute monotonic deadline: 0 when signalled (or spuriously
     * woken; callers recheck), EWOULDBLOCK at the deadline, EINTR if the lwp was killed.
     */
    public int awaitSigUntil(KMutex m, long deadlineNanos) {
        Lwp l = kernel.curlwp();
        if (l != null && l.killed()) {
            return Errno.EINTR;
        }
        int depth = l != null && l.cpu() != null ? kernel.scheduler().sleep(l) : -1;
        if (l != null) {
            l.setWaker(wakerFor(m));
        }
        try {
            if (l != null && l.killed()) {
                return Errno.EINTR;
            }
            boolean timedOut;
            if (deadlineNanos == Long.MAX_VALUE) {
                cv.await(m.hm);
                timedOut = false;
            } else {
                timedOut = cv.awaitUntil(m.hm, deadlineNanos);
            }
            if (l != null && l.killed()) {
                return Errno.EINTR;
            }
            return timedOut ? Errno.EWOULDBLOCK : 0;
        } finally {
            if (l != null) {
                l.setWaker(null);
            }
            if (depth >= 0) {
                m.hm.exit();
                kernel.scheduler().wake(l, depth);
                m.enter();
            }
        }
    }

    private KMutex wakerMutex;
    private Runnable waker;

    /** How a kill wakes a sleeper here; made once, since a condition variable always pairs with one mutex. */
    private Runnable wakerFor(KMutex m) {
        if (wakerMutex != m) {
            wakerMutex = m;
            waker = () -> {
                m.hm.enter();
                try {
                    cv.broadcast();
                } finally {
                    m.hm.exit();
                }
            };
        }
        return waker;
    }

    public void signal() {
        cv.signal();
    }

    public void broadcast() {
        cv.broadcast();
    }
}
