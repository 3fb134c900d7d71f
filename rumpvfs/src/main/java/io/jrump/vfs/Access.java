package io.jrump.vfs;

import io.jrump.kern.vfs.StatMode;


import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;

/**
 * The permission rules of a file's mode ({@code genfs_can_access} and the owner checks of
 * {@code genfs_can_chmod}, {@code genfs_can_chown}, {@code genfs_can_chtimes}), so that every file
 * system applies the same ones. Root may do anything except execute a file that has no execute bit.
 */
public final class Access {
    /** Requested access, in the owner's bit positions. */
    public static final int VEXEC = 0100;
    public static final int VWRITE = 0200;
    public static final int VREAD = 0400;

    private Access() {
    }

    /** EACCES unless {@code cred} may access a file of this type, mode and ownership with {@code acc}. */
    public static void check(VType type, int mode, int uid, int gid, int acc, Cred cred) throws ErrnoException {
        if (!permitted(type, mode, uid, gid, acc, cred)) {
            throw new ErrnoException(Errno.EACCES);
        }
    }

    public static boolean permitted(VType type, int mode, int uid, int gid, int acc, Cred cred) {
        if (cred.uid() == 0) {
            return (acc & VEXEC) == 0 || type == VType.VDIR || (mode & 0111) != 0;
        }
        if (cred.uid() == uid) {
            return (mode & acc) == acc;
        }
        int g = acc >> 3;
        if (groupMember(gid, cred)) {
            return (mode & g) == g;
        }
        int o = acc >> 6;
        return (mode & o) == o;
    }

    /** Whether {@code cred} is in group {@code gid}, as its primary group or a supplementary one. */
    public static boolean groupMember(int gid, Cred cred) {
        if (cred.gid() == gid) {
            return true;
        }
        for (int g : cred.groups()) {
            if (g == gid) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code chmod}: the owner or root; a non-root owner may not set the sticky bit on a file (EFTYPE, as
     * NetBSD answers) nor set-group-ID for a group it is not in (EPERM).
     */
    public static void checkChmod(VType type, int uid, int gid, int newMode, Cred cred) throws ErrnoException {
        if (cred.isRoot()) {
            return;
        }
        if (cred.uid() != uid) {
            throw new ErrnoException(Errno.EPERM, "not the owner");
        }
        if (type != VType.VDIR && (newMode & StatMode.S_ISVTX) != 0) {
            throw new ErrnoException(Errno.EFTYPE, "only root may set the sticky bit on a file");
        }
        if ((newMode & StatMode.S_ISGID) != 0 && !groupMember(gid, cred)) {
            throw new ErrnoException(Errno.EPERM, "set-group-ID for a group the caller is not in");
        }
    }

    /**
     * {@code chown} under {@code _POSIX_CHOWN_RESTRICTED}: root may give a file away; the owner may only
     * change its group to one it belongs to; everyone else gets EPERM.
     */
    public static void checkChown(int uid, int gid, int newUid, int newGid, Cred cred) throws ErrnoException {
        if (cred.isRoot()) {
            return;
        }
        boolean uidChange = newUid != Vattr.VNOVAL && newUid != uid;
        boolean gidChange = newGid != Vattr.VNOVAL && newGid != gid;
        if (cred.uid() != uid || uidChange || (gidChange && !groupMember(newGid, cred))) {
            throw new ErrnoException(Errno.EPERM, "only root may change a file's owner");
        }
    }

    /**
     * {@code utimensat}: the owner or root may set any times; anyone with write access may set both to
     * the current time; everyone else EPERM (or EACCES when only "now" was asked and write access is missing).
     */
    public static void checkChtimes(VType type, int mode, int uid, int gid, boolean onlyNow, Cred cred)
            throws ErrnoException {
        if (cred.isRoot() || cred.uid() == uid) {
            return;
        }
        if (!onlyNow) {
            throw new ErrnoException(Errno.EPERM, "only the owner may set explicit times");
        }
        check(type, mode, uid, gid, VWRITE, cred);
    }

    /**
     * The sticky rule of a directory ({@code S_ISVTX}): in such a directory an entry owned by someone
     * else may be removed or renamed only by the directory's owner or root.
     */
    public static void checkSticky(int dirMode, int dirUid, int fileUid, Cred cred) throws ErrnoException {
        if ((dirMode & StatMode.S_ISVTX) != 0 && !cred.isRoot() && cred.uid() != dirUid && cred.uid() != fileUid) {
            throw new ErrnoException(Errno.EPERM, "sticky directory: not the owner");
        }
    }
}
