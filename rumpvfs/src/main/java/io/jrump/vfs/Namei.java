package io.jrump.vfs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sched.Proc;

/**
 * Path name lookup ({@code namei}, NetBSD's {@code vfs_lookup.c}): one component at a time, so that
 * symbolic links, {@code ..} and mount points are handled here and nowhere else.
 *
 * <ul>
 * <li>An absolute path starts at the process's root directory, a relative one at its current directory
 *     or at the directory of an {@code *at} call.</li>
 * <li>{@code ..} never leaves the process's root; at the root of a mounted file system it steps onto the
 *     vnode the mount covers first. Entering a directory something is mounted on enters that mount's root.</li>
 * <li>A symbolic link is replaced by its target and the walk goes on, at most {@link PathConf#MAXSYMLINKS}
 *     times (ELOOP); a final link is followed only when asked or when the path ends in a slash.</li>
 * <li>A component over {@link PathConf#NAME_MAX} bytes or a path of {@link PathConf#PATH_MAX} bytes or
 *     more is ENAMETOOLONG; an empty path ENOENT; a path holding a NUL, which no C caller can pass, EINVAL.</li>
 * <li>A path ending in slashes names a directory (ENOTDIR otherwise), as POSIX resolves it.</li>
 * <li>Each directory searched needs search permission for the caller (EACCES).</li>
 * </ul>
 *
 * <p>Each directory is locked shared only while its one component is looked up; the walk holds a
 * reference on the directory it stands in and drops it when it moves on. A plain lookup allocates
 * nothing: components are ranges of the path, passed in a per-thread {@link ComponentName}.
 */
public final class Namei {
    private final Vfs vfs;
    private final ThreadLocal<ComponentName> cnCache = ThreadLocal.withInitial(ComponentName::new);

    Namei(Vfs vfs) {
        this.vfs = vfs;
    }

    /** The directory and last name of a path, for the calls that create, remove or rename. */
    public record Parent(Vnode dvp, String name, boolean trailingSlash) {
        public boolean isDot() {
            return name.equals(".");
        }

        public boolean isDotDot() {
            return name.equals("..");
        }

        public ComponentName cn(int nameiop) {
            return ComponentName.of(name, nameiop);
        }
    }

    /**
     * The vnode {@code path} names, referenced and unlocked. {@code at} is the directory a relative
     * path starts from (null for the current directory); {@code follow} follows a final symbolic link.
     */
    public Vnode lookup(Proc p, Vnode at, String path, boolean follow) throws ErrnoException {
        return (Vnode) walk(p, at, path, follow, false, ComponentName.LOOKUP);
    }

    /**
     * The directory holding the last component of {@code path}, referenced, and that component's name.
     * With {@code followLast}, a final symbolic link is followed first (so {@code open(O_CREAT)} through a
     * dangling link creates its target). A path that ends at a directory without a last name ({@code /},
     * {@code a/..}) gives that name as {@code .} or {@code ..}.
     */
    public Parent lookupParent(Proc p, Vnode at, String path, boolean followLast, int nameiop) throws ErrnoException {
        return (Parent) walk(p, at, path, followLast, true, nameiop);
    }

    static void checkPath(String path) throws ErrnoException {
        if (path == null) {
            throw new ErrnoException(Errno.EFAULT, "no path");
        }
        int n = path.length();
        if (n == 0) {
            throw new ErrnoException(Errno.ENOENT, "empty path");
        }
        if (n >= PathConf.PATH_MAX || (n * 3 >= PathConf.PATH_MAX && Names.utf8Length(path, 0, n) >= PathConf.PATH_MAX)) {
            throw new ErrnoException(Errno.ENAMETOOLONG, "path of " + n + " characters");
        }
        if (path.indexOf('\0') >= 0) {
            throw new ErrnoException(Errno.EINVAL, "NUL in path");
        }
    }

