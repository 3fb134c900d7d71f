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
import java.util.concurrent.ConcurrentHashMap;

/**
 * One rump kernel process per Linux credential that uses the mount, as {@code p2k} passes the caller's
 * {@code puffs_cred} to each {@code VOP_*}: a FUSE request carries the calling process's uid and gid,
 * and the request runs in the process holding exactly those, so every permission check is the rump
 * kernel's. Each process is confined to the served file system (its root and current directory are
 * the mount's root) and has umask 0, since Linux has already applied the caller's umask to the modes it
 * sends. FUSE's header carries no supplementary groups; they are read from the caller's
 * {@code /proc/PID/status} when its ids still match the header's.
 */
final class CredProcs {
    private final Kernel kernel;
    private final Vfs vfs;
    private final VnodeCalls calls;
    private final Vnode root;
    /** How long a caller's groups are trusted before {@code /proc} is read again. */
    static final long GROUPS_TTL_NANOS = 1_000_000_000L;
    private static final int[] NO_GROUPS = new int[0];
    private final Map<Cred, Proc> procs = new HashMap<>();
    private final ConcurrentHashMap<Caller, Groups> groupCache = new ConcurrentHashMap<>();

    CredProcs(Kernel kernel, Vfs vfs, VnodeCalls calls, Vnode root) {
        this.kernel = kernel;
        this.vfs = vfs;
        this.calls = calls;
        this.root = root;
    }

    /**
     * The process for the caller {@code pid} with file-system ids {@code uid}:{@code gid}: with the
     * caller's supplementary groups, read from the host ({@link FuseUser#callerGroups}) and kept for
     * {@link #GROUPS_TTL_NANOS}; made on first use.
     */
    Proc proc(int uid, int gid, int pid) throws ErrnoException {
        int[] groups = groups(uid, gid, pid);
        Cred cred = new Cred(uid, gid, groups);
        synchronized (this) {
            Proc p = procs.get(cred);
            if (p != null) {
                return p;
            }
            p = kernel.newProcess("p2k:" + Integer.toUnsignedString(uid) + ":" + Integer.toUnsignedString(gid), cred);
            calls.confine(p, root);
            Lwp l = p.newLwp("p2k-setup");
            try {
                vfs.umask(l, 0);
            } finally {
                p.lwpExit(l);
            }
            procs.put(cred, p);
            return p;
        }
    }

    /** The process of {@code uid}:{@code gid} without supplementary groups. */
    Proc proc(int uid, int gid) throws ErrnoException {
        return proc(uid, gid, 0);
    }

    private record Caller(int pid, int uid, int gid) {
    }

    private record Groups(int[] groups, long until) {
    }

    private int[] groups(int uid, int gid, int pid) {
        if (pid <= 0) {
            return NO_GROUPS;
        }
        Caller c = new Caller(pid, uid, gid);
        long now = kernel.hypercall().clock().monotonicNanos();
        Groups g = groupCache.get(c);
        if (g != null && now - g.until < 0) {
            return g.groups;
        }
        int[] r = FuseUser.callerGroups(pid, uid, gid);
        if (r == null) {
            r = NO_GROUPS;
        }
        if (groupCache.size() > 4096) {
            groupCache.clear();
        }
        groupCache.put(c, new Groups(r, now + GROUPS_TTL_NANOS));
        return r;
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
