package io.jrump.p2k;

import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.sched.Proc;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One thread reading requests from {@code /dev/fuse} and answering them, with its own native request
 * and reply areas (large enough for a {@code max_write} request and a {@code max_read} reply) and its
 * own lwp in each credential's process. A request runs as a system call does: the thread bound to the
 * lwp and holding a virtual CPU of the kernel.
 */
final class Worker implements Runnable {
    /** Room for a 1 MiB write behind its headers, as the kernel asks of a reader ({@code fuse_dev_do_read}). */
    static final int AREA = P2kServer.MAX_WRITE + 64 * 1024;

    /** Direct, so that {@link FuseUser} reads and writes {@code /dev/fuse} with no copy. */
    final ByteBuffer inView = ByteBuffer.allocateDirect(AREA).order(ByteOrder.LITTLE_ENDIAN);
    final ByteBuffer outView = ByteBuffer.allocateDirect(AREA).order(ByteOrder.LITTLE_ENDIAN);
    private final Map<Proc, Lwp> lwps = new IdentityHashMap<>();
    private final P2kServer server;
    private final Kernel kernel;
    private final String name;
    private Object saved;
    private Lwp current;

    Worker(P2kServer server, Kernel kernel, String name) {
        this.server = server;
        this.kernel = kernel;
        this.name = name;
    }

    /** Enters the kernel as {@code p}'s lwp for this thread. */
    void enter(Proc p) {
        Lwp l = lwps.computeIfAbsent(p, q -> q.newLwp(name));
        saved = kernel.hypercall().threads().curLwp();
        kernel.hypercall().threads().setCurLwp(l);
        kernel.scheduler().schedule(l, null);
        current = l;
    }

    /** The host's monotonic time, read through the kernel's hypercall layer as all host time is. */
    long now() {
        return kernel.hypercall().clock().monotonicNanos();
    }

    /** The lwp this thread runs as inside the kernel. */
    Lwp lwp() {
        return current;
    }

    void exit() {
        Lwp l = current;
        current = null;
        kernel.scheduler().unschedule(l);
        kernel.hypercall().threads().setCurLwp(saved);
    }

    @Override
    public void run() {
        server.serve(this);
    }
}
