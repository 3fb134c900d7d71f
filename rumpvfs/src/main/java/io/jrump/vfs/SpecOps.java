package io.jrump.vfs;

import io.jrump.kern.vfs.Flock;


import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.Poll;
import io.jrump.kern.Kernel;
import java.nio.ByteBuffer;

/**
 * The operations of a device node ({@code specfs}): the file system that holds the node keeps its name
 * and attributes, the driver the device number names ({@link DevSw}) does its I/O. A file system gives
 * its {@link VType#VCHR} and {@link VType#VBLK} vnodes these operations around its own.
 */
public final class SpecOps implements VnodeOps {
    private final VnodeOps fs;
    private final DevSw devsw;
    private final Kernel kernel;
    private final long rdev;

    public SpecOps(Kernel kernel, DevSw devsw, VnodeOps fs, long rdev) {
        this.kernel = kernel;
        this.devsw = devsw;
        this.fs = fs;
        this.rdev = rdev;
    }

    public long rdev() {
        return rdev;
    }

    @Override
    public Vnode lookup(Vnode dvp, ComponentName cn) throws ErrnoException {
        throw new ErrnoException(Errno.ENOTDIR);
    }

    @Override
    public void open(Vnode vp, int fflags, Cred cred) throws ErrnoException {
        if (vp.type() == VType.VCHR) {
            devsw.cdev(rdev).open(rdev, fflags, cred);
        } else {
            devsw.bdev(rdev).open(rdev, fflags, cred);
        }
    }

    @Override
    public void close(Vnode vp, int fflags, Cred cred) throws ErrnoException {
        if (vp.type() == VType.VCHR) {
            devsw.cdev(rdev).close(rdev, fflags, cred);
        } else {
            devsw.bdev(rdev).close(rdev, fflags, cred);
        }
    }

    @Override
    public void access(Vnode vp, int mode, Cred cred) throws ErrnoException {
        fs.access(vp, mode, cred);
    }

    @Override
    public void getattr(Vnode vp, Vattr va) throws ErrnoException {
        fs.getattr(vp, va);
        if (vp.type() == VType.VBLK) {
            va.size = devsw.bdev(rdev).size(rdev);
        }
    }

    @Override
    public void setattr(Vnode vp, Vattr va, Cred cred) throws ErrnoException {
        if (va.size != Vattr.VNOVAL) {
            // truncating a device is no error and does nothing, as specfs ignores va_size
            va.size = Vattr.VNOVAL;
        }
        fs.setattr(vp, va, cred);
    }

    @Override
    public int read(Vnode vp, ByteBuffer dst, long offset, int ioflag, Cred cred) throws ErrnoException {
        if (vp.type() == VType.VCHR) {
            return devsw.cdev(rdev).read(rdev, dst, offset, ioflag);
        }
        return BlockIo.read(kernel, devsw.bdev(rdev), rdev, dst, offset);
    }

    @Override
    public long write(Vnode vp, ByteBuffer src, long offset, int ioflag, Cred cred) throws ErrnoException {
        int n = vp.type() == VType.VCHR ? devsw.cdev(rdev).write(rdev, src, offset, ioflag)
                : BlockIo.write(kernel, devsw.bdev(rdev), rdev, src, offset);
        return offset + n;
    }

    @Override
    public void fsync(Vnode vp, boolean dataOnly) throws ErrnoException {
        if (vp.type() == VType.VBLK) {
            devsw.bdev(rdev).sync(rdev);
        }
    }

    @Override
    public Flock advlock(Vnode vp, Object owner, int pid, int op, Flock fl, boolean wait) throws ErrnoException {
        return fs.advlock(vp, owner, pid, op, fl, wait);
    }

    @Override
    public long pathconf(Vnode vp, int name) throws ErrnoException {
        return fs.pathconf(vp, name);
    }

    @Override
    public boolean inactive(Vnode vp) {
        return fs.inactive(vp);
    }

    @Override
    public void reclaim(Vnode vp) {
        fs.reclaim(vp);
    }

    @Override
    public void strategy(Vnode vp, Buf bp) throws ErrnoException {
        if (vp.type() != VType.VBLK) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "strategy of a character device");
        }
        devsw.bdev(rdev).strategy(rdev, bp);
    }

    @Override
    public int poll(Vnode vp, int events) {
        if (vp.type() == VType.VCHR) {
            try {
                return devsw.cdev(rdev).poll(rdev, events);
            } catch (ErrnoException e) {
                return Poll.POLLERR;
            }
        }
        return VnodeOps.super.poll(vp, events);
    }

    @Override
    public long ioctl(Vnode vp, long cmd, Object arg, int fflags, Cred cred) throws ErrnoException {
        if (vp.type() == VType.VCHR) {
            return devsw.cdev(rdev).ioctl(rdev, cmd, arg, fflags);
        }
        throw new ErrnoException(Errno.ENOTTY);
    }

    @Override
    public long seekData(Vnode vp, long offset, boolean hole) throws ErrnoException {
        long size = vp.type() == VType.VBLK ? devsw.bdev(rdev).size(rdev) : 0;
        return Genfs.seekData(size, offset, hole);
    }
}
