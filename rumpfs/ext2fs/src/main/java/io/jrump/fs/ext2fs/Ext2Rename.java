package io.jrump.fs.ext2fs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;

/**
 * {@code rename} on ext2 ({@code ext2fs_rename.c}): the VFS has locked the four vnodes and checked
 * everything that needs no file system data; this changes the entries and link counts. The target
 * name is made (or repointed) before the source name goes, so a failure for want of space leaves the
 * file under its old name; a directory moved to another parent gets its {@code ..} repointed and the
 * two parents' link counts follow.
 */
final class Ext2Rename {
    private Ext2Rename() {
    }

    /** Runs under the mount's lock. */
    static void rename(Ext2Mount m, Inode fd, Inode fn, byte[] fname, Inode td, Inode tn, byte[] tname)
            throws ErrnoException {
        Directory dir = m.dir();
        if (fd.links == 0 || td.links == 0) {
            throw new ErrnoException(Errno.ENOENT, "directory was removed");
        }
        if (tn != null && tn.isDir() && !dir.isEmpty(tn)) {
            throw new ErrnoException(Errno.ENOTEMPTY);
        }
        boolean dirMove = fn.isDir() && fd != td;
        if (dirMove && tn == null && td.links >= Ext2VnodeOps.LINK_MAX) {
            throw new ErrnoException(Errno.EMLINK);
        }
        Directory.Slot fs = dir.find(fd, fname);
        if (fs == null || fs.ino != fn.ino) {
            throw new ErrnoException(Errno.ENOENT);
        }
        long t = m.now();
        int ft = Directory.ftype(fn.mode);
        if (tn != null) {
            Directory.Slot ts = dir.find(td, tname);
            if (ts == null || ts.ino != tn.ino) {
                throw new ErrnoException(Errno.ENOENT);
            }
            dir.retarget(td, ts, fn.ino, ft);
            if (tn.isDir()) {
                tn.links = 0;
                td.links--;
            } else {
                tn.links--;
            }
            tn.ctime = t;
            m.writeInode(tn);
        } else {
            try {
                dir.add(td, tname, fn.ino, ft, true);
            } finally {
                m.writeInode(td);
            }
        }
        // found again: adding may have put the new entry between the source and the one before it
        fs = dir.find(fd, fname);
        if (fs != null && fs.ino == fn.ino) {
            dir.remove(fd, fs);
        }
        if (dirMove) {
            dir.setDotDot(fn, td.ino);
            fd.links--;
            td.links++;
        }
        fn.ctime = t;
        fd.mtime = t;
        fd.ctime = t;
        td.mtime = t;
        td.ctime = t;
        m.writeInode(fn);
        m.writeInode(fd);
        if (td != fd) {
            m.writeInode(td);
        }
    }
}
