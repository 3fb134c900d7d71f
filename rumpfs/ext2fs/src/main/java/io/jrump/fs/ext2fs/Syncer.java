package io.jrump.fs.ext2fs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.sync.KCondVar;
import io.jrump.kern.sync.KMutex;

/**
 * The mount's syncer ({@code sched_sync} of NetBSD's {@code vfs_syncer.c}, {@code syncdelay}): a kernel
 * thread that writes the block cache back every {@code sync=} seconds, so that what a program wrote
 * reaches the device within that time even if the kernel is never unmounted. It sleeps on the kernel's
 * clock; {@link #stop} wakes it to end, and it never touches a mount that has been torn down.
 */
final class Syncer {
    /** NetBSD's {@code syncdelay}. */
    static final int DEFAULT_SECONDS = 30;

    private final Kernel k;
    private final Ext2Mount em;
    private final long periodNanos;
    private final KMutex lock;
    private final KCondVar wake;
    private boolean stopping;

    Syncer(Kernel k, Ext2Mount em, int seconds) {
        this.k = k;
        this.em = em;
        this.periodNanos = seconds * 1_000_000_000L;
        this.lock = k.newMutex();
        this.wake = k.newCondVar();
    }

    void start() {
        k.createKThread("ext2sync" + em.mp.index(), this::run);
    }

    void stop() {
        lock.enter();
        try {
            stopping = true;
            wake.broadcast();
        } finally {
            lock.exit();
        }
    }

    private void run() {
        long deadline = k.hypercall().clock().monotonicNanos() + periodNanos;
        lock.enter();
        try {
            while (!stopping) {
                int r = wake.awaitSigUntil(lock, deadline);
                if (r == Errno.EINTR) {
                    return;
                }
                if (stopping || k.hypercall().clock().monotonicNanos() < deadline) {
                    continue;
                }
                lock.exit();
                try {
                    em.syncIfOpen();
                } catch (ErrnoException e) {
                    k.log("ext2fs on " + em.onName() + ": periodic write-back: " + e.getMessage());
                } finally {
                    lock.enter();
                }
                deadline = k.hypercall().clock().monotonicNanos() + periodNanos;
            }
        } finally {
            lock.exit();
        }
    }
}
