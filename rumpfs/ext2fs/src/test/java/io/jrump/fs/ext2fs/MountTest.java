package io.jrump.fs.ext2fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.BufferConsole;
import io.jrump.hypercall.Errno;
import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.testkit.RumpKernel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What can be mounted and how: features refused with the feature named, genext2fs's images, an image
 * in a rumpfs file, and several lwps writing at once.
 */
class MountTest {
    @TempDir
    Path tmp;

    private static Kernel boot(BufferConsole console) throws Exception {
        return Kernel.boot(KernelConfig.builder().component("rumpvfs").component("rumpfs_ext2fs")
                .hypercall(HostHypercall.builder().environment(Map.of()).console(console).build()).build());
    }

    private static int mountErrno(Ext2Harness h, Path img, boolean ro) {
        try {
            h.mount(img, ro);
        } catch (ErrnoException e) {
            return e.errno();
        }
        return 0;
    }

    @Test
    void unknownIncompatFeatureIsEinvalNamingIt() throws Exception {
        HostTools.require("mke2fs");
        Path img = tmp.resolve("e4.img");
        HostTools.ok("mke2fs", "-q", "-F", "-t", "ext4", "-O", "^has_journal", img.toString(), "16M");
        BufferConsole console = new BufferConsole();
        Kernel k = boot(console);
        try {
            Ext2Harness h = new Ext2Harness(k);
            assertEquals(Errno.EINVAL, mountErrno(h, img, true));
            assertTrue(console.text().contains("unsupported incompat feature(s)") && console.text().contains("extent"),
                    console.text());
        } finally {
            assertTrue(k.halt().clean());
        }
    }

    @Test
    void unknownRoCompatFeatureMountsReadOnlyOnly() throws Exception {
        HostTools.require("mke2fs", "debugfs");
        Path img = tmp.resolve("e2.img");
        HostTools.mkfs(img, "16M", "-b", "1024", "-O", "huge_file");
        Files.write(tmp.resolve("f"), "data".getBytes());
        HostTools.debugfsWrite(img, "write " + tmp.resolve("f") + " f");
        BufferConsole console = new BufferConsole();
        Kernel k = boot(console);
        try {
            Ext2Harness h = new Ext2Harness(k);
            assertEquals(Errno.EROFS, mountErrno(h, img, false));
            assertTrue(console.text().contains("huge_file"), console.text());
            h.mount(img, true);
            assertArrayEquals("data".getBytes(), h.read("/mnt/f"));
            h.unmount();
        } finally {
            assertTrue(k.halt().clean());
        }
    }

