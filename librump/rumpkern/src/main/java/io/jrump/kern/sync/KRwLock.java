package io.jrump.kern.sync;

import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Lwp;
import io.jrump.hypercall.HyperRwLock;

/** A kernel readers-writer lock ({@code krwlock_t}); a blocked caller gives up its virtual CPU. */
public final class KRwLock {
    private final Kernel kernel;
    private final HyperRwLock rw;

    public KRwLock(Kernel kernel) {
        this.kernel = kernel;
        this.rw = kernel.hypercall().sync().newRwLock();
    }

    public void enterRead() {
        if (rw.tryEnterRead()) {
            return;
        }
        blocking(true);
    }

    public void enterWrite() {
        if (rw.tryEnterWrite()) {
            return;
        }
        blocking(false);
    }

    private void blocking(boolean read) {
        Lwp l = kernel.curlwp();
        int depth = l != null && l.cpu() != null ? kernel.scheduler().sleep(l) : -1;
        try {
            if (read) {
                rw.enterRead();
            } else {
                rw.enterWrite();
            }
        } finally {
            if (depth >= 0) {
                kernel.scheduler().wake(l, depth);
            }
        }
    }

    public void exit() {
        rw.exit();
    }

    public boolean writeHeld() {
        return rw.writeHeld();
    }
}
