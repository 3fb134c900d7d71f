package io.jrump.vfs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sched.Proc;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code getcwd(2)} and the path of a directory ({@code vfs_getcwd.c}): from the directory up through
 * {@code ..} to the root, finding each directory's name by its file number in its parent's entries.
 * Mount points are crossed upwards onto the vnode they cover. A directory that was removed has no
 * {@code ..} left and answers ENOENT; a parent the caller may not read or search answers EACCES.
 */
public final class Getcwd {
    private final Vfs vfs;

    Getcwd(Vfs vfs) {
        this.vfs = vfs;
    }

    /** The current directory of {@code p} as an absolute path below its root directory. */
    public String getcwd(Proc p) throws ErrnoException {
        CwdInfo cwdi = vfs.cwdInfo(p);
        Vnode cwd = cwdi.refCwd();
        Vnode root = cwdi.refRoot();
        try {
            return pathOf(cwd, root, p.cred());
        } finally {
            cwd.rele();
            root.rele();
        }
    }

    /** The path of directory {@code dir} from {@code root} (the global root if null), as root sees it. */
    public String pathOf(Vnode dir, Vnode root) throws ErrnoException {
        return pathOf(dir, root, Cred.ROOT);
    }

    private String pathOf(Vnode dir, Vnode root, Cred cred) throws ErrnoException {
        List<String> names = new ArrayList<>();
        dir.ref();
        Vnode d = dir;
        try {
            for (int depth = 0; depth < PathConf.PATH_MAX; depth++) {
                if (d == root) {
                    break;
                }
                d = Namei.stepOffMountRoots(d, root);
                if (d == root || (d.isRoot() && d.mount().covered() == null)) {
                    break;
                }
                if (d.dead()) {
                    throw new ErrnoException(Errno.ENOENT, "directory's file system was unmounted");
                }
                long fileid = fileid(d);
                Vnode parent = lookupDotDot(d, cred);
                try {
                    names.add(nameIn(parent, fileid, cred));
                } catch (ErrnoException e) {
                    parent.rele();
                    throw e;
                }
                d.rele();
                d = parent;
            }
        } finally {
            d.rele();
        }
        if (names.isEmpty()) {
            return "/";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = names.size() - 1; i >= 0; i--) {
            sb.append('/').append(names.get(i));
        }
        if (sb.length() >= PathConf.PATH_MAX) {
            throw new ErrnoException(Errno.ENAMETOOLONG, "current directory's path is too long");
        }
        return sb.toString();
    }

    private static long fileid(Vnode vp) throws ErrnoException {
        Vattr va = new Vattr();
        vp.lockShared();
        try {
            vp.ops().getattr(vp, va);
        } finally {
            vp.unlock();
        }
        return va.fileid;
    }

    private static Vnode lookupDotDot(Vnode d, Cred cred) throws ErrnoException {
        d.lockShared();
        try {
            if (!cred.isRoot()) {
                d.ops().access(d, Access.VEXEC, cred);
            }
            return d.ops().lookup(d, ComponentName.of("..", ComponentName.LOOKUP));
        } finally {
            d.unlock();
        }
    }

    /** The name under which {@code parent} holds the file numbered {@code fileid}; ENOENT if none. */
    private static String nameIn(Vnode parent, long fileid, Cred cred) throws ErrnoException {
        String[] found = new String[1];
        parent.lockShared();
        try {
            if (!cred.isRoot()) {
                parent.ops().access(parent, Access.VREAD | Access.VEXEC, cred);
            }
            long cookie = 0;
            for (;;) {
                long[] seen = new long[1];
                long next = parent.ops().readdir(parent, cookie, (fileno, dtype, name, nextCookie) -> {
                    seen[0]++;
                    if (fileno == fileid && !name.equals(".") && !name.equals("..")) {
                        found[0] = name;
                        return false;
                    }
                    return true;
                });
                if (found[0] != null) {
                    return found[0];
                }
                if (seen[0] == 0 || next == cookie) {
                    throw new ErrnoException(Errno.ENOENT, "directory not found in its parent");
                }
                cookie = next;
            }
        } finally {
            parent.unlock();
        }
    }
}