    @Test
    @RumpKernel(components = {"rumpvfs", "rumpfs_ext2fs"})
    void genext2fsImageReadsAndWrites(Kernel k) throws Exception {
        HostTools.require("genext2fs", "e2fsck", "debugfs");
        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve("a/b"));
        byte[] data = new byte[123_456];
        new Random(7).nextBytes(data);
        Files.write(src.resolve("a/b/data"), data);
        Files.writeString(src.resolve("top"), "top\n");
        Files.createSymbolicLink(src.resolve("link"), Path.of("a/b/data"));
        Path img = tmp.resolve("gen.img");
        HostTools.ok("genext2fs", "-b", "4096", "-N", "256", "-d", src.toString(), img.toString());
        Ext2Harness h = new Ext2Harness(k);
        h.mount(img, false);
        assertArrayEquals(data, h.read("/mnt/a/b/data"));
        assertArrayEquals(data, h.read("/mnt/link"));
        assertArrayEquals("top\n".getBytes(), h.read("/mnt/top"));
        h.write("/mnt/a/new", "new file".getBytes());
        h.vfs.rename(h.l, "/mnt/top", "/mnt/a/b/top");
        h.unmount();
        HostTools.assertClean(img);
        assertArrayEquals("new file".getBytes(), HostTools.debugfsCat(img, "/a/new"));
        assertArrayEquals("top\n".getBytes(), HostTools.debugfsCat(img, "/a/b/top"));
    }

    /** An image held in a rumpfs file, mounted from it: the driver reads and writes the file. */
    @Test
    @RumpKernel(components = {"rumpvfs", "rumpfs_ext2fs"})
    void imageInRumpfsFile(Kernel k) throws Exception {
        HostTools.require("mke2fs", "e2fsck", "debugfs");
        Path img = tmp.resolve("e2.img");
        HostTools.mkfs(img, "4M", "-b", "2048");
        Ext2Harness h = new Ext2Harness(k);
        h.write("/tmp/image", Files.readAllBytes(img));
        h.vfs.mkdir(h.l, "/mnt", 0755);
        h.vfs.mount(h.l, Ext2fs.TYPE, "/mnt", 0, "/tmp/image,cache=1m");
        h.vfs.mkdir(h.l, "/mnt/dir", 0755);
        h.write("/mnt/dir/f", "in a file in a file".getBytes());
        h.unmount();
        Files.write(img, h.read("/tmp/image"));
        HostTools.assertClean(img);
        assertArrayEquals("in a file in a file".getBytes(), HostTools.debugfsCat(img, "/dir/f"));
    }

    /** A kernel whose memory limit is below the cache's size: the cache reuses its buffers, nothing fails. */
    @Test
    @RumpKernel(components = {"rumpvfs", "rumpfs_ext2fs"}, memoryLimit = "3m")
    void cacheWithinASmallKernel(Kernel k) throws Exception {
        HostTools.require("mke2fs", "e2fsck", "debugfs");
        Path img = tmp.resolve("e2.img");
        HostTools.mkfs(img, "32M", "-b", "4096");
        Ext2Harness h = new Ext2Harness(k);
        h.mount(img, false);
        byte[] data = new byte[12 << 20];
        new Random(3).nextBytes(data);
        h.write("/mnt/big", data);
        for (int i = 0; i < 200; i++) {
            h.write("/mnt/f" + i, ("file " + i).getBytes());
        }
        assertArrayEquals(data, h.read("/mnt/big"));
        assertTrue(k.kmem().used() <= 3L << 20);
        h.unmount();
        HostTools.assertClean(img);
        assertArrayEquals(data, HostTools.debugfsCat(img, "/big"));
    }

    /** Several lwps create, write and remove files at once; the result is clean and every byte is right. */
    @Test
    @RumpKernel(components = {"rumpvfs", "rumpfs_ext2fs"}, ncpu = 2)
    void concurrentWriters(Kernel k) throws Exception {
        HostTools.require("mke2fs", "e2fsck", "debugfs");
        Path img = tmp.resolve("e2.img");
        HostTools.mkfs(img, "64M", "-b", "1024");
        Ext2Harness h = new Ext2Harness(k);
        h.mount(img, false);
        int writers = 4;
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int w = 0; w < writers; w++) {
            int id = w;
            h.vfs.mkdir(h.l, "/mnt/w" + id, 0755);
            threads.add(new Thread(() -> {
                Lwp l = k.proc1().newLwp("writer" + id);
                try {
                    Random r = new Random(id);
                    for (int i = 0; i < 40; i++) {
                        byte[] b = new byte[1000 + r.nextInt(60_000)];
                        r.nextBytes(b);
                        String p = "/mnt/w" + id + "/f" + i;
                        int fd = h.vfs.open(l, p, Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_TRUNC, 0644);
                        ByteBuffer bb = ByteBuffer.wrap(b);
                        while (bb.hasRemaining()) {
                            h.vfs.write(l, fd, bb);
                        }
                        h.vfs.close(l, fd);
                        if (i % 4 == 3) {
                            h.vfs.unlink(l, "/mnt/w" + id + "/f" + (i - 1));
                        }
                        int sfd = h.vfs.open(l, "/mnt/shared", Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_APPEND, 0644);
                        h.vfs.write(l, sfd, ByteBuffer.wrap(("w" + id + " " + i + "\n").getBytes()));
                        h.vfs.close(l, sfd);
                    }
                } catch (Throwable t) {
                    errors.add(t);
                } finally {
                    k.proc1().lwpExit(l);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(errors.isEmpty(), errors.toString());
        h.unmount();
        HostTools.assertClean(img);
        for (int w = 0; w < writers; w++) {
            Random r = new Random(w);
            for (int i = 0; i < 40; i++) {
                byte[] b = new byte[1000 + r.nextInt(60_000)];
                r.nextBytes(b);
                if (i % 4 != 2 && i % 10 == 0) {
                    assertArrayEquals(b, HostTools.debugfsCat(img, "/w" + w + "/f" + i));
                }
            }
        }
        assertEquals(writers * 40, new String(HostTools.debugfsCat(img, "/shared")).lines().count());
    }
}
