package io.jrump.p2k;

import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.sched.Proc;
import io.jrump.vfs.Vfs;
import io.jrump.vfs.VnodeCalls;
import io.jrump.vfs.Vnode;
import java.util.HashMap;
import java.util.Map;

/**
 * One rump kernel process per Linux credential that uses the mount, as {@code p2k} passes the caller's
 * {@code puffs_cred} to each {@code VOP_*}: a FUSE request carries the calling process's uid and gid,
 * and the request runs in the process holding exactly those, so every permission check is the rump
 * kernel's. Each process is confined to the served file system (its root and current directory are
 * the mount's root) and has umask 0, since Linux has already applied the caller's umask to the modes it
 * sends. FUSE's header carries no supplementary groups, so these processes have none.
 */
final class CredProcs {
    private final Kernel kernel;
    private final Vfs vfs;
    private final VnodeCalls calls;
    private final Vnode root;
    private final Map<Long, Proc> procs = new HashMap<>();

    CredProcs(Kernel kernel, Vfs vfs, VnodeCalls calls, Vnode root) {
        this.kernel = kernel;
        this.vfs = vfs;
        this.calls = calls;
        this.root = root;
    }

    /** The process of {@code uid}:{@code gid}, made on first use. */
    Proc proc(int uid, int gid) throws ErrnoException {
        long key = ((long) uid << 32) | (gid & 0xffffffffL);
        synchronized (this) {
            Proc p = procs.get(key);
            if (p != null) {
                return p;
            }
            p = kernel.newProcess("p2k:" + Integer.toUnsignedString(uid) + ":" + Integer.toUnsignedString(gid),
                    new Cred(uid, gid, new int[0]));
            calls.confine(p, root);
            Lwp l = p.newLwp("p2k-setup");
            try {
                vfs.umask(l, 0);
            } finally {
                p.lwpExit(l);
            }
            procs.put(key, p);
            return p;
        }
    }

    /** Ends every process (their descriptors close), for the server's end. */
    void exitAll() {
        Proc[] all;
        synchronized (this) {
            all = procs.values().toArray(new Proc[0]);
            procs.clear();
        }
        for (Proc p : all) {
            kernel.exitProcess(p);
        }
    }
}
