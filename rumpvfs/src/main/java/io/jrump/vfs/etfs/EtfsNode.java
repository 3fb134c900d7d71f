package io.jrump.vfs.etfs;

import io.jrump.kern.ErrnoException;
import io.jrump.vfs.Mount;
import io.jrump.vfs.VType;
import io.jrump.vfs.Vnode;
import io.jrump.vfs.VnodeSource;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One host file or directory as etfs shows it: the registered path itself, or (for a directory
 * registration) an entry below it, named once and kept so that its file number and its vnode cache key
 * stay the same for the life of the registration. Its host path is always the registration's real path
 * followed by names that were checked to hold no {@code /} and no NUL and to be neither {@code .} nor
 * {@code ..}: nothing else is ever passed to the host.
 */
final class EtfsNode implements VnodeSource {
    final Etfs etfs;
    final Etfs.Registration reg;
    /** The directory entry's parent; null for the registered path itself. */
    final EtfsNode parent;
    final String name;
    final String hostPath;
    final VType type;
    final long fileid;
    /** Entries of a directory seen so far, by name. */
    final ConcurrentHashMap<String, EtfsNode> children;
    /**
     * Attributes the kernel keeps for the host file ({@code chmod}, {@code chown}, {@code utimes} change
     * these, not the host's); -1 and {@link Long#MIN_VALUE} until set. Guarded by the vnode lock.
     */
    int mode = -1;
    int uid;
    int gid;
    long atime = Long.MIN_VALUE;
    long mtime = Long.MIN_VALUE;
    long ctime = Long.MIN_VALUE;

    EtfsNode(Etfs etfs, Etfs.Registration reg, EtfsNode parent, String name, String hostPath, VType type, long fileid) {
        this.etfs = etfs;
        this.reg = reg;
        this.parent = parent;
        this.name = name;
        this.hostPath = hostPath;
        this.type = type;
        this.fileid = fileid;
        this.children = type == VType.VDIR ? new ConcurrentHashMap<>() : null;
    }

    @Override
    public Vnode loadVnode(Mount mp) throws ErrnoException {
        return etfs.loadVnode(mp, this);
    }

    @Override
    public String toString() {
        return "etfs:" + hostPath;
    }
}
