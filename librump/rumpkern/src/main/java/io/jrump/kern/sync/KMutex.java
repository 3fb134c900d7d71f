package io.jrump.kern.sync;

import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Lwp;
import io.jrump.hypercall.HyperMutex;

/**
 * A kernel mutex ({@code kmutex_t}) on a hypercall mutex. If it is taken, the caller gives up its
 * virtual CPU while it waits, as NetBSD's rump kernel does, so that with one CPU the holder can still
 * run and release it.
 */
public final class KMutex {
    private final Kernel kernel;
    final HyperMutex hm;

    public KMutex(Kernel kernel) {
        this.kernel = kernel;
        this.hm = kernel.hypercall().sync().newMutex();
    }

    public void enter() {
        if (hm.tryEnter()) {
            return;
        }
        Lwp l = kernel.curlwp();
        if (l == null || l.cpu() == null) {
            hm.enter();
            return;
        }
        int depth = kernel.scheduler().sleep(l);
        try {
            hm.enter();
        } finally {
            kernel.scheduler().wake(l, depth);
        }
    }

    public boolean tryEnter() {
        return hm.tryEnter();
    }

    public void exit() {
        hm.exit();
    }

    public boolean owned() {
        return hm.owned();
    }
}
