package io.jrump.vfs;

import io.jrump.kern.vfs.StatVfs;


import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;

/**
 * A file system type ({@code struct vfsops}), registered by name in {@link VfsTypes} so that
 * {@code mount -t NAME} finds it.
 */
public interface VfsOps {
    /** The type's name, as {@code mount -t} and {@code f_fstypename} give it. */
    String name();

    /**
     * {@code VFS_MOUNT}: prepares the file system for {@code mp} from {@code data} (the type's own
     * option string, such as rumpfs's {@code size=64m}) and returns its per-mount state, which
     * {@link Mount#data()} then holds.
     */
    Object mount(Mount mp, String data, Cred cred) throws ErrnoException;

    /** {@code VFS_ROOT}: the root directory, referenced. */
    Vnode root(Mount mp) throws ErrnoException;

    /** {@code VFS_LOADVNODE}: a new vnode (one reference) for the file {@code key} names. */
    Vnode loadVnode(Mount mp, Object key) throws ErrnoException;

    /**
     * {@code VFS_UNMOUNT}: every vnode of the mount has been reclaimed (or killed, with {@code force});
     * the file system gives back what it holds.
     */
    void unmount(Mount mp, boolean force) throws ErrnoException;

    /** {@code VFS_STATVFS}, built with {@link Mount#statvfs}. */
    StatVfs statvfs(Mount mp) throws ErrnoException;

    /** {@code VFS_SYNC}: writes back what is not yet on stable storage. */
    default void sync(Mount mp, boolean wait) throws ErrnoException {
    }
}
