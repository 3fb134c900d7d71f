package io.jrump.vfs;

import io.jrump.kern.vfs.Stat;
import io.jrump.kern.vfs.Dirent;
import io.jrump.kern.vfs.Fcntl;


import static org.junit.jupiter.api.Assertions.fail;

import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.sched.Proc;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-side access to a kernel's {@link Vfs}: processes with credentials, each calling the facade as
 * its syscalls will, and short forms of the calls tests make most.
 */
final class Harness {
    final Kernel k;
    final Vfs vfs;

    Harness(Kernel k) {
        this.k = k;
        this.vfs = k.service(Vfs.class);
        if (vfs == null) {
            throw new IllegalStateException("rumpvfs is not in this kernel");
        }
    }

    /** Process 1 (root), as local callers run. */
    P root() {
        return new P(this, k.proc1());
    }

    /** A new process with the given credentials, as a remote client would be. */
    P user(int uid, int gid) {
        return new P(this, k.newProcess("u" + uid, new Cred(uid, gid, new int[0])));
    }

    @FunctionalInterface
    interface Call {
        void run() throws ErrnoException;
    }

    /** The errno {@code c} fails with; the test fails if it succeeds. */
    static int errno(Call c) {
        try {
            c.run();
        } catch (ErrnoException e) {
            return e.errno();
        }
        fail("expected an error");
        return 0;
    }

    /** A process and an lwp of it. */
    static final class P {
        final Harness h;
        final Proc proc;
        final Lwp l;
        final Vfs vfs;

        P(Harness h, Proc proc) {
            this.h = h;
            this.proc = proc;
            this.l = proc.newLwp("test");
            this.vfs = h.vfs;
        }

        /** A child process ({@code fork}): same descriptors, same directories. */
        P fork() {
            return new P(h, h.k.fork(proc, proc.name() + "+"));
        }

        void exit() {
            h.k.exitProcess(proc);
        }

        int open(String path, int flags, int mode) throws ErrnoException {
            return vfs.open(l, path, flags, mode);
        }

        int open(String path, int flags) throws ErrnoException {
            return vfs.open(l, path, flags, 0);
        }

        void close(int fd) throws ErrnoException {
            vfs.close(l, fd);
        }

        int write(int fd, byte[] b) throws ErrnoException {
            return vfs.write(l, fd, ByteBuffer.wrap(b));
        }

        int write(int fd, String s) throws ErrnoException {
            return write(fd, s.getBytes(StandardCharsets.UTF_8));
        }

        int pwrite(int fd, byte[] b, long off) throws ErrnoException {
            return vfs.pwrite(l, fd, ByteBuffer.wrap(b), off);
        }

        byte[] read(int fd, int n) throws ErrnoException {
            ByteBuffer b = ByteBuffer.allocate(n);
            int got = vfs.read(l, fd, b);
            byte[] out = new byte[got];
            b.flip();
            b.get(out);
            return out;
        }

        byte[] pread(int fd, int n, long off) throws ErrnoException {
            ByteBuffer b = ByteBuffer.allocate(n);
            int got = vfs.pread(l, fd, b, off);
            byte[] out = new byte[got];
            b.flip();
            b.get(out);
            return out;
        }

        /** Creates (or truncates) {@code path} holding {@code content}. */
        void writeFile(String path, String content) throws ErrnoException {
            int fd = open(path, Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_TRUNC, 0644);
            try {
                write(fd, content);
            } finally {
                close(fd);
            }
        }

        String readFile(String path) throws ErrnoException {
            int fd = open(path, Fcntl.O_RDONLY);
            try {
                StringBuilder sb = new StringBuilder();
                for (;;) {
                    byte[] b = read(fd, 65536);
                    if (b.length == 0) {
                        return sb.toString();
                    }
                    sb.append(new String(b, StandardCharsets.UTF_8));
                }
            } finally {
                close(fd);
            }
        }

        Stat stat(String path) throws ErrnoException {
            return vfs.stat(l, path);
        }

        Stat lstat(String path) throws ErrnoException {
            return vfs.lstat(l, path);
        }

        void mkdir(String path, int mode) throws ErrnoException {
            vfs.mkdir(l, path, mode);
        }

        void rmdir(String path) throws ErrnoException {
            vfs.rmdir(l, path);
        }

        void unlink(String path) throws ErrnoException {
            vfs.unlink(l, path);
        }

        void rename(String a, String b) throws ErrnoException {
            vfs.rename(l, a, b);
        }

        void link(String a, String b) throws ErrnoException {
            vfs.link(l, a, b);
        }

        void symlink(String target, String path) throws ErrnoException {
            vfs.symlink(l, target, path);
        }

        void chdir(String path) throws ErrnoException {
            vfs.chdir(l, path);
        }

        void mknod(String path, int mode, long dev) throws ErrnoException {
            vfs.mknod(l, path, mode, dev);
        }

        /** Every name in a directory, {@code .} and {@code ..} included, in getdents order. */
        List<String> list(String dir) throws ErrnoException {
            int fd = open(dir, Fcntl.O_RDONLY | Fcntl.O_DIRECTORY);
            try {
                List<String> names = new ArrayList<>();
                for (;;) {
                    List<Dirent> ds = vfs.getdents(l, fd, 4096);
                    if (ds.isEmpty()) {
                        return names;
                    }
                    for (Dirent d : ds) {
                        names.add(d.name());
                    }
                }
            } finally {
                close(fd);
            }
        }
    }
}
