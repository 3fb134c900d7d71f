package io.jrump.fs.ext2fs;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.vfs.Dirent;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.vfs.Vfs;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A kernel with an ext2 image mounted on {@code /mnt}, and the calls the tests make on it. */
final class Ext2Harness {
    final Kernel k;
    final Vfs vfs;
    final Lwp l;

    Ext2Harness(Kernel k) {
        this.k = k;
        this.vfs = k.service(Vfs.class);
        this.l = k.proc1().newLwp("test");
    }

    void mount(Path img, boolean ro) throws ErrnoException {
        Ext2fs.mountImage(vfs, l, "/dk", img.toString(), "/mnt", ro);
    }

    void unmount() throws ErrnoException {
        vfs.unmount(l, "/mnt", 0);
    }

    byte[] read(String path) throws ErrnoException {
        int fd = vfs.open(l, path, Fcntl.O_RDONLY, 0);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer b = ByteBuffer.allocate(100_000);
            for (;;) {
                b.clear();
                int n = vfs.read(l, fd, b);
                if (n == 0) {
                    return out.toByteArray();
                }
                out.write(b.array(), 0, n);
            }
        } finally {
            vfs.close(l, fd);
        }
    }

    void write(String path, byte[] data) throws ErrnoException {
        int fd = vfs.open(l, path, Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_TRUNC, 0644);
        try {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                vfs.write(l, fd, b);
            }
        } finally {
            vfs.close(l, fd);
        }
    }

    void pwrite(String path, byte[] data, long off) throws ErrnoException {
        int fd = vfs.open(l, path, Fcntl.O_WRONLY | Fcntl.O_CREAT, 0644);
        try {
            vfs.pwrite(l, fd, ByteBuffer.wrap(data), off);
        } finally {
            vfs.close(l, fd);
        }
    }

    List<String> list(String dir) throws ErrnoException {
        int fd = vfs.open(l, dir, Fcntl.O_RDONLY | Fcntl.O_DIRECTORY, 0);
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
            vfs.close(l, fd);
        }
    }
}
