package io.jrump.vfs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The file system types this kernel knows ({@code vfs_list}): components that provide a file system
 * register its {@link VfsOps} here when they attach, and {@code mount -t NAME} looks it up.
 */
public final class VfsTypes {
    private final Map<String, VfsOps> types = new ConcurrentHashMap<>();

    public void register(VfsOps ops) {
        if (types.putIfAbsent(ops.name(), ops) != null) {
            throw new IllegalStateException("file system type " + ops.name() + " is already registered");
        }
    }

    public void unregister(String name) {
        types.remove(name);
    }

    /** The type called {@code name}; ENODEV if no linked component provides it, as NetBSD's mount answers. */
    public VfsOps get(String name) throws ErrnoException {
        VfsOps ops = name == null ? null : types.get(name);
        if (ops == null) {
            throw new ErrnoException(Errno.ENODEV, "no file system type " + name);
        }
        return ops;
    }

    public List<String> names() {
        List<String> l = new ArrayList<>(types.keySet());
        l.sort(null);
        return l;
    }
}
