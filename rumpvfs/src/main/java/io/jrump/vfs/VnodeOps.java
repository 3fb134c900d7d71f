package io.jrump.vfs;

import io.jrump.kern.vfs.Flock;
import io.jrump.kern.vfs.Fcntl;


import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.Poll;
import java.nio.ByteBuffer;

/**
 * The operations a file system implements on its vnodes, listed as NetBSD's {@code vnode_if.src} lists
 * them. Each default answers EOPNOTSUPP, as {@code genfs_eopnotsupp} does, so a file system implements
 * what it supports and nothing else.
 *
 * <p>Lock state on entry, as {@code vnode_if.src} gives it and the VFS guarantees (a file system may
 * assert it with {@link Vnode#writeLocked()}): "L" locked shared or exclusive, "E" locked exclusive,
 * "U" unlocked. The VFS takes and drops the locks; an operation never unlocks what it was given.
 * Vnodes an operation returns carry one reference for the caller and are unlocked. Permission checks
 * that depend only on attributes (search permission, write access to a directory, owner checks for
 * {@code setattr}) are the VFS's, made with {@link #access} and {@link #getattr} before the call.
 */
public interface VnodeOps {
    /** {@code IO_*} flags of read and write. */
    int IO_UNIT = 0x00010;
    int IO_APPEND = 0x00020;
    int IO_SYNC = 0x00040 | 0x00200;
    int IO_NDELAY = 0x00100;
    int IO_DSYNC = 0x00200;

    /**
     * dvp L. The vnode {@code cn} names in {@code dvp}, referenced; ENOENT if there is none. {@code ..}
     * is passed here (the VFS has already stepped off a mount root); {@code .} never is.
     */
    default Vnode lookup(Vnode dvp, ComponentName cn) throws ErrnoException {
        throw notsupp("lookup");
    }

