package io.jrump.kern.file;

import io.jrump.kern.ErrnoException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open file ({@code struct file}): shared by every descriptor that refers to it, in this process
 * and in forked ones, and closed when the last reference goes.
 */
public final class KFile {
    /** {@code fcntl} status flags kept here, with NetBSD's values. */
    public static final int O_NONBLOCK = 0x0004;
    public static final int O_APPEND = 0x0008;

    private final FileOps ops;
    private final Object data;
    private final AtomicInteger refs = new AtomicInteger(1);
    private volatile int flags;

    public KFile(FileOps ops, Object data, int flags) {
        this.ops = ops;
        this.data = data;
        this.flags = flags;
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

    void hold() {
        refs.incrementAndGet();
    }

    /** Drops one reference; the last one closes the file. */
    void release() throws ErrnoException {
        int left = refs.decrementAndGet();
        if (left == 0) {
            ops.close(this);
        } else if (left < 0) {
            throw new IllegalStateException("file released more often than held");
        }
    }
}
