package io.jrump.p2k;

import static io.jrump.p2k.FuseAbi.*;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.kern.vfs.Stat;
import io.jrump.kern.vfs.StatMode;
import io.jrump.kern.vfs.StatVfs;
import io.jrump.kern.vfs.Timespec;
import io.jrump.vfs.Vfs;
import io.jrump.vfs.VnodeCalls;
import io.jrump.vfs.Vnode;
import io.jrump.vfs.VnodeOps;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The FUSE low-level protocol served from a rump kernel's vnodes, as NetBSD's {@code p2k} serves puffs:
 * a node id is a referenced vnode ({@link NodeTable}), a file handle an open file of the caller's
 * process ({@link Handles}), and each request is the matching {@link VnodeCalls} call made as the
 * caller's credentials ({@link CredProcs}), so rights, errors and the order of locks are the rump
 * kernel's. The kernel's errnos reach Linux renumbered ({@link LinuxErrno}).
 *
 * <p>The protocol is spoken on {@code /dev/fuse} directly rather than through libfuse or a Java binding
 * of it: the low-level protocol is a few fixed little-endian records, the server then has no native
 * library beyond libc (reached through JNA, as the tap's host side is), requests are parsed in the
 * native area the kernel wrote them to, and read data is placed straight into the reply area.
 *
 * <p>{@code default_permissions} is off: with it Linux would check rights against the attributes alone,
 * which is a guess at the file system's rules (NetBSD's sticky and {@code chown} rules, a read-only
 * mount); without it every check is the rump kernel's, made with the caller's uid and gid. Entries and
 * attributes may be cached by Linux for the entry timeout ({@link FuseAttrOut}): every change reaches the image
 * through this server, and Linux drops what it cached for a file or directory a reply of this server
 * changed, so nothing it serves from the cache is stale.
 *
 * <p>Bad requests (short, unknown opcodes, names with a slash or no terminating NUL, unknown ids or
 * handles) get EINVAL, ENOSYS or EBADF; an exception a request causes is logged and answered with EIO.
 * Nothing a request carries ends the server.
 */
final class P2kServer {
    /** The largest write Linux sends and the largest read it asks for: 256 pages ({@code max_pages}). */
    static final int MAX_WRITE = 1 << 20;
    static final int PAGES_PER_REQUEST = MAX_WRITE / 4096;
    static final int MAX_READAHEAD = 1 << 20;

    private final Vfs vfs;
    private final VnodeCalls calls;
    private final NodeTable nodes;
    private final Handles handles = new Handles();
    private final CredProcs creds;
    private final FuseChannel fuse;
    private final Proc serverProc;
    private final Vnode root;
    private final Consumer<String> log;
    private final FuseAttrOut attrs;
    private final AtomicBoolean destroyed = new AtomicBoolean();
    /** Changes since the last sync, for {@link Syncer}. */
    final AtomicLong changes = new AtomicLong();
    /** When the last request was answered (the kernel's hypercall clock, {@link Worker#now}), for {@link Syncer}. */
    volatile long lastRequest;
    private volatile int kernelMinor;

    P2kServer(Vfs vfs, VnodeCalls calls, Vnode root, CredProcs creds, Proc serverProc, FuseChannel fuse,
              long entryTimeoutNanos, Consumer<String> log) {
        this.vfs = vfs;
        this.calls = calls;
        this.root = root;
        root.ref();
        this.nodes = new NodeTable(root);
        this.creds = creds;
        this.serverProc = serverProc;
        this.fuse = fuse;
        this.attrs = new FuseAttrOut(entryTimeoutNanos);
        this.log = log;
    }

    NodeTable nodes() {
        return nodes;
    }

    Handles handles() {
        return handles;
    }

    boolean destroyed() {
        return destroyed.get();
    }

    /** A worker's loop: read, answer, until the connection ends. */
    void serve(Worker w) {
        for (;;) {
            int n = fuse.read(w.inView);
            if (n < 0) {
                int e = -n;
                if (e == FuseUser.L_ENOENT || e == FuseUser.L_EINTR || e == FuseUser.L_EAGAIN) {
                    continue;
                }
                if (e != FuseUser.L_ENODEV) {
                    log.accept("p2k: reading /dev/fuse: " + FuseUser.strerror(e));
                }
                return;
            }
            try {
                handle(w, n);
            } catch (RuntimeException | Error e) {
                log.accept("p2k: request failed: " + e);
            }
            lastRequest = w.now();
            if (destroyed.get()) {
                return;
            }
        }
    }

