package io.jrump.fs.ext2fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.BufferConsole;
import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.vfs.Dirent;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.kern.vfs.StatMode;
import io.jrump.kern.vfs.Stat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Mounts an image (held in a rumpfs file, so the driver's every write is visible) in a fresh kernel and
 * does what a user would: list and stat every name, read every file and link, then create, write,
 * rename, truncate and remove. Whatever the image holds, only errnos may come back, the console shows
 * no exception, the image file keeps its size (nothing is written past its end) and the kernel halts
 * clean. Records the errno of the mount and of the first failing step for the tests that expect one.
 */
final class ImageExercise {
    /** The errno of the mount (0 if it mounted), and the first errno of the walk and of the writes. */
    int mountErrno;
    int walkErrno;
    int writeErrno;
    int unmountErrno;
    String console;

    static byte[] baseImage() throws IOException {
        try (InputStream in = ImageExercise.class.getResourceAsStream("base.img.gz")) {
            return new GZIPInputStream(in).readAllBytes();
        }
    }

    static ImageExercise run(byte[] image) throws Exception {
        BufferConsole console = new BufferConsole();
        Kernel k = Kernel.boot(KernelConfig.builder().component("rumpvfs").component("rumpfs_ext2fs")
                .hypercall(HostHypercall.builder().environment(Map.of()).console(console).build()).build());
        ImageExercise x = new ImageExercise();
        try {
            Ext2Harness h = new Ext2Harness(k);
            h.write("/img", image);
            h.vfs.mkdir(h.l, "/mnt", 0755);
            try {
                h.vfs.mount(h.l, Ext2fs.TYPE, "/mnt", 0, "/img,cache=64k");
            } catch (ErrnoException e) {
                x.mountErrno = e.errno();
            }
            if (x.mountErrno == 0) {
                x.walk(h, "/mnt", 0, new int[] {0});
                x.writes(h);
                try {
                    h.unmount();
                } catch (ErrnoException e) {
                    x.unmountErrno = e.errno();
                    h.vfs.unmount(h.l, "/mnt", io.jrump.vfs.MountFlags.MNT_FORCE);
                }
            }
            assertEquals(image.length, h.vfs.stat(h.l, "/img").size(), "the image file changed size");
        } finally {
            HaltReport r = k.halt();
            x.console = console.text();
            assertTrue(r.clean(), "kernel did not halt cleanly: " + r);
        }
        assertFalse(x.console.contains("Exception"), x.console);
        return x;
    }

    private void walkFailed(ErrnoException e) {
        if (walkErrno == 0) {
            walkErrno = e.errno();
        }
    }

    private void walk(Ext2Harness h, String dir, int depth, int[] budget) {
        List<Dirent> all = new ArrayList<>();
        try {
            int fd = h.vfs.open(h.l, dir, Fcntl.O_RDONLY | Fcntl.O_DIRECTORY, 0);
            try {
                for (int i = 0; i < 100; i++) {
                    List<Dirent> ds = h.vfs.getdents(h.l, fd, 4096);
                    if (ds.isEmpty()) {
                        break;
                    }
                    all.addAll(ds);
                }
            } finally {
                h.vfs.close(h.l, fd);
            }
        } catch (ErrnoException e) {
            walkFailed(e);
        }
        for (Dirent d : all) {
            if (budget[0]++ > 300 || d.name().equals(".") || d.name().equals("..")) {
                continue;
            }
            String p = dir + "/" + d.name();
            try {
                Stat st = h.vfs.lstat(h.l, p);
                switch (st.mode() & StatMode.S_IFMT) {
                    case StatMode.S_IFDIR -> {
                        if (depth < 6) {
                            walk(h, p, depth + 1, budget);
                        }
                    }
                    case StatMode.S_IFLNK -> h.vfs.readlink(h.l, p);
                    case StatMode.S_IFREG -> read(h, p);
                    default -> { }
                }
            } catch (ErrnoException e) {
                walkFailed(e);
            }
        }
    }

    private static void read(Ext2Harness h, String p) throws ErrnoException {
        int fd = h.vfs.open(h.l, p, Fcntl.O_RDONLY, 0);
        try {
            ByteBuffer b = ByteBuffer.allocate(64 * 1024);
            for (int i = 0; i < 16; i++) {
                b.clear();
                if (h.vfs.read(h.l, fd, b) <= 0) {
                    break;
                }
            }
            h.vfs.lseek(h.l, fd, 0, Fcntl.SEEK_HOLE);
        } finally {
            h.vfs.close(h.l, fd);
        }
    }

    private interface Step {
        void run() throws ErrnoException;
    }

    private void step(Step s) {
        try {
            s.run();
        } catch (ErrnoException e) {
            if (writeErrno == 0) {
                writeErrno = e.errno();
            }
        }
    }

    private void writes(Ext2Harness h) {
        ByteArrayOutputStream pattern = new ByteArrayOutputStream();
        for (int i = 0; i < 3000; i++) {
            pattern.write(i);
        }
        byte[] data = pattern.toByteArray();
        step(() -> h.write("/mnt/new", data));
        step(() -> h.pwrite("/mnt/new", data, 300_000));
        step(() -> h.vfs.mkdir(h.l, "/mnt/newdir", 0755));
        step(() -> h.write("/mnt/newdir/f", data));
        step(() -> h.vfs.rename(h.l, "/mnt/newdir/f", "/mnt/d/moved"));
        step(() -> h.vfs.rename(h.l, "/mnt/newdir", "/mnt/d/e/newdir"));
        step(() -> h.vfs.link(h.l, "/mnt/mid", "/mnt/d/link"));
        step(() -> h.vfs.truncate(h.l, "/mnt/mid", 100));
        step(() -> h.vfs.unlink(h.l, "/mnt/mid"));
        step(() -> h.vfs.unlink(h.l, "/mnt/d/e/hard"));
        step(() -> h.vfs.symlink(h.l, "x".repeat(200), "/mnt/longlink"));
        step(() -> h.vfs.rmdir(h.l, "/mnt/d/e/newdir"));
        step(() -> h.vfs.sync(h.l));
    }
}
