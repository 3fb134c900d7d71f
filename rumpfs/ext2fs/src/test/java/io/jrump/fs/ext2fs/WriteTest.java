package io.jrump.fs.ext2fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.testkit.RumpKernel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Writes through the kernel, judged by Linux: after the unmount {@code e2fsck -fn} finds the image
 * clean and {@code debugfs} reads back the same bytes.
 */
@RumpKernel(components = {"rumpvfs", "rumpfs_ext2fs"})
class WriteTest {
    @TempDir
    Path tmp;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static int errno(HostCall c) {
        try {
            c.run();
        } catch (ErrnoException e) {
            return e.errno();
        }
        throw new AssertionError("expected an error");
    }

    @FunctionalInterface
    interface HostCall {
        void run() throws ErrnoException;
    }

    @ParameterizedTest
    @ValueSource(strings = {"-b 1024", "-b 2048", "-b 4096", "-b 1024 -O ^sparse_super,^resize_inode", "-b 1024 -r 0",
        "-b 4096 -I 128"})
    void treeOfChangesIsCleanForE2fsck(String opts, Kernel k) throws Exception {
        HostTools.require("mke2fs", "debugfs", "e2fsck");
        Path img = tmp.resolve("e2.img");
        HostTools.mkfs(img, "32M", opts.split(" "));
        Ext2Harness h = new Ext2Harness(k);
        h.mount(img, false);
        byte[] big = random(3_000_000, 2);
        h.write("/mnt/big", big);
        h.vfs.mkdir(h.l, "/mnt/d", 0755);
        h.vfs.mkdir(h.l, "/mnt/d/sub", 0700);
        for (int i = 0; i < 300; i++) {
            h.write("/mnt/d/file-with-a-longish-name-" + i, ("content " + i).getBytes());
        }
        for (int i = 0; i < 300; i += 3) {
            h.vfs.unlink(h.l, "/mnt/d/file-with-a-longish-name-" + i);
        }
        h.vfs.symlink(h.l, "../big", "/mnt/d/fast");
        String longTarget = "y/".repeat(100) + "end";
        h.vfs.symlink(h.l, longTarget, "/mnt/slow");
        h.vfs.link(h.l, "/mnt/big", "/mnt/d/sub/hard");
        h.vfs.rename(h.l, "/mnt/d/file-with-a-longish-name-1", "/mnt/d/sub/moved");
        h.vfs.rename(h.l, "/mnt/d/sub", "/mnt/sub2");
        h.vfs.mkdir(h.l, "/mnt/gone", 0755);
        h.vfs.rmdir(h.l, "/mnt/gone");
        h.write("/mnt/trunc", random(100_000, 3));
        h.vfs.truncate(h.l, "/mnt/trunc", 5000);
        h.vfs.truncate(h.l, "/mnt/trunc", 20000);
        h.write("/mnt/over", random(50_000, 4));
        h.write("/mnt/victim", random(10_000, 5));
        h.vfs.rename(h.l, "/mnt/over", "/mnt/victim");
        int fd = h.vfs.open(h.l, "/mnt/open-unlinked", Fcntl.O_RDWR | Fcntl.O_CREAT, 0644);
        h.vfs.write(h.l, fd, ByteBuffer.wrap(random(40_000, 6)));
        h.vfs.unlink(h.l, "/mnt/open-unlinked");
        ByteBuffer back = ByteBuffer.allocate(40_000);
        assertEquals(40_000, h.vfs.pread(h.l, fd, back, 0));
        assertArrayEquals(random(40_000, 6), back.array());
        h.vfs.close(h.l, fd);
        assertArrayEquals(big, h.read("/mnt/sub2/hard"));
        assertEquals(Errno.ENOTEMPTY, errno(() -> h.vfs.rmdir(h.l, "/mnt/d")));
        h.unmount();

        HostTools.assertClean(img);
        assertArrayEquals(big, HostTools.debugfsCat(img, "/big"));
        assertArrayEquals(big, HostTools.debugfsCat(img, "/sub2/hard"));
        assertArrayEquals("content 1".getBytes(), HostTools.debugfsCat(img, "/sub2/moved"));
        assertArrayEquals("content 299".getBytes(), HostTools.debugfsCat(img, "/d/file-with-a-longish-name-299"));
        assertArrayEquals(random(50_000, 4), HostTools.debugfsCat(img, "/victim"));
        byte[] t = HostTools.debugfsCat(img, "/trunc");
        assertEquals(20000, t.length);
        assertArrayEquals(Arrays.copyOf(random(100_000, 3), 5000), Arrays.copyOf(t, 5000));
        assertArrayEquals(new byte[15000], Arrays.copyOfRange(t, 5000, 20000));
        String stat = HostTools.ok("debugfs", "-R", "stat /slow", img.toString());
        assertTrue(stat.contains("Size: " + longTarget.length()), stat);

        h.mount(img, true);
        assertEquals(longTarget, h.vfs.readlink(h.l, "/mnt/slow"));
        assertEquals("../big", h.vfs.readlink(h.l, "/mnt/d/fast"));
        h.unmount();
    }