    private Object walk(Proc p, Vnode at, String path, boolean follow, boolean wantParent, int nameiop)
            throws ErrnoException {
        checkPath(path);
        CwdInfo cwdi = vfs.cwdInfo(p);
        Cred cred = p.cred();
        Vnode root = cwdi.refRoot();
        Vnode dir;
        if (path.charAt(0) == '/') {
            root.ref();
            dir = root;
        } else if (at != null) {
            at.ref();
            dir = at;
        } else {
            dir = cwdi.refCwd();
        }
        ComponentName cn = cnCache.get();
        try {
            int symlinks = 0;
            int pos = 0;
            int len = path.length();
            for (;;) {
                while (pos < len && path.charAt(pos) == '/') {
                    pos++;
                }
                if (pos == len) {
                    // nothing after the last slash: the path names the directory we stand in
                    if (dir.type() != VType.VDIR) {
                        throw new ErrnoException(Errno.ENOTDIR, path);
                    }
                    Vnode d = dir;
                    dir = null;
                    return wantParent ? new Parent(d, ".", false) : d;
                }
                int s = pos;
                int e = s;
                while (e < len && path.charAt(e) != '/') {
                    e++;
                }
                if (dir.type() != VType.VDIR) {
                    throw new ErrnoException(Errno.ENOTDIR, path.substring(0, s));
                }
                if (e - s > PathConf.NAME_MAX / 4 && Names.utf8Length(path, s, e) > PathConf.NAME_MAX) {
                    throw new ErrnoException(Errno.ENAMETOOLONG, "component of " + (e - s) + " characters");
                }
                int after = skipSlashes(path, e);
                boolean last = after == len;
                if (!cred.isRoot()) {
                    search(dir, cred);
                }
                boolean dot = Names.isDot(path, s, e);
                boolean dotdot = !dot && Names.isDotDot(path, s, e);
                if (wantParent && last && (!follow || dot || dotdot)) {
                    Vnode d = dir;
                    dir = null;
                    return new Parent(d, path.substring(s, e), e < len);
                }
                Vnode next;
                if (dot) {
                    dir.ref();
                    next = dir;
                } else if (dotdot) {
                    dir = stepOffMountRoots(dir, root);
                    if (dir == root) {
                        dir.ref();
                        next = dir;
                    } else {
                        next = fsLookup(dir, cn, path, s, e, nameiop, last);
                    }
                } else {
                    try {
                        next = fsLookup(dir, cn, path, s, e, nameiop, last);
                    } catch (ErrnoException ex) {
                        if (wantParent && last && ex.errno() == Errno.ENOENT) {
                            Vnode d = dir;
                            dir = null;
                            return new Parent(d, path.substring(s, e), e < len);
                        }
                        throw ex;
                    }
                    if (cn.consume > 0) {
                        e += cn.consume;
                        after = skipSlashes(path, e);
                        last = after == len;
                    }
                }
                next = crossMounts(next);
                boolean trailingSlash = last && e < len;
                if (next.type() == VType.VLNK && (!last || follow || trailingSlash)) {
                    String target;
                    try {
                        if (++symlinks > PathConf.MAXSYMLINKS) {
                            throw new ErrnoException(Errno.ELOOP, path);
                        }
                        target = readlink(next);
                    } finally {
                        next.rele();
                    }
                    if (target.isEmpty()) {
                        throw new ErrnoException(Errno.ENOENT, "empty symbolic link");
                    }
                    path = target + path.substring(e);
                    checkPath(path);
                    len = path.length();
                    pos = 0;
                    if (target.charAt(0) == '/') {
                        dir.rele();
                        root.ref();
                        dir = root;
                    }
                    continue;
                }
                if (last) {
                    if (wantParent) {
                        next.rele();
                        Vnode d = dir;
                        dir = null;
                        return new Parent(d, path.substring(s, e), trailingSlash);
                    }
                    if (trailingSlash && next.type() != VType.VDIR) {
                        next.rele();
                        throw new ErrnoException(Errno.ENOTDIR, path);
                    }
                    return next;
                }
                dir.rele();
                dir = next;
                pos = after;
            }
        } finally {
            cn.clear();
            root.rele();
            if (dir != null) {
                dir.rele();
            }
        }
    }

    private static int skipSlashes(String path, int i) {
        int n = path.length();
        while (i < n && path.charAt(i) == '/') {
            i++;
        }
        return i;
    }

    /** EACCES unless {@code cred} may search {@code dir}. */
    static void search(Vnode dir, Cred cred) throws ErrnoException {
        dir.lockShared();
        try {
            dir.ops().access(dir, Access.VEXEC, cred);
        } finally {
            dir.unlock();
        }
    }

    private static Vnode fsLookup(Vnode dir, ComponentName cn, String path, int s, int e, int nameiop, boolean last)
            throws ErrnoException {
        cn.set(path, s, e, nameiop, last);
        dir.lockShared();
        try {
            return dir.ops().lookup(dir, cn);
        } finally {
            dir.unlock();
        }
    }

    /**
     * For {@code ..}: while {@code dir} is the root of a mounted file system (and not the process's
     * root), moves onto the vnode that mount covers. Takes over the reference on {@code dir}.
     */
    static Vnode stepOffMountRoots(Vnode dir, Vnode root) {
        while (dir != root && dir.isRoot() && dir.mount().covered() != null) {
            Vnode c = dir.mount().covered();
            c.ref();
            dir.rele();
            dir = c;
        }
        return dir;
    }

    /** Enters whatever is mounted on {@code vp}, and on that mount's root, and so on. Takes over the reference. */
    static Vnode crossMounts(Vnode vp) throws ErrnoException {
        Mount m;
        while ((m = vp.mountedHere()) != null) {
            Vnode r;
            try {
                r = m.rootRef();
            } catch (ErrnoException e) {
                vp.rele();
                throw e;
            }
            vp.rele();
            vp = r;
        }
        return vp;
    }

    static String readlink(Vnode vp) throws ErrnoException {
        vp.lockShared();
        try {
            return vp.ops().readlink(vp);
        } finally {
            vp.unlock();
        }
    }

    /**
     * The parent of directory {@code dir} ({@code ..} across mount points, as namei takes it, but
     * without the process's root as a limit), referenced; {@code dir} itself at the top of the tree.
     */
    Vnode parentOf(Vnode dir) throws ErrnoException {
        dir.ref();
        Vnode d = stepOffMountRoots(dir, null);
        try {
            if (d.isRoot() && d.mount().covered() == null) {
                d.ref();
                return d;
            }
            ComponentName cn = ComponentName.of("..", ComponentName.LOOKUP);
            d.lockShared();
            try {
                return d.ops().lookup(d, cn);
            } finally {
                d.unlock();
            }
        } finally {
            d.rele();
        }
    }

    /** Whether directory {@code vp} is {@code ancestor} or lies below it ({@code vn_isunder}). */
    boolean isUnder(Vnode vp, Vnode ancestor) throws ErrnoException {
        vp.ref();
        Vnode d = vp;
        try {
            for (int depth = 0; depth < 4096; depth++) {
                if (d == ancestor) {
                    return true;
                }
                Vnode up = parentOf(d);
                if (up == d) {
                    up.rele();
                    return false;
                }
                d.rele();
                d = up;
            }
            return false;
        } finally {
            d.rele();
        }
    }
}
