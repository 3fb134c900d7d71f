package io.jrump.kern.file;

import io.jrump.kern.ErrnoException;
import io.jrump.hypercall.Errno;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A process's descriptor table ({@code struct filedesc}): the lowest free descriptor is allocated
 * first, as POSIX requires of {@code open}, {@code socket} and {@code dup}; each slot holds a counted
 * reference to a shared {@link KFile}.
 */
public final class FileTable {
    private final int limit;
    private KFile[] slots = new KFile[16];
    private int open;

    public FileTable(int limit) {
        this.limit = limit;
    }

    /** Installs {@code fp} at the lowest free descriptor; the table takes over the caller's reference. */
    public synchronized int install(KFile fp) throws ErrnoException {
        for (int fd = 0; fd < limit; fd++) {
            if (fd >= slots.length) {
                slots = Arrays.copyOf(slots, Math.min(limit, slots.length * 2));
            }
            if (slots[fd] == null) {
                slots[fd] = fp;
                open++;
                return fd;
            }
        }
        throw new ErrnoException(Errno.EMFILE, "descriptor table full (" + limit + ")");
    }

    /**
     * Returns the file behind {@code fd} with a reference held for the caller, which must give it back
     * with {@link #put}; a concurrent {@code close} then cannot free it under the caller.
     */
    public KFile get(int fd) throws ErrnoException {
        KFile fp;
        synchronized (this) {
            fp = fd >= 0 && fd < slots.length ? slots[fd] : null;
            if (fp == null) {
                throw new ErrnoException(Errno.EBADF);
            }
            fp.hold();
        }
        return fp;
    }

    /** Gives back a reference from {@link #get}. */
    public void put(KFile fp) throws ErrnoException {
        fp.release();
    }

    public void close(int fd) throws ErrnoException {
        KFile fp;
        synchronized (this) {
            fp = fd >= 0 && fd < slots.length ? slots[fd] : null;
            if (fp == null) {
                throw new ErrnoException(Errno.EBADF);
            }
            slots[fd] = null;
            open--;
        }
        fp.release();
    }

    public int dup(int fd) throws ErrnoException {
        KFile fp = get(fd);
        try {
            return install(fp);
        } catch (ErrnoException e) {
            fp.release();
            throw e;
        }
    }

    public int dup2(int from, int to) throws ErrnoException {
        if (to < 0 || to >= limit) {
            throw new ErrnoException(Errno.EBADF);
        }
        KFile fp = get(from);
        if (from == to) {
            fp.release();
            return to;
        }
        KFile old;
        synchronized (this) {
            if (to >= slots.length) {
                slots = Arrays.copyOf(slots, Math.min(limit, Math.max(to + 1, slots.length * 2)));
            }
            old = slots[to];
            slots[to] = fp;
            if (old == null) {
                open++;
            }
        }
        if (old != null) {
            old.release();
        }
        return to;
    }

    /** A copy for a forked process: same files, one more reference each. */
    public synchronized FileTable fork() {
        FileTable t = new FileTable(limit);
        t.slots = slots.clone();
        t.open = open;
        for (KFile fp : t.slots) {
            if (fp != null) {
                fp.hold();
            }
        }
        return t;
    }

    public synchronized int openCount() {
        return open;
    }

    /** Open descriptors in ascending order, for listings such as {@code sockstat}. */
    public synchronized List<Integer> descriptors() {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null) {
                l.add(i);
            }
        }
        return l;
    }

    /** Closes every descriptor; errors from individual closes are ignored, as at process exit. */
    public void closeAll() {
        KFile[] all;
        synchronized (this) {
            all = slots;
            slots = new KFile[16];
            open = 0;
        }
        for (KFile fp : all) {
            if (fp != null) {
                try {
                    fp.release();
                } catch (ErrnoException | RuntimeException e) {
                    // the process is gone; nobody is left to report it to
                }
            }
        }
    }
}