    /**
     * dvp L. Like {@link #lookup} but null instead of ENOENT, for the VFS's checks whether a name exists
     * before it creates one; a file system whose misses are frequent answers without an exception.
     */
    default Vnode lookupIfPresent(Vnode dvp, ComponentName cn) throws ErrnoException {
        try {
            return lookup(dvp, cn);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT) {
                return null;
            }
            throw e;
        }
    }

    /**
     * dvp E. A new regular file; the name is known not to exist. {@code va} holds the mode (the umask
     * applied) and the creator's uid; its gid is "no value", meaning the directory's group (BSD's rule).
     */
    default Vnode create(Vnode dvp, ComponentName cn, Vattr va, Cred cred) throws ErrnoException {
        throw notsupp("create");
    }

    /** dvp E. A new device, fifo, socket or regular file of type {@code va.type}. */
    default Vnode mknod(Vnode dvp, ComponentName cn, Vattr va, Cred cred) throws ErrnoException {
        throw notsupp("mknod");
    }

    /** vp E. The file is being opened with kernel flags {@code fflags} ({@link Fcntl#FREAD}, ...). */
    default void open(Vnode vp, int fflags, Cred cred) throws ErrnoException {
    }

    /** vp E. One open of the file ends. */
    default void close(Vnode vp, int fflags, Cred cred) throws ErrnoException {
    }

    /** vp L. EACCES unless {@code cred} may access the file with {@code mode} ({@link Access#VREAD}, ...). */
    default void access(Vnode vp, int mode, Cred cred) throws ErrnoException {
        Vattr va = new Vattr();
        getattr(vp, va);
        Access.check(vp.type(), va.mode, va.uid, va.gid, mode, cred);
    }

    /** vp L. Fills {@code va}. */
    default void getattr(Vnode vp, Vattr va) throws ErrnoException {
        throw notsupp("getattr");
    }

    /** vp E. Changes the fields of {@code va} that have a value; the VFS has checked the caller's rights. */
    default void setattr(Vnode vp, Vattr va, Cred cred) throws ErrnoException {
        throw notsupp("setattr");
    }

    /** vp L. Reads into {@code dst}'s remaining space from {@code offset}; returns bytes read, 0 at the end. */
    default int read(Vnode vp, ByteBuffer dst, long offset, int ioflag, Cred cred) throws ErrnoException {
        throw notsupp("read");
    }

    /**
     * vp E. Writes {@code src}'s remaining bytes at {@code offset} (at the end of the file with
     * {@link #IO_APPEND}); returns the offset after the last byte written. A write cut short by a full
     * file system returns what it wrote; one that wrote nothing fails with ENOSPC.
     */
    default long write(Vnode vp, ByteBuffer src, long offset, int ioflag, Cred cred) throws ErrnoException {
        throw notsupp("write");
    }

    /** vp L. Puts the file's data on stable storage. */
    default void fsync(Vnode vp, boolean dataOnly) throws ErrnoException {
    }

    /** dvp E, vp E. Removes the non-directory {@code vp} named {@code cn} from {@code dvp}. */
    default void remove(Vnode dvp, Vnode vp, ComponentName cn) throws ErrnoException {
        throw notsupp("remove");
    }

    /** dvp E, vp E. A new name {@code cn} in {@code dvp} for the non-directory {@code vp}. */
    default void link(Vnode dvp, Vnode vp, ComponentName cn) throws ErrnoException {
        throw notsupp("link");
    }

    /**
     * fdvp E, fvp E, tdvp E, tvp E or null. Moves {@code fvp} from {@code fcn} in {@code fdvp} to
     * {@code tcn} in {@code tdvp}, replacing {@code tvp}. The VFS has checked everything that does not
     * need the file system's data: the types agree, {@code fvp} is no ancestor of {@code tdvp}, the two
     * are different files. A non-empty directory {@code tvp} is the file system's ENOTEMPTY to report.
     */
    default void rename(Vnode fdvp, Vnode fvp, ComponentName fcn, Vnode tdvp, Vnode tvp, ComponentName tcn)
            throws ErrnoException {
        throw notsupp("rename");
    }

    /** dvp E. A new directory. */
    default Vnode mkdir(Vnode dvp, ComponentName cn, Vattr va, Cred cred) throws ErrnoException {
        throw notsupp("mkdir");
    }

    /** dvp E, vp E. Removes the directory {@code vp}; ENOTEMPTY if it holds entries. */
    default void rmdir(Vnode dvp, Vnode vp, ComponentName cn) throws ErrnoException {
        throw notsupp("rmdir");
    }

    /** dvp E. A new symbolic link holding {@code target}. */
    default Vnode symlink(Vnode dvp, ComponentName cn, Vattr va, String target, Cred cred) throws ErrnoException {
        throw notsupp("symlink");
    }

    /** vp L. The target of a symbolic link. */
    default String readlink(Vnode vp) throws ErrnoException {
        throw notsupp("readlink");
    }

    /**
     * vp L. Hands entries from position {@code cookie} on to {@code sink} until it refuses one or the
     * directory ends; returns the cookie to continue from. Cookie 0 is the start; {@code .} and
     * {@code ..} come first. A cookie stays valid while entries come and go, so a reader sees every
     * entry that exists throughout its reading exactly once.
     */
    default long readdir(Vnode vp, long cookie, DirentSink sink) throws ErrnoException {
        throw notsupp("readdir");
    }

    /**
     * vp U. An advisory lock operation ({@link Fcntl#F_GETLK}, {@link Fcntl#F_SETLK} or
     * {@link Fcntl#F_UNLCK} as {@code op}) for {@code owner}; see {@link LockF}.
     */
    default Flock advlock(Vnode vp, Object owner, int pid, int op, Flock fl, boolean wait) throws ErrnoException {
        throw notsupp("advlock");
    }

    /** vp L. A {@code pathconf} value ({@link PathConf}); EINVAL for a name the file system does not know. */
    default long pathconf(Vnode vp, int name) throws ErrnoException {
        return Genfs.pathconf(name);
    }

    /**
     * vp U, no references left. Whether the vnode should be reclaimed now (a file whose last name is
     * gone). It runs without the lock, so it only reads; a new reference may be taken meanwhile, and
     * the VFS then keeps the vnode.
     */
    default boolean inactive(Vnode vp) {
        return false;
    }

    /** vp E, no references. The vnode leaves the cache: the file system drops what it kept for it. */
    default void reclaim(Vnode vp) {
    }

    /** vp U. Starts block I/O on a block device; completion is signalled through {@link Buf#done}. */
    default void strategy(Vnode vp, Buf bp) throws ErrnoException {
        throw notsupp("strategy");
    }

    /** vp U. Events ready now; a regular file is always readable and writable ({@code genfs_poll}). */
    default int poll(Vnode vp, int events) {
        return events & (Poll.POLLIN | Poll.POLLOUT | Poll.POLLRDNORM | Poll.POLLWRNORM);
    }

    /** vp U. Device control. */
    default long ioctl(Vnode vp, long cmd, Object arg, int fflags, Cred cred) throws ErrnoException {
        throw new ErrnoException(Errno.ENOTTY);
    }

    /**
     * vp L. {@code SEEK_DATA} ({@code hole} false) or {@code SEEK_HOLE}: the first offset at or after
     * {@code offset} in data or in a hole; ENXIO at or past the end. A file system that keeps no holes
     * answers with the whole file as data and the end as the only hole ({@link Genfs#seekData}).
     */
    default long seekData(Vnode vp, long offset, boolean hole) throws ErrnoException {
        Vattr va = new Vattr();
        getattr(vp, va);
        return Genfs.seekData(va.size, offset, hole);
    }

    /**
     * Whether {@link #read} and {@link #write} on this file system's files block in the host (etfs):
     * a kernel caller that holds a virtual CPU gives it up around them
     * ({@link io.jrump.kern.sched.Scheduler#unschedForHost}), as {@code rumpuser} does around a host read.
     */
    default boolean hostIo() {
        return false;
    }

    private static ErrnoException notsupp(String op) {
        return new ErrnoException(Errno.EOPNOTSUPP, op);
    }

    /** Receives directory entries from {@link #readdir}. */
    @FunctionalInterface
    interface DirentSink {
        /**
         * Takes one entry, whose successor starts at {@code nextCookie}; false if there is no room for it
         * (it is then not consumed).
         */
        boolean accept(long fileno, int dtype, String name, long nextCookie);
    }
}
