package io.jrump.vfs;

import io.jrump.kern.ErrnoException;

/**
 * A cache key that makes its own vnode: how a file system lets another provider's files live in its
 * mount (etfs's host files in the root rumpfs), which the file system's {@link VfsOps#loadVnode} hands
 * such keys to.
 */
public interface VnodeSource {
    Vnode loadVnode(Mount mp) throws ErrnoException;
}
