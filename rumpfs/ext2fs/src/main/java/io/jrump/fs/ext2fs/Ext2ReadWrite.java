package io.jrump.fs.ext2fs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.vfs.StatMode;
import io.jrump.vfs.Genfs;
import io.jrump.vfs.MountFlags;
import io.jrump.vfs.Vnode;
import io.jrump.vfs.VnodeOps;
import java.nio.ByteBuffer;

/**
 * File data ({@code ext2fs_readwrite.c}): reads, writes, truncation, SEEK_DATA/SEEK_HOLE and access
 * times of regular files, through the block cache a block at a time with no allocation on the way. A
 * miss reads the run of the file's blocks that lie together on disk in one transfer; a write of a whole
 * block does not read it first; holes read as zeros and take no block; a write cut short by a full file
 * system returns what it wrote.
 */
final class Ext2ReadWrite {
    /** Access times are written at most this often unless older than the last change (relatime). */
    private static final long ATIME_PERIOD = 24L * 3600 * 1_000_000_000L;
    /** Blocks a read fetches beyond what it was asked for when the file lies contiguously. */
    private static final int READ_AHEAD = 32;

    private Ext2ReadWrite() {
    }

    private static Inode ip(Vnode vp) {
        return (Inode) vp.data();
    }

    private static Ext2Mount em(Vnode vp) {
        return (Ext2Mount) vp.mount().data();
    }

