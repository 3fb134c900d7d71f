package io.jrump.rumpnet.socket;

import io.jrump.hypercall.Errno;
import io.jrump.kern.sync.KMutex;

/**
 * Accept hold-back ({@link SoAcceptHook}): what happens to a connection a kernel consumer holds back
 * from {@code accept}, from its completion to its release or its close by the consumer.
 *
 * <p>A held connection has no descriptor ({@code SS_NOFDREF}) and stays on its listener's held list
 * ({@link ListenQueue}) until released or closed, so that a listener that closes meanwhile lets go of
 * it: it then belongs to the consumer alone, and a release resets it (RFC 9293 section 3.10.5, ABORT)
 * rather than leave the peer talking to a connection nobody will read.
 */
final class SoHold {
    private SoHold() {
    }

    /**
     * The listener's hook decides about {@code so}, which the protocol just completed (its lock held);
     * true if the consumer holds it now.
     */
    static boolean offer(Socket h, ListenQueue q, Socket so) {
        SoAcceptHook hook = h.acceptHook();
        if (hook == null) {
            return false;
        }
        boolean held;
        try {
            held = hook.hold(h, so);
        } catch (RuntimeException e) {
            so.kernel().log("socket " + h.id() + ": accept hook failed: " + e);
            return false;
        }
        if (held && q.hold(so)) {
            so.setKernelHeld(true);
            return true;
        }
        return false;
    }

    /**
     * {@link Socket#releaseToAccept()}: 0, the connection now on the complete queue; EINVAL if it is not
     * held; ECONNABORTED if the listener is gone or closing (the connection is then reset and freed), or
     * the connection itself is gone.
     */
    static int release(Socket so) {
        KMutex lock = so.lock();
        boolean take = !lock.owned();
        if (take) {
            lock.enter();
        }
        try {
            if (!so.kernelHeld()) {
                return Errno.EINVAL;
            }
            so.setKernelHeld(false);
            if (so.isFreed()) {
                return Errno.ECONNABORTED;
            }
            Socket h = so.head();
            ListenQueue q = h == null ? null : h.listenQueue();
            if (q != null && q.release(so)) {
                so.notifyListener(h);
                return 0;
            }
            if (q != null) {
                q.forget(so);
            }
            SoClose.abortLocked(so);
            return Errno.ECONNABORTED;
        } finally {
            if (take) {
                lock.exit();
            }
        }
    }

    /**
     * {@link Socket#closeByKernel()} and {@link Socket#abortByKernel()}: the consumer lets go of a held
     * connection (or of any socket it made without a descriptor) as a user's close would, gracefully or
     * with a reset.
     */
    static void close(Socket so, boolean abortive) {
        KMutex lock = so.lock();
        boolean take = !lock.owned();
        if (take) {
            lock.enter();
        }
        try {
            so.setKernelHeld(false);
            Socket h = so.head();
            ListenQueue q = h == null ? null : h.listenQueue();
            if (q != null) {
                q.forget(so);
            }
            if (abortive) {
                SoClose.abortLocked(so);
            } else {
                SoClose.closeLocked(so, true);
            }
        } finally {
            if (take) {
                lock.exit();
            }
        }
    }
}
