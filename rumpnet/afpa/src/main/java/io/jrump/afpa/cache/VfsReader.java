package io.jrump.afpa.cache;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.sched.Scheduler;
import io.jrump.kern.sync.KRwLock;
import io.jrump.vfs.VType;
import io.jrump.vfs.Vattr;
import io.jrump.vfs.Vfs;
import io.jrump.vfs.Vnode;
import java.nio.ByteBuffer;

/**
 * How the cache reads documents: through rumpvfs's vnode interface with the kernel's credentials, in a
 * kernel process of its own whose root directory is the docroot (as {@code chroot} makes it), so that
 * no path, {@code ..} or symbolic link resolves outside the docroot however it is spelled.
 *
 * <p>A read from a host-backed file system (etfs, {@link io.jrump.vfs.VnodeOps#hostIo}) blocks in the
 * host: the calling lwp gives up its virtual CPU around it, as {@code rumpuser} does around a host
 * read, so the kernel's other lwps (the network softint) keep running meanwhile.
 */
final class VfsReader {
    private final Kernel kernel;
    private final Vfs vfs;
    /**
     * Lookups hold it shared, a docroot change exclusive, so that no lookup runs in a process whose
     * root is being taken away. A kernel lock: both sides may sleep in the VFS.
     */
    private final KRwLock rootLock;
    private Proc proc;
    private volatile String docroot;
    private boolean closed;

    VfsReader(Kernel kernel, Vfs vfs) {
        this.kernel = kernel;
        this.vfs = vfs;
        this.rootLock = kernel.newRwLock();
    }

    /** The docroot's rump path; null while there is none. */
    String docroot() {
        return docroot;
    }

    /**
     * Makes {@code path} (a directory, looked up from the kernel's root) the root of every later
     * lookup, in a new process, the old one ending. On a failure there is no docroot at all (every
     * lookup is ENOENT) rather than the old one or the kernel's root.
     */
    void setDocroot(String path) throws ErrnoException {
        rootLock.enterWrite();
        try {
            if (closed) {
                throw new ErrnoException(Errno.ESHUTDOWN, "cache closed");
            }
            exit(proc);
            proc = null;
            docroot = null;
            Vnode vp = vfs.namei().lookup(kernel.proc0(), null, path, true);
            try {
                if (vp.type() != VType.VDIR) {
                    throw new ErrnoException(Errno.ENOTDIR, path);
                }
            } finally {
                vp.rele();
            }
            Proc p = kernel.newProcess("afpa", Cred.ROOT);
            Lwp l = p.newLwp("docroot");
            try {
                vfs.chroot(l, path);
            } catch (ErrnoException | RuntimeException e) {
                exit(p);
                throw e;
            } finally {
                p.lwpExit(l);
            }
            proc = p;
            docroot = path;
        } finally {
            rootLock.exit();
        }
    }

    private void exit(Proc p) {
        if (p != null && kernel.proc(p.pid()) == p) {
            kernel.exitProcess(p);
        }
    }

    /** Ends the process; later lookups fail with ESHUTDOWN. */
    void close() {
        rootLock.enterWrite();
        try {
            closed = true;
            exit(proc);
            proc = null;
        } finally {
            rootLock.exit();
        }
    }

    /** The vnode {@code path} names under the docroot, referenced. */
    Vnode lookup(String path) throws ErrnoException {
        rootLock.enterRead();
        try {
            Proc p = proc;
            if (closed || (p != null && p.exiting())) {
                throw new ErrnoException(Errno.ESHUTDOWN, "cache closed");
            }
            if (p == null) {
                throw new ErrnoException(Errno.ENOENT, "no docroot");
            }
            return vfs.namei().lookup(p, null, path, true);
        } finally {
            rootLock.exit();
        }
    }

    static Vattr getattr(Vnode vp) throws ErrnoException {
        Vattr va = new Vattr();
        vp.lockShared();
        try {
            vp.ops().getattr(vp, va);
        } finally {
            vp.unlock();
        }
        return va;
    }

    /**
     * Reads exactly {@code len} bytes at {@code fileOff} into {@code dst}; EIO if the file ends first
     * (it shrank since its size was taken).
     */
    void read(Vnode vp, byte[] dst, int off, int len, long fileOff) throws ErrnoException {
        ByteBuffer b = ByteBuffer.wrap(dst, off, len);
        vp.lockShared();
        try {
            Scheduler sched = kernel.scheduler();
            Lwp l = vp.ops().hostIo() ? kernel.curlwp() : null;
            int depth = l == null ? -1 : sched.unschedForHost(l, null);
            try {
                while (b.hasRemaining()) {
                    int n = vp.ops().read(vp, b, fileOff + (b.position() - off), 0, Cred.ROOT);
                    if (n <= 0) {
                        throw new ErrnoException(Errno.EIO, "file ended " + b.remaining() + " bytes early");
                    }
                }
            } finally {
                if (l != null) {
                    sched.schedAfterHost(l, depth);
                }
            }
        } finally {
            vp.unlock();
        }
    }
}