    static void truncate(Ext2Mount m, Inode n, long size) throws ErrnoException {
        if (size < 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
        if (size > m.maxFileSize) {
            throw new ErrnoException(Errno.EFBIG);
        }
        if (size < n.size) {
            long keep = (size + m.bs - 1) / m.bs;
            m.bmap.truncate(n, keep);
            int tail = (int) (size % m.bs);
            if (tail != 0) {
                long blk = m.bmap.get(n, size / m.bs);
                if (blk != 0) {
                    BlockCache.Block b = m.cache.get(blk);
                    java.util.Arrays.fill(b.data, tail, m.bs, (byte) 0);
                    m.cache.dirty(b);
                }
            }
        }
        n.size = size;
        if (size > Integer.MAX_VALUE) {
            m.needRoCompat(Features.RO_COMPAT_LARGE_FILE);
        }
    }

    /** Relatime: the access time is written when it is older than the last change or a day old. */
    static void touchAccess(Vnode vp, Ext2Mount m, Inode n) throws ErrnoException {
        if (!m.canWrite() || (vp.mount().flags() & MountFlags.MNT_NOATIME) != 0) {
            return;
        }
        long t = m.now();
        if (n.atime <= n.mtime || n.atime <= n.ctime || t - n.atime > ATIME_PERIOD) {
            n.atime = t;
            m.writeInode(n);
        }
    }

    static int read(Vnode vp, ByteBuffer dst, long offset, int ioflag, Cred cred) throws ErrnoException {
        Inode n = ip(vp);
        if (!n.isReg()) {
            throw new ErrnoException(n.isDir() ? Errno.EISDIR : Errno.EOPNOTSUPP);
        }
        if (offset < 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
        Ext2Mount m = em(vp);
        m.lock.enter();
        try {
            long size = n.size;
            if (offset >= size || !dst.hasRemaining()) {
                touchAccess(vp, m, n);
                return 0;
            }
            int len = (int) Math.min(dst.remaining(), size - offset);
            int bs = m.bs;
            long lastBlock = (size - 1) / bs;
            int done = 0;
            while (done < len) {
                long off = offset + done;
                long lb = off / bs;
                int bo = (int) (off % bs);
                int c = Math.min(bs - bo, len - done);
                long phys = m.bmap.get(n, lb);
                if (phys == 0) {
                    int z = c;
                    while (z > 0) {
                        int k = Math.min(z, m.zeros.length);
                        dst.put(m.zeros, 0, k);
                        z -= k;
                    }
                } else {
                    if (!m.cache.cached(phys)) {
                        long want = (len - done + bo + bs - 1) / bs + READ_AHEAD;
                        int max = (int) Math.min(Math.min(want, lastBlock - lb + 1), BlockCache.MAX_RUN_BYTES / bs);
                        m.cache.readAhead(phys, m.bmap.contiguous(n, lb, phys, max));
                    }
                    dst.put(m.cache.get(phys).data, bo, c);
                }
                done += c;
            }
            touchAccess(vp, m, n);
            return done;
        } finally {
            m.lock.exit();
        }
    }

    static long write(Vnode vp, ByteBuffer src, long offset, int ioflag, Cred cred) throws ErrnoException {
        Inode n = ip(vp);
        if (!n.isReg()) {
            throw new ErrnoException(n.isDir() ? Errno.EISDIR : Errno.EOPNOTSUPP);
        }
        Ext2Mount m = em(vp);
        m.checkWritable();
        m.lock.enter();
        try {
            if ((ioflag & VnodeOps.IO_APPEND) != 0) {
                offset = n.size;
            }
            if (offset < 0) {
                throw new ErrnoException(Errno.EINVAL);
            }
            int len = src.remaining();
            if (len == 0) {
                return offset;
            }
            if (offset >= m.maxFileSize) {
                throw new ErrnoException(Errno.EFBIG);
            }
            len = (int) Math.min(len, m.maxFileSize - offset);
            int bs = m.bs;
            boolean root = cred.isRoot();
            int done = 0;
            try {
                while (done < len) {
                    long off = offset + done;
                    long lb = off / bs;
                    int bo = (int) (off % bs);
                    int c = Math.min(bs - bo, len - done);
                    long phys;
                    try {
                        phys = m.bmap.alloc(n, lb, root);
                    } catch (ErrnoException e) {
                        if (done > 0 && e.errno() == Errno.ENOSPC) {
                            break;
                        }
                        throw e;
                    }
                    BlockCache.Block b = c == bs ? m.cache.getForOverwrite(phys)
                            : m.bmap.fresh ? m.cache.getZeroed(phys) : m.cache.get(phys);
                    src.get(b.data, bo, c);
                    m.cache.dirty(b);
                    done += c;
                }
            } finally {
                if (done > 0) {
                    long end = offset + done;
                    if (end > n.size) {
                        n.size = end;
                        if (end > Integer.MAX_VALUE) {
                            m.needRoCompat(Features.RO_COMPAT_LARGE_FILE);
                        }
                    }
                    long t = m.now();
                    n.mtime = t;
                    n.ctime = t;
                    if ((n.mode & (StatMode.S_ISUID | StatMode.S_ISGID)) != 0 && !cred.isRoot()) {
                        n.mode &= ~(StatMode.S_ISUID | StatMode.S_ISGID);
                    }
                }
                m.writeInode(n);
            }
            if ((ioflag & VnodeOps.IO_SYNC) != 0) {
                m.sync();
            }
            return offset + done;
        } finally {
            m.lock.exit();
        }
    }

    static long seekData(Vnode vp, long offset, boolean hole) throws ErrnoException {
        Inode n = ip(vp);
        if (!n.isReg()) {
            return Genfs.seekData(n.size, offset, hole);
        }
        if (offset < 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
        Ext2Mount m = em(vp);
        m.lock.enter();
        try {
            long size = n.size;
            if (offset >= size) {
                throw new ErrnoException(Errno.ENXIO);
            }
            long lb = offset / m.bs;
            long last = (size - 1) / m.bs;
            if (hole) {
                while (lb <= last && m.bmap.get(n, lb) != 0) {
                    lb++;
                }
                return Math.min(size, Math.max(offset, lb * m.bs));
            }
            long d = m.bmap.nextData(n, lb, last);
            if (d < 0) {
                throw new ErrnoException(Errno.ENXIO);
            }
            long at = Math.max(offset, d * m.bs);
            if (at >= size) {
                throw new ErrnoException(Errno.ENXIO);
            }
            return at;
        } finally {
            m.lock.exit();
        }
    }
}