    /** A file at 1 KiB blocks reaching into the triple indirect block, with holes between a few writes. */
    @Test
    void sparseTripleIndirect(Kernel k) throws Exception {
        HostTools.require("mke2fs", "debugfs", "e2fsck");
        Path img = tmp.resolve("e2.img");
        HostTools.mkfs(img, "16M", "-b", "1024");
        Ext2Harness h = new Ext2Harness(k);
        h.mount(img, false);
        long p = 256;
        long[] offsets = {0, 12 * 1024 + 5, (12 + p) * 1024 + 100, (12 + p + p * p) * 1024L + 7,
            (12 + p + p * p) * 1024L + 3 * p * p * 1024L + 999, 8L << 30};
        for (int i = 0; i < offsets.length; i++) {
            h.pwrite("/mnt/sparse", ("chunk" + i).getBytes(), offsets[i]);
        }
        int fd = h.vfs.open(h.l, "/mnt/sparse", Fcntl.O_RDONLY, 0);
        try {
            for (int i = 0; i < offsets.length; i++) {
                ByteBuffer b = ByteBuffer.allocate(6);
                h.vfs.pread(h.l, fd, b, offsets[i]);
                assertEquals("chunk" + i, new String(b.array(), 0, 6));
            }
            assertEquals(offsets[2] - offsets[2] % 1024, h.vfs.lseek(h.l, fd, offsets[1] + 2000, Fcntl.SEEK_DATA));
            assertEquals(1024, h.vfs.lseek(h.l, fd, 0, Fcntl.SEEK_HOLE));
            assertEquals(offsets[5] - offsets[5] % 1024, h.vfs.lseek(h.l, fd, offsets[4] + 2000, Fcntl.SEEK_DATA));
        } finally {
            h.vfs.close(h.l, fd);
        }
        assertTrue(h.vfs.stat(h.l, "/mnt/sparse").blocks() < 200);
        h.unmount();
        HostTools.assertClean(img);
        String stat = HostTools.ok("debugfs", "-R", "stat /sparse", img.toString());
        assertTrue(stat.contains("TRIPLE INDIRECT") || stat.contains("(TIND)"), stat);
        h.mount(img, false);
        h.vfs.truncate(h.l, "/mnt/sparse", 100);
        h.unmount();
        HostTools.assertClean(img);
    }

    /** Running out of blocks and inodes: short writes and ENOSPC, and an image still clean after it. */
    @Test
    void fullFileSystemStaysClean(Kernel k) throws Exception {
        HostTools.require("mke2fs", "e2fsck");
        Path img = tmp.resolve("e2.img");
        HostTools.mkfs(img, "1M", "-b", "1024", "-N", "48");
        Ext2Harness h = new Ext2Harness(k);
        h.mount(img, false);
        int fd = h.vfs.open(h.l, "/mnt/fill", Fcntl.O_WRONLY | Fcntl.O_CREAT, 0644);
        long written = 0;
        try {
            for (;;) {
                int n = h.vfs.write(h.l, fd, ByteBuffer.wrap(random(7000, written)));
                written += n;
                if (n < 7000) {
                    break;
                }
            }
        } catch (ErrnoException e) {
            assertEquals(Errno.ENOSPC, e.errno());
        }
        h.vfs.close(h.l, fd);
        assertTrue(written > 500_000, "wrote " + written);
        int made = 0;
        int last = 0;
        for (int i = 0; i < 100; i++) {
            try {
                if (i % 2 == 0) {
                    h.vfs.mkdir(h.l, "/mnt/dir" + i, 0755);
                } else {
                    h.write("/mnt/long-name-to-fill-the-root-directory-block-" + i, new byte[0]);
                }
                made++;
            } catch (ErrnoException e) {
                last = e.errno();
            }
        }
        assertEquals(Errno.ENOSPC, last);
        assertTrue(made > 0 && made < 100, "made " + made);
        h.unmount();
        HostTools.assertClean(img);
        h.mount(img, false);
        h.vfs.truncate(h.l, "/mnt/fill", 1000);
        h.write("/mnt/after", random(100_000, 9));
        h.unmount();
        HostTools.assertClean(img);
    }

    /** A file with an extended attribute block gives the block back when it goes. */
    @Test
    void unlinkFreesTheAttributeBlock(Kernel k) throws Exception {
        HostTools.require("mke2fs", "debugfs", "e2fsck");
        Path img = tmp.resolve("e2.img");
        HostTools.mkfs(img, "4M", "-b", "1024", "-I", "128");
        Files.write(tmp.resolve("s"), "hi".getBytes());
        HostTools.debugfsWrite(img, "write " + tmp.resolve("s") + " f", "ea_set f user.test hello");
        assertTrue(HostTools.ok("debugfs", "-R", "stat f", img.toString()).contains("File ACL: "));
        Ext2Harness h = new Ext2Harness(k);
        h.mount(img, false);
        assertArrayEquals("hi".getBytes(), h.read("/mnt/f"));
        h.vfs.unlink(h.l, "/mnt/f");
        h.unmount();
        HostTools.assertClean(img);
    }

    @Test
    void readOnlyMountWritesNothing(Kernel k) throws Exception {
        HostTools.require("mke2fs");
        Path img = tmp.resolve("e2.img");
        HostTools.mkfs(img, "8M", "-b", "1024");
        byte[] before = Files.readAllBytes(img);
        Ext2Harness h = new Ext2Harness(k);
        h.mount(img, true);
        h.list("/mnt");
        h.list("/mnt/lost+found");
        assertEquals(Errno.EROFS, errno(() -> h.write("/mnt/x", new byte[1])));
        h.vfs.sync(h.l);
        h.unmount();
        assertArrayEquals(before, Files.readAllBytes(img));
    }
}
