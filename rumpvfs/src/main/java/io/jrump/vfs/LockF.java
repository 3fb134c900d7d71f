package io.jrump.vfs;

import io.jrump.kern.vfs.Flock;
import io.jrump.kern.vfs.Fcntl;


import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.sync.KCondVar;
import io.jrump.kern.sync.KMutex;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * POSIX advisory record locks on one file ({@code vfs_lockf.c}), for file systems to call from
 * {@link VnodeOps#advlock}. A lock belongs to an owner (the process, for {@code fcntl} locks); an owner's
 * locks never conflict with each other, and setting one replaces what the owner held in its range
 * (splitting and merging ranges), as POSIX requires. A read lock conflicts with another owner's write
 * lock, a write lock with any other owner's lock. {@code F_SETLKW} sleeps until the range is free, or
 * fails with EDEADLK when the owner it waits for is itself waiting for this one, or with EINTR when the
 * waiting process is killed.
 */
public final class LockF {
    /** The end of a lock that runs to the end of the file and beyond ({@code l_len == 0}). */
    private static final long EOF = Long.MAX_VALUE;

    private final KMutex lock;
    private final KCondVar changed;
    private final List<Lock> locks = new ArrayList<>();
    /** For EDEADLK: whom each sleeping owner waits for. */
    private final Map<Object, Object> waitsFor = new IdentityHashMap<>();

    private static final class Lock {
        final Object owner;
        final int pid;
        final int type;
        long start;
        long end;

        Lock(Object owner, int pid, int type, long start, long end) {
            this.owner = owner;
            this.pid = pid;
            this.type = type;
            this.start = start;
            this.end = end;
        }

        boolean overlaps(long s, long e) {
            return start <= e && s <= end;
        }

        Flock toFlock() {
            return new Flock(start, end == EOF ? 0 : end - start + 1, pid, type, Fcntl.SEEK_SET);
        }
    }

    LockF(Kernel k) {
        this.lock = k.newMutex();
        this.changed = k.newCondVar();
    }

    /**
     * {@code lf_advlock}: {@code op} is {@link Fcntl#F_GETLK}, {@link Fcntl#F_SETLK} or
     * {@link Fcntl#F_UNLCK}; {@code fl}'s origin is {@code SEEK_SET} or {@code SEEK_END} (the VFS has
     * resolved {@code SEEK_CUR}), {@code size} the file's size for the latter. Returns the blocking lock
     * (or {@code fl} with type {@code F_UNLCK}) for {@code F_GETLK}, null otherwise.
     */
    public Flock advlock(Object owner, int pid, int op, Flock fl, long size, boolean wait) throws ErrnoException {
        long base = switch (fl.whence()) {
            case Fcntl.SEEK_SET, Fcntl.SEEK_CUR -> 0;
            case Fcntl.SEEK_END -> size;
            default -> throw new ErrnoException(Errno.EINVAL, "l_whence " + fl.whence());
        };
        long start = base + fl.start();
        long end;
        if (fl.len() > 0) {
            end = start + fl.len() - 1;
            if (end < start) {
                throw new ErrnoException(Errno.EOVERFLOW);
            }
        } else if (fl.len() == 0) {
            end = EOF;
        } else {
            end = start - 1;
            start += fl.len();
        }
        if (start < 0 || end < start) {
            throw new ErrnoException(Errno.EINVAL, "lock range starts before the file");
        }
        lock.enter();
        try {
            switch (op) {
                case Fcntl.F_GETLK -> {
                    if (fl.type() != Fcntl.F_RDLCK && fl.type() != Fcntl.F_WRLCK) {
                        throw new ErrnoException(Errno.EINVAL, "l_type " + fl.type());
                    }
                    Lock b = blocker(owner, fl.type(), start, end);
                    return b == null ? new Flock(fl.start(), fl.len(), fl.pid(), Fcntl.F_UNLCK, fl.whence()) : b.toFlock();
                }
                case Fcntl.F_UNLCK -> {
                    cut(owner, start, end);
                    changed.broadcast();
                    return null;
                }
                case Fcntl.F_SETLK -> {
                    set(owner, pid, fl.type(), start, end, wait);
                    return null;
                }
                default -> throw new ErrnoException(Errno.EINVAL, "advlock op " + op);
            }
        } finally {
            lock.exit();
        }
    }

    private void set(Object owner, int pid, int type, long start, long end, boolean wait) throws ErrnoException {
        if (type == Fcntl.F_UNLCK) {
            cut(owner, start, end);
            changed.broadcast();
            return;
        }
        if (type != Fcntl.F_RDLCK && type != Fcntl.F_WRLCK) {
            throw new ErrnoException(Errno.EINVAL, "l_type " + type);
        }
        for (;;) {
            Lock b = blocker(owner, type, start, end);
            if (b == null) {
                break;
            }
            if (!wait) {
                throw new ErrnoException(Errno.EAGAIN, "range held by pid " + b.pid);
            }
            if (waitsOn(b.owner, owner)) {
                throw new ErrnoException(Errno.EDEADLK, "pid " + b.pid + " waits for this process");
            }
            waitsFor.put(owner, b.owner);
            int err;
            try {
                err = changed.awaitSig(lock);
            } finally {
                waitsFor.remove(owner);
            }
            if (err != 0) {
                throw new ErrnoException(err);
            }
        }
        cut(owner, start, end);
        Lock n = new Lock(owner, pid, type, start, end);
        // merge with the owner's adjacent or overlapping locks of the same type
        for (int i = locks.size() - 1; i >= 0; i--) {
            Lock l = locks.get(i);
            if (l.owner == owner && l.type == type && l.start <= (n.end == EOF ? EOF : n.end + 1)
                    && n.start <= (l.end == EOF ? EOF : l.end + 1)) {
                n.start = Math.min(n.start, l.start);
                n.end = Math.max(n.end, l.end);
                locks.remove(i);
            }
        }
        locks.add(n);
        changed.broadcast();
    }

    /** Whether {@code a} waits, directly or through others, for {@code b}. */
    private boolean waitsOn(Object a, Object b) {
        Object x = a;
        for (int i = 0; i < 64 && x != null; i++) {
            if (x == b) {
                return true;
            }
            x = waitsFor.get(x);
        }
        return false;
    }

    private Lock blocker(Object owner, int type, long start, long end) {
        Lock best = null;
        for (Lock l : locks) {
            if (l.owner != owner && l.overlaps(start, end)
                    && (type == Fcntl.F_WRLCK || l.type == Fcntl.F_WRLCK)
                    && (best == null || l.start < best.start)) {
                best = l;
            }
        }
        return best;
    }

    /** Removes {@code [start, end]} from the owner's locks, splitting those that stick out on both sides. */
    private void cut(Object owner, long start, long end) {
        List<Lock> add = null;
        for (int i = locks.size() - 1; i >= 0; i--) {
            Lock l = locks.get(i);
            if (l.owner != owner || !l.overlaps(start, end)) {
                continue;
            }
            boolean left = l.start < start;
            boolean right = l.end > end;
            if (left && right) {
                if (add == null) {
                    add = new ArrayList<>(1);
                }
                add.add(new Lock(owner, l.pid, l.type, end + 1, l.end));
                l.end = start - 1;
            } else if (left) {
                l.end = start - 1;
            } else if (right) {
                l.start = end + 1;
            } else {
                locks.remove(i);
            }
        }
        if (add != null) {
            locks.addAll(add);
        }
    }

    /** Drops every lock {@code owner} holds on this file (a close by the owning process, or its exit). */
    public void releaseOwner(Object owner) {
        lock.enter();
        try {
            if (locks.removeIf(l -> l.owner == owner)) {
                changed.broadcast();
            }
        } finally {
            lock.exit();
        }
    }

    /** Whether {@code owner} holds any lock here. */
    public boolean holds(Object owner) {
        lock.enter();
        try {
            for (Lock l : locks) {
                if (l.owner == owner) {
                    return true;
                }
            }
            return false;
        } finally {
            lock.exit();
        }
    }

    /** The locks held, for listings and tests. */
    public List<Flock> list() {
        lock.enter();
        try {
            List<Flock> out = new ArrayList<>();
            for (Lock l : locks) {
                out.add(l.toFlock());
            }
            return out;
        } finally {
            lock.exit();
        }
    }
}
