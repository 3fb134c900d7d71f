package io.jrump.vfs.rumpfs;

import io.jrump.kern.ErrnoException;
import io.jrump.vfs.ComponentName;
import io.jrump.kern.vfs.Dirent;
import io.jrump.vfs.Vnode;
import java.util.List;

/**
 * Names the root directory of the root rumpfs answers before its own entries: etfs keys, which may span
 * several components ({@code /trip/to/the/moon}) and then consume them ({@link ComponentName#consume}).
 */
public interface RootLookup {
    /** The referenced vnode for {@code cn} (the root locked shared), or null if this hook has no such key. */
    Vnode lookup(Vnode root, ComponentName cn) throws ErrnoException;

    /**
     * Entries the root directory lists after its own (keys of one component), so that {@code ls /} shows
     * them and {@code getcwd} finds its way up through them. Their {@code reclen} is not used.
     */
    default List<Dirent> extraEntries() {
        return List.of();
    }
}
