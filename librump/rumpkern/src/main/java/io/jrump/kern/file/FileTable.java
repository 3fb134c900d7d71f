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
 * reference to a shared {@link KFile}, and the descriptor's own flag {@link #FD_CLOEXEC}, which belongs to
 * the descriptor and not to the file: {@code dup} makes a descriptor without it, {@code fork} copies it,
 * and {@link #closeOnExec} closes the descriptors that have it when the process's program changes.
 *
 * <p>The first {@link #INITIAL_SLOTS} slots are part of the process's own charge ({@code Proc}); slots
 * the table grows beyond them are kernel memory of type {@value #KMEM_TYPE}, {@link #SLOT_BYTES} each,
 * charged as they are made (ENFILE past the kernel's limit, like the open files they hold) and given
 * back when the table empties at exit.
 */
public final class FileTable {
    /** Slots a new table has. */
    public static final int INITIAL_SLOTS = 16;
    /** One slot: a compressed object reference and the descriptor's flag byte. */
    public static final long SLOT_BYTES = 5;
    /** {@code fcntl(F_GETFD/F_SETFD)}'s close-on-exec flag, NetBSD's value. */
    public static final int FD_CLOEXEC = 1;
    /** The kernel memory account of descriptor table growth. */
    public static final String KMEM_TYPE = "fdtable";

    private final int limit;
    private final Kmem kmem;
    private KFile[] slots = new KFile[INITIAL_SLOTS];
    /** Per descriptor: {@link #FD_CLOEXEC} or 0. */
    private byte[] fdflags = new byte[INITIAL_SLOTS];
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
        fdflags = Arrays.copyOf(fdflags, n);
    }

    /** Installs {@code fp} at the lowest free descriptor; the table takes over the caller's reference. */
    public int install(KFile fp) throws ErrnoException {
        return install(fp, 0, false);
    }

    /**
     * Installs {@code fp} at the lowest free descriptor not below {@code min}, with close-on-exec set if
     * {@code cloexec} ({@code O_CLOEXEC}, {@code F_DUPFD_CLOEXEC}); the table takes over the caller's
     * reference. EMFILE if none is free.
     */
    public synchronized int install(KFile fp, int min, boolean cloexec) throws ErrnoException {
        for (int fd = Math.max(0, min); fd < limit; fd++) {
            if (fd >= slots.length) {
                growTo(Math.min(limit, Math.max(fd + 1, slots.length * 2)));
            }
            if (slots[fd] == null) {
                slots[fd] = fp;
                fdflags[fd] = (byte) (cloexec ? FD_CLOEXEC : 0);
                open++;
                return fd;
            }
        }
        throw new ErrnoException(Errno.EMFILE, "descriptor table full (" + limit + ")");
    }

    /** {@code F_GETFD}: the descriptor's flags ({@link #FD_CLOEXEC}); EBADF if it is not open. */
    public synchronized int fdFlags(int fd) throws ErrnoException {
        if (fd < 0 || fd >= slots.length || slots[fd] == null) {
            throw new ErrnoException(Errno.EBADF);
        }
        return fdflags[fd];
    }

    /** {@code F_SETFD}: only {@link #FD_CLOEXEC} is kept, as NetBSD keeps it. */
    public synchronized void setFdFlags(int fd, int flags) throws ErrnoException {
        if (fd < 0 || fd >= slots.length || slots[fd] == null) {
            throw new ErrnoException(Errno.EBADF);
        }
        fdflags[fd] = (byte) (flags & FD_CLOEXEC);
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
            fdflags[fd] = 0;
            open--;
        }
        fp.release();
    }

    /**
     * Closes every descriptor marked {@link #FD_CLOEXEC}, as {@code execve} does (for a remote client,
     * when it says it has run a new program); {@code owner}'s record locks on those files go with them.
     * Errors of the closes are ignored, as at exit.
     */
    public void closeOnExec(io.jrump.kern.sched.Proc owner) {
        List<KFile> gone = new ArrayList<>();
        synchronized (this) {
            for (int fd = 0; fd < slots.length; fd++) {
                if (slots[fd] != null && (fdflags[fd] & FD_CLOEXEC) != 0) {
                    gone.add(slots[fd]);
                    slots[fd] = null;
                    fdflags[fd] = 0;
                    open--;
                }
            }
        }
        for (KFile fp : gone) {
            try {
                fp.ops().closing(fp, owner);
            } catch (ErrnoException | RuntimeException e) {
                // as below
            }
            try {
                fp.release();
            } catch (ErrnoException | RuntimeException e) {
                // the descriptor is gone either way; nobody waits for this close's error
            }
        }
    }

    /** {@code dup}: the new descriptor has no close-on-exec, whatever {@code fd} has. */
    public int dup(int fd) throws ErrnoException {
        return dupMin(fd, 0, false);
    }

    /**
     * {@code fcntl(F_DUPFD)} and {@code F_DUPFD_CLOEXEC}: the lowest free descriptor not below
     * {@code min}; EINVAL for a {@code min} outside the table's range, EMFILE if none is free.
     */
    public int dupMin(int fd, int min, boolean cloexec) throws ErrnoException {
        if (min < 0 || min >= limit) {
            throw new ErrnoException(Errno.EINVAL, "descriptor " + min + " is outside 0.." + (limit - 1));
        }
        KFile fp = get(fd);
        try {
            return install(fp, min, cloexec);
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
                try {
                    growTo(Math.min(limit, Math.max(to + 1, slots.length * 2)));
                } catch (ErrnoException e) {
                    fp.release();
                    throw e;
                }
            }
            old = slots[to];
            slots[to] = fp;
            fdflags[to] = 0;
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
        t.fdflags = fdflags.clone();
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
            fdflags = new byte[INITIAL_SLOTS];
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
