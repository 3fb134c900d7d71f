package io.jrump.p2k;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sched.Proc;
import io.jrump.vfs.Vnode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * FUSE file handles: each OPEN, OPENDIR and CREATE is one open file of the rump kernel, a descriptor of
 * the process that holds the opener's credentials, so the rights checked at open (and the file's mode
 * then) govern its reads and writes as they do for a local descriptor. RELEASE closes it.
 */
final class Handles {
    /** One open file: the descriptor {@code fd} of {@code proc}, on {@code vp} (referenced by the file). */
    record Handle(Proc proc, int fd, Vnode vp, boolean dir, boolean writable) {
    }

    private final ConcurrentHashMap<Long, Handle> open = new ConcurrentHashMap<>();
    private final AtomicLong next = new AtomicLong(1);

    long add(Handle h) {
        long fh = next.getAndIncrement();
        open.put(fh, h);
        return fh;
    }

    /** The handle {@code fh}; EBADF if Linux names one it never got or already released. */
    Handle get(long fh) throws ErrnoException {
        Handle h = open.get(fh);
        if (h == null) {
            throw new ErrnoException(Errno.EBADF, "unknown file handle " + fh);
        }
        return h;
    }

    Handle remove(long fh) throws ErrnoException {
        Handle h = open.remove(fh);
        if (h == null) {
            throw new ErrnoException(Errno.EBADF, "unknown file handle " + fh);
        }
        return h;
    }

    int size() {
        return open.size();
    }

    /** Takes every handle still open, for the server's end. */
    List<Handle> drain() {
        List<Handle> l = new ArrayList<>();
        for (Long k : open.keySet()) {
            Handle h = open.remove(k);
            if (h != null) {
                l.add(h);
            }
        }
        return l;
    }
}
