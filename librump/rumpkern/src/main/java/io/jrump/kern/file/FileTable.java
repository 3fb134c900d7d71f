package io.jrump.kern.file;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.mem.Kmem;
import io.jrump.hypercall.Errno;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A process's descriptor table ({@code struct filedesc}): the lowest free descriptor is allocated
 * first, as POSIX requires of {@code open}, {@code socket} and {@code dup}; each slot holds a counted
 * reference to a shared {@link KFile}.
 *
 * <p>The first {@link #INITIAL_SLOTS} slots are part of the process's own charge ({@code Proc}); slots
 * the table grows beyond them are kernel memory of type {@value #KMEM_TYPE}, {@link #SLOT_BYTES} each,
 * charged as they are made (ENFILE past the kernel's limit, like the open files they hold) and given
 * back when the table empties at exit.
 */
public final class FileTable {
    /** Slots a new table has. */
    public static final int INITIAL_SLOTS = 16;
    /** One slot: a compressed object reference. */
    public static final long SLOT_BYTES = 4;
    /** The kernel memory account of descriptor table growth. */
    public static final String KMEM_TYPE = "fdtable";

    private final int limit;
    private final Kmem kmem;
    private KFile[] slots = new KFile[INITIAL_SLOTS];
    private int open;
    /** Bytes of the growth charged past the limit ({@link #fork} for a caller that cannot fail). */
    private long forced;

    /** A table of at most {@code limit} descriptors whose growth is charged to {@code kmem}. */
    public FileTable(int limit, Kmem kmem) {
        this.limit = limit;
        this.kmem = kmem;
    }

    /** Grows the slot array to {@code n} slots, charging the new ones; ENFILE past the limit. Lock held. */
    private void growTo(int n) throws ErrnoException {
        long bytes = (n - slots.length) * SLOT_BYTES;
        if (!kmem.alloc(kmem.type(KMEM_TYPE), bytes)) {
            throw new ErrnoException(Errno.ENFILE, "no kernel memory for " + n + " descriptor slots");
        }
        slots = Arrays.copyOf(slots, n);
    }

    /** Installs {@code fp} at the lowest free descriptor; the table takes over the caller's reference. */
    public synchronized int install(KFile fp) throws ErrnoException {
        for (int fd = 0; fd < limit; fd++) {
            if (fd >= slots.length) {
                growTo(Math.min(limit, slots.length * 2));
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
                growTo(Math.min(limit, Math.max(to + 1, slots.length * 2)));
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

    /**
     * A copy for a forked process: same files, one more reference each. ENOMEM if the kernel's limit
     * leaves no room for the copy's slots beyond the first {@link #INITIAL_SLOTS}, unless {@code force},
     * for a caller that has no way to report an error ({@link Kmem#allocNoFail}).
     */
    public synchronized FileTable fork(boolean force) throws ErrnoException {
        FileTable t = new FileTable(limit, kmem);
        long bytes = (slots.length - INITIAL_SLOTS) * SLOT_BYTES;
        if (force) {
            kmem.allocNoFail(kmem.type(KMEM_TYPE), bytes);
            t.forced = bytes;
        } else if (!kmem.alloc(kmem.type(KMEM_TYPE), bytes)) {
            throw new ErrnoException(Errno.ENOMEM, "no kernel memory for a copy of " + slots.length
                    + " descriptor slots");
        }
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
            slots = new KFile[INITIAL_SLOTS];
            open = 0;
            Kmem.Type type = kmem.type(KMEM_TYPE);
            long grown = (all.length - INITIAL_SLOTS) * SLOT_BYTES;
            if (grown > forced) {
                kmem.free(type, grown - forced);
            }
            if (forced > 0) {
                kmem.freeNoFail(type, forced);
                forced = 0;
            }
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