    // --- one request --------------------------------------------------------------------------------

    /** Answers the request of {@code n} bytes in the worker's request area. */
    void handle(Worker w, int n) {
        ByteBuffer in = w.inView;
        if (n < IN_HEADER) {
            log.accept("p2k: a request of " + n + " bytes, shorter than its header; ignored");
            return;
        }
        int len = in.getInt(0);
        int opcode = in.getInt(4);
        long unique = in.getLong(8);
        long nodeid = in.getLong(16);
        int uid = in.getInt(24);
        int gid = in.getInt(28);
        int pid = in.getInt(32);
        if (len != n) {
            reply(w, unique, LinuxErrno.EINVAL, 0);
            return;
        }
        if (opcode == FORGET || opcode == BATCH_FORGET || opcode == INTERRUPT) {
            noReply(w, opcode, nodeid, n);
            return;
        }
        if (opcode == INIT) {
            init(w, unique, n);
            return;
        }
        if (opcode == DESTROY) {
            destroyed.set(true);
            reply(w, unique, 0, 0);
            return;
        }
        Proc p;
        try {
            p = usesHandle(opcode) ? handles.get(arg64(in, n, 0)).proc() : creds.proc(uid, gid, pid);
        } catch (ErrnoException e) {
            reply(w, unique, LinuxErrno.of(e.errno()), 0);
            return;
        } catch (Malformed e) {
            reply(w, unique, LinuxErrno.EINVAL, 0);
            return;
        }
        int outLen;
        w.enter(p);
        try {
            outLen = dispatch(w, p, opcode, nodeid, n);
        } catch (ErrnoException e) {
            reply(w, unique, LinuxErrno.of(e.errno()), 0);
            return;
        } catch (Malformed e) {
            reply(w, unique, LinuxErrno.EINVAL, 0);
            return;
        } catch (RuntimeException e) {
            log.accept("p2k: opcode " + opcode + " on node " + nodeid + ": " + e);
            reply(w, unique, LinuxErrno.EIO, 0);
            return;
        } finally {
            w.exit();
        }
        if (outLen < 0) {
            reply(w, unique, -outLen, 0);
        } else {
            reply(w, unique, 0, outLen);
        }
    }

    private static boolean usesHandle(int opcode) {
        return switch (opcode) {
            case READ, WRITE, RELEASE, RELEASEDIR, FSYNC, FSYNCDIR, READDIR, READDIRPLUS, LSEEK, FLUSH -> true;
            default -> false;
        };
    }

    /** A request whose records do not fit its length or whose names are not NUL-terminated: EINVAL. */
    private static final class Malformed extends RuntimeException {
        Malformed(String why) {
            super(why, null, false, false);
        }
    }

    private static long arg64(ByteBuffer in, int n, int off) {
        if (IN_HEADER + off + 8 > n) {
            throw new Malformed("short request");
        }
        return in.getLong(IN_HEADER + off);
    }

    private static int arg32(ByteBuffer in, int n, int off) {
        if (IN_HEADER + off + 4 > n) {
            throw new Malformed("short request");
        }
        return in.getInt(IN_HEADER + off);
    }

