package io.jrump.kern.file;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.mem.Kmem;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open file ({@code struct file}): shared by every descriptor that refers to it, in this process
 * and in forked ones, and closed when the last reference goes.
 *
 * <p>Open files are kernel memory, of type {@value #KMEM_TYPE}: {@link #alloc} charges
 * {@link #KMEM_BYTES} to the kernel's limit and fails with ENFILE past it, as {@code falloc} does when
 * the kernel-wide file table is full; the charge goes back when the file closes.
 */
public final class KFile {
    /** {@code fcntl} status flags kept here, with NetBSD's values. */
    public static final int O_NONBLOCK = 0x0004;
    public static final int O_APPEND = 0x0008;
    /**
     * What one open file costs the host: the {@code KFile} with its reference count, and the slot of the
     * list that holds it. Measured as 53 bytes per file over 50,000 ({@code KernelMemoryFootprintTest}).
     */
    public static final long KMEM_BYTES = 56;
    /** The kernel memory account of open files. */
    public static final String KMEM_TYPE = "file";

    private final FileOps ops;
    private final Object data;
    private final AtomicInteger refs = new AtomicInteger(1);
    private final Kmem kmem;
    private volatile int flags;

    /** A file not charged to any kernel: for tests of the descriptor table. */
    KFile(FileOps ops, Object data, int flags) {
        this(ops, data, flags, null);
    }

    private KFile(FileOps ops, Object data, int flags, Kmem kmem) {
        this.ops = ops;
        this.data = data;
        this.flags = flags;
        this.kmem = kmem;
    }

    /**
     * {@code falloc}: a new open file of {@code k} with one reference, for the caller to install in a
     * descriptor table. ENFILE if the kernel's memory limit leaves no room for it.
     */
    public static KFile alloc(Kernel k, FileOps ops, Object data, int flags) throws ErrnoException {
        Kmem kmem = k.kmem();
        if (!kmem.alloc(kmem.type(KMEM_TYPE), KMEM_BYTES)) {
            throw new ErrnoException(Errno.ENFILE, "no kernel memory for another open file ("
                    + kmem.used() + " of " + kmem.limit() + " bytes in use)");
        }
        return new KFile(ops, data, flags, kmem);
    }

    public FileOps ops() {
        return ops;
    }

    /** The object behind the file: a socket, a vnode. */
    public Object data() {
        return data;
    }

    public int flags() {
        return flags;
    }

    public void setFlags(int f) {
        this.flags = f;
    }

    public boolean nonBlocking() {
        return (flags & O_NONBLOCK) != 0;
    }

    /**
     * Gives up the reference {@link #alloc} returned, for a file that could not be installed in a
     * descriptor table: the file closes as if its last descriptor had.
     */
    public void dispose() throws ErrnoException {
        release();
    }

    /** References now: descriptors (in any process) and callers holding it for a call. */
    public int refs() {
        return refs.get();
    }

    void hold() {
        refs.incrementAndGet();
    }

    /** Drops one reference; the last one closes the file. */
    void release() throws ErrnoException {
        int left = refs.decrementAndGet();
        if (left == 0) {
            try {
                ops.close(this);
            } finally {
                if (kmem != null) {
                    kmem.free(kmem.type(KMEM_TYPE), KMEM_BYTES);
                }
            }
        } else if (left < 0) {
            throw new IllegalStateException("file released more often than held");
        }
    }
}
