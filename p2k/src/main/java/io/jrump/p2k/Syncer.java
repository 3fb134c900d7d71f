package io.jrump.p2k;

import io.jrump.hypercall.HyperCondVar;
import io.jrump.hypercall.HyperMutex;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Lwp;
import io.jrump.vfs.Vfs;
import java.util.concurrent.TimeUnit;

/**
 * The served file system's update daemon ({@code ioflush}): once changes have come in and the mount has
 * been quiet for {@link #QUIET_NANOS} (or changes kept coming for {@link #MAX_DIRTY_NANOS}), it syncs the
 * kernel's file systems, so that the image on the host is consistent moments after a burst of changes
 * ends, and an unmount from outside (after which the process still has to write back what it holds)
 * leaves little to write. The cap is long because a sync also flushes the image on the host: during a
 * stream of writes it would stall them, and the writer's own {@code fsync} or the unmount syncs anyway.
 */
final class Syncer implements Runnable {
    static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    static final long MAX_DIRTY_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final P2kServer server;
    private final Kernel kernel;
    private final Vfs vfs;
    private final Lwp lwp;
    private volatile boolean stop;
    /** Held while a round runs, so that {@link #stop} waits for a sync under way. */
    private final HyperMutex lock;
    private final HyperCondVar wake;

    Syncer(P2kServer server, Kernel kernel, Vfs vfs, Lwp lwp) {
        this.server = server;
        this.kernel = kernel;
        this.vfs = vfs;
        this.lwp = lwp;
        this.lock = kernel.hypercall().sync().newMutex();
        this.wake = kernel.hypercall().sync().newCondVar();
    }

    @Override
    public void run() {
        long synced = 0;
        long dirtySince = 0;
        lock.enter();
        try {
            while (!stop) {
                wake.awaitUntil(lock, kernel.hypercall().clock().monotonicNanos() + TICK_NANOS);
                if (stop || Thread.currentThread().isInterrupted()) {
                    return;
                }
                long c = server.changes.get();
                if (c == synced) {
                    dirtySince = 0;
                    continue;
                }
                long now = kernel.hypercall().clock().monotonicNanos();
                if (dirtySince == 0) {
                    dirtySince = now;
                }
                if (now - server.lastRequest < QUIET_NANOS && now - dirtySince < MAX_DIRTY_NANOS) {
                    continue;
                }
                kernel.hypercall().threads().setCurLwp(lwp);
                kernel.scheduler().schedule(lwp, null);
                try {
                    vfs.sync(lwp);
                } catch (ErrnoException e) {
                    // the next round tries again; the final unmount reports what stays wrong
                } finally {
                    kernel.scheduler().unschedule(lwp);
                    kernel.hypercall().threads().setCurLwp(null);
                }
                synced = c;
                dirtySince = 0;
            }
        } finally {
            lock.exit();
        }
    }

    /** Ends the loop, waiting for a sync under way. */
    void stop() {
        lock.enter();
        try {
            stop = true;
            wake.broadcast();
        } finally {
            lock.exit();
        }
    }
}