    /** The NUL-terminated name at {@code pos}; sets {@code end[0]} past its NUL. */
    private static String name(ByteBuffer in, int n, int pos, int[] end) {
        int i = pos;
        while (i < n && in.get(i) != 0) {
            i++;
        }
        if (i >= n) {
            throw new Malformed("name without NUL");
        }
        byte[] b = new byte[i - pos];
        in.get(pos, b);
        if (end != null) {
            end[0] = i + 1;
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A single path component: no slash, not empty. */
    private static String component(ByteBuffer in, int n, int pos, int[] end) {
        String s = name(in, n, pos, end);
        if (s.isEmpty() || s.indexOf('/') >= 0) {
            throw new Malformed("not a single name: " + s);
        }
        return s;
    }

    private int dispatch(Worker w, Proc p, int opcode, long nodeid, int n) throws ErrnoException {
        ByteBuffer in = w.inView;
        ByteBuffer out = w.outView;
        int a = IN_HEADER;
        switch (opcode) {
            case LOOKUP: {
                Vnode dir = nodes.vnode(nodeid);
                String nm = component(in, n, a, null);
                try {
                    return entry(out, OUT_HEADER, p, dir, nm);
                } catch (ErrnoException e) {
                    if (e.errno() != Errno.ENOENT) {
                        throw e;
                    }
                    // a negative entry Linux may cache: names appear only through this server
                    attrs.putEntryTimes(out, OUT_HEADER, 0);
                    out.put(OUT_HEADER + 40, new byte[ATTR]);
                    return ENTRY_OUT;
                }
            }
            case GETATTR:
                return attrs.attrOut(out, calls.stat(nodes.vnode(nodeid)));
            case SETATTR:
                return setattr(w, p, nodeid, n);
            case READLINK: {
                byte[] t = calls.readlink(nodes.vnode(nodeid)).getBytes(StandardCharsets.UTF_8);
                out.put(OUT_HEADER, t);
                return t.length;
            }
            case SYMLINK: {
                Vnode dir = nodes.vnode(nodeid);
                int[] end = new int[1];
                String nm = component(in, n, a, end);
                String target = name(in, n, end[0], null);
                changed();
                calls.symlink(p, target, dir, nm);
                return entry(out, OUT_HEADER, p, dir, nm);
            }
            case MKNOD: {
                Vnode dir = nodes.vnode(nodeid);
                int mode = arg32(in, n, 0);
                int rdev = arg32(in, n, 4);
                String nm = component(in, n, a + 16, null);
                changed();
                if ((mode & StatMode.S_IFMT) == StatMode.S_IFREG || (mode & StatMode.S_IFMT) == 0) {
                    // Linux lets anyone mknod a regular file; the kernel's mknod keeps that for root
                    int fd = calls.openat(p, dir, nm, Fcntl.O_RDONLY | Fcntl.O_CREAT | Fcntl.O_EXCL,
                            mode & StatMode.ALLPERMS);
                    vfs.close(w.lwp(), fd);
                } else {
                    calls.mknod(p, dir, nm, mode, rdev & 0xffffffffL);
                }
                return entry(out, OUT_HEADER, p, dir, nm);
            }
            case MKDIR: {
                Vnode dir = nodes.vnode(nodeid);
                int mode = arg32(in, n, 0);
                String nm = component(in, n, a + 8, null);
                changed();
                calls.mkdir(p, dir, nm, mode & StatMode.ALLPERMS);
                return entry(out, OUT_HEADER, p, dir, nm);
            }
            case UNLINK: {
                Vnode dir = nodes.vnode(nodeid);
                String nm = component(in, n, a, null);
                changed();
                try {
                    calls.unlink(p, dir, nm);
                } catch (ErrnoException e) {
                    if (e.errno() == Errno.EPERM && isDir(p, dir, nm)) {
                        return -LinuxErrno.EISDIR; // NetBSD's unlink of a directory is EPERM, Linux's EISDIR
                    }
                    throw e;
                }
                return 0;
            }
            case RMDIR: {
                Vnode dir = nodes.vnode(nodeid);
                String nm = component(in, n, a, null);
                changed();
                calls.rmdir(p, dir, nm);
                return 0;
            }
            case RENAME:
            case RENAME2: {
                Vnode from = nodes.vnode(nodeid);
                Vnode to = nodes.vnode(arg64(in, n, 0));
                int flags = opcode == RENAME2 ? arg32(in, n, 8) : 0;
                int[] end = new int[1];
                String fn = component(in, n, a + (opcode == RENAME2 ? 16 : 8), end);
                String tn = component(in, n, end[0], null);
                if ((flags & ~RENAME_NOREPLACE) != 0) {
                    return -LinuxErrno.EINVAL; // RENAME_EXCHANGE and RENAME_WHITEOUT: not in the kernel's rename
                }
                changed();
                if ((flags & RENAME_NOREPLACE) != 0 && exists(p, to, tn)) {
                    throw new ErrnoException(Errno.EEXIST, tn);
                }
                calls.rename(p, from, fn, to, tn);
                return 0;
            }
            case LINK: {
                Vnode dir = nodes.vnode(nodeid);
                long old = arg64(in, n, 0);
                Vnode vp = nodes.vnode(old);
                String nm = component(in, n, a + 8, null);
                changed();
                calls.link(p, vp, dir, nm);
                Stat st = calls.stat(vp);
                vp.ref();
                long id = nodes.enter(vp);
                attrs.putEntry(out, OUT_HEADER, id, st);
                return ENTRY_OUT;
            }
            case OPEN:
            case OPENDIR: {
                Vnode vp = nodes.vnode(nodeid);
                int flags = arg32(in, n, 0);
                int oflags = LinuxOpenFlags.toKernel(flags) & ~(Fcntl.O_CREAT | Fcntl.O_EXCL);
                if (opcode == OPENDIR) {
                    oflags = Fcntl.O_RDONLY | Fcntl.O_DIRECTORY;
                } else if ((oflags & Fcntl.O_TRUNC) != 0) {
                    changed();
                }
                int fd = calls.open(p, vp, oflags);
                long fh = handles.add(new Handles.Handle(p, fd, vp, opcode == OPENDIR, isWritable(oflags)));
                out.putLong(OUT_HEADER, fh);
                out.putInt(OUT_HEADER + 8, opcode == OPEN ? FOPEN_KEEP_CACHE : 0);
                out.putInt(OUT_HEADER + 12, 0);
                return OPEN_OUT;
            }
            case CREATE: {
                Vnode dir = nodes.vnode(nodeid);
                int flags = arg32(in, n, 0);
                int mode = arg32(in, n, 4);
                String nm = component(in, n, a + 16, null);
                int oflags = LinuxOpenFlags.toKernel(flags) | Fcntl.O_CREAT;
                changed();
                int fd = calls.openat(p, dir, nm, oflags, mode & StatMode.ALLPERMS);
                Vnode vp;
                Stat st;
                try {
                    vp = calls.vnodeOf(p, fd);
                    try {
                        st = calls.stat(vp);
                    } catch (ErrnoException e) {
                        vp.rele();
                        throw e;
                    }
                } catch (ErrnoException e) {
                    vfs.close(w.lwp(), fd);
                    throw e;
                }
                long id = nodes.enter(vp);
                long fh = handles.add(new Handles.Handle(p, fd, vp, false, isWritable(oflags)));
                attrs.putEntry(out, OUT_HEADER, id, st);
                out.putLong(OUT_HEADER + ENTRY_OUT, fh);
                out.putInt(OUT_HEADER + ENTRY_OUT + 8, FOPEN_KEEP_CACHE);
                out.putInt(OUT_HEADER + ENTRY_OUT + 12, 0);
                return ENTRY_OUT + OPEN_OUT;
            }
            case READ: {
                Handles.Handle h = handles.get(arg64(in, n, 0));
                long off = arg64(in, n, 8);
                int size = Math.min(arg32(in, n, 16), out.capacity() - OUT_HEADER);
                if (size < 0) {
                    throw new Malformed("negative size");
                }
                ByteBuffer dst = out.duplicate().order(out.order());
                dst.limit(OUT_HEADER + size).position(OUT_HEADER);
                int got = 0;
                while (dst.hasRemaining()) {
                    int r = vfs.pread(w.lwp(), h.fd(), dst, off + got);
                    if (r <= 0) {
                        break;
                    }
                    got += r;
                }
                return got;
            }
            case WRITE: {
                Handles.Handle h = handles.get(arg64(in, n, 0));
                long off = arg64(in, n, 8);
                int size = arg32(in, n, 16);
                int data = a + 40;
                if (size < 0 || data + size > n) {
                    throw new Malformed("write of " + size + " bytes in a request of " + n);
                }
                changed();
                ByteBuffer src = in.duplicate();
                src.limit(data + size).position(data);
                int put = 0;
                while (src.hasRemaining()) {
                    int r = vfs.pwrite(w.lwp(), h.fd(), src, off + put);
                    if (r <= 0) {
                        break;
                    }
                    put += r;
                }
                out.putInt(OUT_HEADER, put);
                out.putInt(OUT_HEADER + 4, 0);
                return 8;
            }
            case STATFS: {
                StatVfs s = calls.statvfs(root);
                int o = OUT_HEADER;
                out.putLong(o, s.blocks());
                out.putLong(o + 8, s.bfree());
                out.putLong(o + 16, s.bavail());
                out.putLong(o + 24, s.files());
                out.putLong(o + 32, s.ffree());
                out.putInt(o + 40, (int) s.bsize());
                out.putInt(o + 44, (int) s.namemax());
                out.putInt(o + 48, (int) s.frsize());
                out.put(o + 52, new byte[KSTATFS - 52]);
                return KSTATFS;
            }
            case RELEASE:
            case RELEASEDIR: {
                Handles.Handle h = handles.remove(arg64(in, n, 0));
                vfs.close(w.lwp(), h.fd());
                return 0;
            }
            case FLUSH:
                handles.get(arg64(in, n, 0));
                return 0;
            case FSYNC:
            case FSYNCDIR: {
                Handles.Handle h = handles.get(arg64(in, n, 0));
                if ((arg32(in, n, 8) & FSYNC_FDATASYNC) != 0) {
                    vfs.fdatasync(w.lwp(), h.fd());
                } else {
                    vfs.fsync(w.lwp(), h.fd());
                }
                return 0;
            }
            case ACCESS: {
                int mask = arg32(in, n, 0);
                calls.access(nodes.vnode(nodeid), mask & (Fcntl.R_OK | Fcntl.W_OK | Fcntl.X_OK), p.cred());
                return 0;
            }
            case READDIR:
            case READDIRPLUS:
                return readdir(w, p, opcode == READDIRPLUS, n);
            case LSEEK: {
                Handles.Handle h = handles.get(arg64(in, n, 0));
                long off = arg64(in, n, 8);
                int whence = arg32(in, n, 16);
                if (whence != Fcntl.SEEK_DATA && whence != Fcntl.SEEK_HOLE) {
                    return -LinuxErrno.EINVAL; // Linux seeks the others itself
                }
                out.putLong(OUT_HEADER, vfs.lseek(w.lwp(), h.fd(), off, whence));
                return 8;
            }
            default:
                return -LinuxErrno.ENOSYS;
        }
    }

    private static boolean isWritable(int oflags) {
        int acc = oflags & Fcntl.O_ACCMODE;
        return acc == Fcntl.O_WRONLY || acc == Fcntl.O_RDWR;
    }

    private void changed() {
        changes.incrementAndGet();
    }

    private boolean exists(Proc p, Vnode dir, String nm) throws ErrnoException {
        try {
            calls.lookup(p, dir, nm).rele();
            return true;
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT) {
                return false;
            }
            throw e;
        }
    }

    private boolean isDir(Proc p, Vnode dir, String nm) {
        try {
            Vnode vp = calls.lookup(p, dir, nm);
            boolean d = vp.isDir();
            vp.rele();
            return d;
        } catch (ErrnoException e) {
            return false;
        }
    }

    // --- setattr ------------------------------------------------------------------------------------

    private int setattr(Worker w, Proc p, long nodeid, int n) throws ErrnoException {
        ByteBuffer in = w.inView;
        Vnode vp = nodes.vnode(nodeid);
        Cred cred = p.cred();
        int valid = arg32(in, n, 0);
        long fh = arg64(in, n, 8);
        long size = arg64(in, n, 16);
        long atime = arg64(in, n, 32);
        long mtime = arg64(in, n, 40);
        int atimensec = arg32(in, n, 56);
        int mtimensec = arg32(in, n, 60);
        int mode = arg32(in, n, 68);
        int uid = arg32(in, n, 76);
        int gid = arg32(in, n, 80);
        if ((valid & (FATTR_MODE | FATTR_UID | FATTR_GID | FATTR_SIZE | FATTR_ATIME | FATTR_MTIME
                | FATTR_ATIME_NOW | FATTR_MTIME_NOW)) != 0) {
            changed();
        }
        if ((valid & (FATTR_UID | FATTR_GID)) != 0) {
            calls.chown(vp, (valid & FATTR_UID) != 0 ? uid : -1, (valid & FATTR_GID) != 0 ? gid : -1, cred);
        }
        if ((valid & FATTR_MODE) != 0) {
            calls.chmod(vp, mode & StatMode.ALLPERMS, cred);
        }
        if ((valid & FATTR_SIZE) != 0) {
            if (size < 0) {
                throw new ErrnoException(Errno.EINVAL, "negative size");
            }
            // by a descriptor open for writing (ftruncate) no further check; by name (truncate) write access
            boolean byWritableFile = false;
            if ((valid & FATTR_FH) != 0) {
                Handles.Handle h = handles.get(fh);
                byWritableFile = h.writable();
            }
            calls.truncate(vp, size, cred, !byWritableFile);
        }
        if ((valid & (FATTR_ATIME | FATTR_MTIME | FATTR_ATIME_NOW | FATTR_MTIME_NOW)) != 0) {
            Timespec at = (valid & FATTR_ATIME_NOW) != 0 ? Timespec.NOW
                    : (valid & FATTR_ATIME) != 0 ? new Timespec(atime, atimensec & 0xffffffffL) : Timespec.OMIT;
            Timespec mt = (valid & FATTR_MTIME_NOW) != 0 ? Timespec.NOW
                    : (valid & FATTR_MTIME) != 0 ? new Timespec(mtime, mtimensec & 0xffffffffL) : Timespec.OMIT;
            // utimes(NULL): both now, which write access permits (the kernel's VA_UTIMES_NULL)
            boolean bothNow = (valid & (FATTR_ATIME_NOW | FATTR_MTIME_NOW)) == (FATTR_ATIME_NOW | FATTR_MTIME_NOW);
            calls.utimens(vp, bothNow ? null : new Timespec[] {at, mt}, cred);
        }
        return attrs.attrOut(w.outView, calls.stat(vp));
    }

    // --- directories --------------------------------------------------------------------------------

    private record Ent(long fileno, int dtype, String name, byte[] utf8, long next) {
    }

    private int readdir(Worker w, Proc p, boolean plus, int n) throws ErrnoException {
        ByteBuffer in = w.inView;
        ByteBuffer out = w.outView;
        Handles.Handle h = handles.get(arg64(in, n, 0));
        long cookie = arg64(in, n, 8);
        int size = Math.min(arg32(in, n, 16), out.capacity() - OUT_HEADER);
        if (size < 0) {
            throw new Malformed("negative size");
        }
        if (!h.dir()) {
            throw new ErrnoException(Errno.ENOTDIR);
        }
        Vnode dir = h.vp();
        List<Ent> ents = new ArrayList<>();
        int[] used = new int[1];
        VnodeOps.DirentSink sink = (fileno, dtype, nm, next) -> {
            byte[] b = nm.getBytes(StandardCharsets.UTF_8);
            int rec = align8(DIRENT + b.length) + (plus ? ENTRY_OUT : 0);
            if (used[0] + rec > size) {
                return false;
            }
            used[0] += rec;
            ents.add(new Ent(fileno, dtype, nm, b, next));
            return true;
        };
        dir.lockShared();
        try {
            if (dir.dead()) {
                throw new ErrnoException(Errno.EBADF, "file system gone");
            }
            dir.ops().readdir(dir, cookie, sink);
        } finally {
            dir.unlock();
        }
        int o = OUT_HEADER;
        for (Ent e : ents) {
            if (plus) {
                boolean dot = e.name.equals(".") || e.name.equals("..");
                boolean filled = false;
                if (!dot) {
                    try {
                        entry(out, o, p, dir, e.name);
                        filled = true;
                    } catch (ErrnoException ex) {
                        // gone since it was listed, or not searchable: an entry without attributes
                    }
                }
                if (!filled) {
                    out.put(o, new byte[ENTRY_OUT]);
                }
                o += ENTRY_OUT;
            }
            out.putLong(o, e.fileno);
            out.putLong(o + 8, e.next);
            out.putInt(o + 16, e.utf8.length);
            out.putInt(o + 20, e.dtype);
            out.put(o + DIRENT, e.utf8);
            int rec = align8(DIRENT + e.utf8.length);
            for (int i = DIRENT + e.utf8.length; i < rec; i++) {
                out.put(o + i, (byte) 0);
            }
            o += rec;
        }
        return o - OUT_HEADER;
    }

    private static int align8(int x) {
        return (x + 7) & ~7;
    }

    // --- replies ------------------------------------------------------------------------------------

    /** Looks {@code nm} up in {@code dir} and writes its entry at {@code pos}: one lookup more for Linux. */
    private int entry(ByteBuffer out, int pos, Proc p, Vnode dir, String nm) throws ErrnoException {
        Vnode vp = calls.lookup(p, dir, nm);
        Stat st;
        try {
            st = calls.stat(vp);
        } catch (ErrnoException e) {
            vp.rele();
            throw e;
        }
        long id = nodes.enter(vp);
        attrs.putEntry(out, pos, id, st);
        return ENTRY_OUT;
    }

    /** Writes the reply header and sends header and {@code payload} bytes; {@code error} is Linux's errno. */
    private void reply(Worker w, long unique, int error, int payload) {
        ByteBuffer out = w.outView;
        int len = OUT_HEADER + (error == 0 ? payload : 0);
        out.putInt(0, len);
        out.putInt(4, -error);
        out.putLong(8, unique);
        int r = fuse.write(w.outView, len);
        if (r < 0 && -r != FuseUser.L_ENOENT && -r != FuseUser.L_ENODEV) {
            log.accept("p2k: reply to request " + unique + ": " + FuseUser.strerror(-r));
        }
    }

    // --- requests without a reply, and INIT -----------------------------------------------------------

    private void noReply(Worker w, int opcode, long nodeid, int n) {
        ByteBuffer in = w.inView;
        if (opcode == INTERRUPT) {
            return; // every request runs to its end; Linux waits for it
        }
        w.enter(serverProc);
        try {
            if (opcode == FORGET) {
                if (n >= IN_HEADER + 8) {
                    nodes.forget(nodeid, in.getLong(IN_HEADER));
                }
            } else {
                if (n < IN_HEADER + 8) {
                    return;
                }
                long count = in.getInt(IN_HEADER) & 0xffffffffL;
                int pos = IN_HEADER + 8;
                for (long i = 0; i < count && pos + 16 <= n; i++, pos += 16) {
                    nodes.forget(in.getLong(pos), in.getLong(pos + 8));
                }
            }
        } finally {
            w.exit();
        }
    }

    private void init(Worker w, long unique, int n) {
        ByteBuffer in = w.inView;
        if (n < IN_HEADER + 16) {
            reply(w, unique, LinuxErrno.EINVAL, 0);
            return;
        }
        int major = in.getInt(IN_HEADER);
        int minor = in.getInt(IN_HEADER + 4);
        int readahead = in.getInt(IN_HEADER + 8);
        int kflags = in.getInt(IN_HEADER + 12);
        ByteBuffer out = w.outView;
        int o = OUT_HEADER;
        out.put(o, new byte[INIT_OUT_SIZE]);
        out.putInt(o, KERNEL_VERSION);
        if (major != KERNEL_VERSION) {
            // a newer major: Linux asks again with ours; an older one cannot be served
            if (major < KERNEL_VERSION) {
                reply(w, unique, 71, 0); // EPROTO
                return;
            }
            reply(w, unique, 0, 8);
            return;
        }
        int ours = Math.min(minor, KERNEL_MINOR_VERSION);
        kernelMinor = ours;
        int want = ASYNC_READ | ATOMIC_O_TRUNC | BIG_WRITES | DO_READDIRPLUS | READDIRPLUS_AUTO | ASYNC_DIO
                | PARALLEL_DIROPS | MAX_PAGES | CACHE_SYMLINKS;
        out.putInt(o + 4, ours);
        out.putInt(o + 8, Math.min(readahead, MAX_READAHEAD));
        out.putInt(o + 12, want & kflags);
        out.putShort(o + 16, (short) 64); // max_background
        out.putShort(o + 18, (short) 48); // congestion_threshold
        out.putInt(o + 20, MAX_WRITE);
        out.putInt(o + 24, 1); // time_gran: nanoseconds
        out.putShort(o + 28, (short) PAGES_PER_REQUEST);
        reply(w, unique, 0, ours < 23 ? 24 : INIT_OUT_SIZE);
    }
}
