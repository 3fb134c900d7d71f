package io.jrump.vfs;

import io.jrump.kern.vfs.Flock;
import io.jrump.kern.vfs.Fcntl;


import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.Poll;
import java.nio.ByteBuffer;

/**
 * The operations of a vnode whose file system was unmounted by force while the vnode was in use
 * ({@code deadfs}): it can still be closed and released, everything else answers EBADF (and a lookup
 * through it ENOENT), so a process holding it learns that its file is gone instead of reaching freed data.
 */
final class DeadVnodeOps implements VnodeOps {
    static final DeadVnodeOps INSTANCE = new DeadVnodeOps();

    private DeadVnodeOps() {
    }

    private static ErrnoException gone() {
        return new ErrnoException(Errno.EBADF, "file system was unmounted");
    }

    @Override
    public Vnode lookup(Vnode dvp, ComponentName cn) throws ErrnoException {
        throw new ErrnoException(Errno.ENOENT, "directory's file system was unmounted");
    }

    /** A path through a dead directory (a current directory whose file system went) names nothing. */
    @Override
    public void access(Vnode vp, int mode, Cred cred) throws ErrnoException {
        throw new ErrnoException(Errno.ENOENT, "directory's file system was unmounted");
    }

    @Override
    public void getattr(Vnode vp, Vattr va) throws ErrnoException {
        throw gone();
    }

    @Override
    public int read(Vnode vp, ByteBuffer dst, long offset, int ioflag, Cred cred) throws ErrnoException {
        throw gone();
    }

    @Override
    public long write(Vnode vp, ByteBuffer src, long offset, int ioflag, Cred cred) throws ErrnoException {
        throw gone();
    }

    @Override
    public long readdir(Vnode vp, long cookie, DirentSink sink) throws ErrnoException {
        throw gone();
    }

    @Override
    public long pathconf(Vnode vp, int name) throws ErrnoException {
        throw gone();
    }

    @Override
    public long seekData(Vnode vp, long offset, boolean hole) throws ErrnoException {
        throw gone();
    }

    @Override
    public Flock advlock(Vnode vp, Object owner, int pid, int op, Flock fl, boolean wait) throws ErrnoException {
        if (op == Fcntl.F_UNLCK) {
            return null;
        }
        throw gone();
    }

    @Override
    public int poll(Vnode vp, int events) {
        return Poll.POLLHUP;
    }
}
