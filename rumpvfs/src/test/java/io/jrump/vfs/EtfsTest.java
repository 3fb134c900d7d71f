package io.jrump.vfs;

import io.jrump.kern.vfs.Stat;
import io.jrump.kern.vfs.StatMode;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.kern.vfs.Timespec;


import static io.jrump.kern.vfs.Fcntl.O_CREAT;
import static io.jrump.kern.vfs.Fcntl.O_RDONLY;
import static io.jrump.kern.vfs.Fcntl.O_RDWR;
import static io.jrump.vfs.Harness.errno;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Kernel;
import io.jrump.testkit.RumpKernel;
import io.jrump.vfs.etfs.Etfs;
import io.jrump.vfs.etfs.EtfsType;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NetBSD's {@code tests/rump/rumpvfs/t_etfs.c}, and etfs directories. */
@RumpKernel(components = "rumpvfs")
class EtfsTest {
    @TempDir
    Path tmp;

    private static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }

    @Test
    void reregister_reg(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Etfs etfs = k.service(Etfs.class);
        Harness.P p = h.root();
        Path passwd = Files.writeString(tmp.resolve("passwd"), "root:*:0:0::/root:/bin/sh\n");
        Path test = Files.writeString(tmp.resolve("testfile"), "hi, it's me again!");
        etfs.register("/trip/to/the/moon", passwd.toString(), EtfsType.REG);
        int fd = p.open("/trip/to/the/moon", O_RDONLY);
        assertTrue(p.read(fd, 1024).length > 0);
        p.close(fd);
        etfs.remove("/trip/to/the/moon");
        assertEquals(Errno.ENOENT, errno(() -> p.stat("/trip/to/the/moon")));
        etfs.register("/but/not/the/dark/size", test.toString(), EtfsType.REG);
        fd = p.open("/but/not/the/dark/size", O_RDWR);
        assertEquals("hi, it's me again!", new String(p.read(fd, 1024), StandardCharsets.UTF_8));
        h.vfs.lseek(p.l, fd, 0, Fcntl.SEEK_SET);
        p.write(fd, "what about the old vulcan proverb?");
        p.close(fd);
        assertEquals("what about the old vulcan proverb?", Files.readString(test));
    }

    @Test
    void reregister_blk(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Etfs etfs = k.service(Etfs.class);
        Harness.P p = h.root();
        Path d1 = Files.write(tmp.resolve("disk1.img"), filled(512 * 64, 1));
        Path d2 = Files.write(tmp.resolve("disk2.img"), filled(512 * 128, 2));
        etfs.register("/trip/to/the/moon", d1.toString(), EtfsType.BLK);
        Stat st = p.stat("/trip/to/the/moon");
        assertEquals(StatMode.S_IFBLK, st.type());
        assertEquals(DevSw.RUMPBLK_MAJOR, DevSw.major(st.rdev()));
        assertEquals(512 * 64, st.size());
        int fd = p.open("/trip/to/the/moon", O_RDONLY);
        assertArrayEquals(filled(512 * 64, 1), p.read(fd, 512 * 128));
        p.close(fd);
        etfs.remove("/trip/to/the/moon");
        etfs.register("/but/not/the/dark/size", d2.toString(), EtfsType.BLK);
        fd = p.open("/but/not/the/dark/size", O_RDONLY);
        assertArrayEquals(filled(512 * 128, 2), p.read(fd, 512 * 128));
        p.close(fd);
        etfs.remove("/but/not/the/dark/size");
    }

    @Test
    void large_blk_on_a_sparse_8g_image(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Etfs etfs = k.service(Etfs.class);
        Harness.P p = h.root();
        Path img = tmp.resolve("disk.img");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(8L << 30);
        }
        long at = 6L << 30;
        etfs.register("/trip/to/the/moon", img.toString(), EtfsType.BLK);
        int fd = p.open("/trip/to/the/moon", O_RDWR);
        assertEquals(128, p.pwrite(fd, filled(128, 12), at));
        assertEquals(5, p.pwrite(fd, "odd!!".getBytes(), at + 1000));
        p.close(fd);
        etfs.remove("/trip/to/the/moon");
        etfs.register("/but/not/the/dark/size", img.toString(), EtfsType.BLK);
        fd = p.open("/but/not/the/dark/size", O_RDWR);
        assertArrayEquals(filled(128, 12), p.pread(fd, 128, at));
        assertArrayEquals("odd!!".getBytes(), p.pread(fd, 5, at + 1000));
        assertArrayEquals(new byte[7], p.pread(fd, 7, at + 128));
        assertEquals(0, p.pread(fd, 10, 8L << 30).length, "the end of the disk");
        p.close(fd);
        assertTrue(Files.size(img) == 8L << 30);
    }

    @Test
    void range_blk(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Etfs etfs = k.service(Etfs.class);
        Harness.P p = h.root();
        byte[] img = new byte[64000];
        Arrays.fill(img, 32000, 32016, (byte) 1);
        Path disk = Files.write(tmp.resolve("disk.img"), img);
        etfs.registerWithSize("/trip/to/the/moon", disk.toString(), EtfsType.BLK, 16000, 32000);
        int bfd = p.open("/trip/to/the/moon", O_RDWR);
        byte[] expect = new byte[32000];
        Arrays.fill(expect, 16000, 16016, (byte) 1);
        assertArrayEquals(expect, p.read(bfd, 32000));
        p.close(bfd);
        etfs.remove("/trip/to/the/moon");
        // a window of a regular file: reads stop at its end, writes past it are refused
        etfs.registerWithSize("/win", disk.toString(), EtfsType.REG, 31990, 20);
        assertEquals(20, p.stat("/win").size());
        int fd = p.open("/win", O_RDWR);
        byte[] w = p.read(fd, 100);
        assertEquals(20, w.length);
        assertEquals(1, w[10]);
        assertEquals(Errno.ENOSPC, errno(() -> p.write(fd, "x")));
        p.close(fd);
    }

    @Test
    void a_host_files_mtime_shows_through_until_the_kernel_sets_one(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Etfs etfs = k.service(Etfs.class);
        Harness.P p = h.root();
        Path site = Files.createDirectories(tmp.resolve("times"));
        Path page = Files.writeString(site.resolve("page.html"), "one");
        long first = 1_600_000_000_123_000_000L;
        Files.setLastModifiedTime(page, FileTime.from(first, TimeUnit.NANOSECONDS));
        etfs.register("/site", site.toString(), EtfsType.DIR);
        etfs.register("/page", page.toString(), EtfsType.REG);
        assertEquals(first, p.stat("/site/page.html").mtimeNanos());
        assertEquals(first, p.stat("/page").mtimeNanos());
        Files.writeString(page, "two");
        long edited = 1_700_000_000_456_000_000L;
        Files.setLastModifiedTime(page, FileTime.from(edited, TimeUnit.NANOSECONDS));
        assertEquals(edited, p.stat("/site/page.html").mtimeNanos(), "an edit on the host, same size");
        long set = 1_650_000_000_000_000_007L;
        h.vfs.utimensat(p.l, Fcntl.AT_FDCWD, "/page", new Timespec[] {Timespec.OMIT, Timespec.ofNanos(set)}, 0);
        assertEquals(set, p.stat("/page").mtimeNanos(), "a time set inside the kernel wins");
    }

    @Test
    void key(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Etfs etfs = k.service(Etfs.class);
        Harness.P p = h.root();
        Path host = Files.createFile(tmp.resolve("hostfile"));
        etfs.register("/key", host.toString(), EtfsType.REG);
        assertEquals(Errno.EINVAL, errno(() -> etfs.register("key", host.toString(), EtfsType.REG)));
        assertEquals(Errno.EEXIST, errno(() -> etfs.register("/key", host.toString(), EtfsType.REG)));
        assertEquals(Errno.EEXIST, errno(() -> etfs.register("//key", host.toString(), EtfsType.REG)));
        p.close(p.open("/key", O_RDONLY));
        p.close(p.open("////////key", O_RDONLY));
        etfs.register("////key//with/slashes", host.toString(), EtfsType.REG);
        p.close(p.open("/key//with/slashes", O_RDONLY));
        p.close(p.open("key//with/slashes", O_RDONLY));
        assertEquals(Errno.ENOENT, errno(() -> p.open("/key/with/slashes", O_RDONLY)));
        p.mkdir("/a", 0777);
        assertEquals(Errno.ENOENT, errno(() -> p.open("/a/key//with/slashes", O_RDONLY)));
        assertEquals(Errno.ENOENT, errno(() -> etfs.remove("/nokey")));
        assertEquals(Errno.ENOENT, errno(() -> etfs.register("/k2", tmp.resolve("missing").toString(), EtfsType.REG)));
        assertEquals(Errno.EISDIR, errno(() -> etfs.register("/k2", tmp.toString(), EtfsType.BLK)));
        assertEquals(Errno.ENOTDIR, errno(() -> etfs.register("/k2", host.toString(), EtfsType.DIR)));
        int fd = p.open("/key", O_RDONLY);
        assertEquals(Errno.EBUSY, errno(() -> etfs.remove("/key")));
        p.close(fd);
        etfs.remove("/key");
        assertEquals(List.of("/key//with/slashes"), etfs.keys());
    }

    @Test
    void chr_is_the_raw_disk(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Etfs etfs = k.service(Etfs.class);
        Harness.P p = h.root();
        Path disk = Files.write(tmp.resolve("raw.img"), filled(4096, 9));
        etfs.register("/rdk", disk.toString(), EtfsType.CHR);
        assertEquals(StatMode.S_IFCHR, p.stat("/rdk").type());
        int fd = p.open("/rdk", O_RDWR);
        assertArrayEquals(filled(1024, 9), p.pread(fd, 1024, 512));
        assertEquals(Errno.EINVAL, errno(() -> p.pread(fd, 100, 0)));
        assertEquals(Errno.EINVAL, errno(() -> p.pread(fd, 512, 3)));
        assertEquals(512, p.pwrite(fd, filled(512, 4), 1024));
        p.close(fd);
        byte[] host = Files.readAllBytes(disk);
        assertEquals(4, host[1024]);
        assertEquals(9, host[1023]);
    }

    @Test
    void dir_shows_files_and_dirsub_the_tree(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Etfs etfs = k.service(Etfs.class);
        Harness.P p = h.root();
        Path site = Files.createDirectories(tmp.resolve("site"));
        Files.writeString(site.resolve("index.html"), "<h1>hi</h1>");
        Files.createDirectories(site.resolve("sub/deeper"));
        Files.writeString(site.resolve("sub/deeper/blob"), "deep");
        etfs.register("/www", site.toString(), EtfsType.DIR);
        etfs.register("/all", site.toString(), EtfsType.DIRSUB);
        assertEquals("<h1>hi</h1>", p.readFile("/www/index.html"));
        assertEquals(List.of(".", "..", "index.html"), p.list("/www"));
        assertEquals(Errno.ENOENT, errno(() -> p.stat("/www/sub")));
        assertEquals(List.of(".", "..", "index.html", "sub"), p.list("/all"));
        assertEquals("deep", p.readFile("/all/sub/deeper/blob"));
        assertEquals("deep", p.readFile("/all/sub/deeper/../../sub/./deeper/blob"));
        assertTrue(p.list("/").containsAll(List.of("www", "all", "tmp", "dev")));
        p.chdir("/all/sub/deeper");
        assertEquals("/all/sub/deeper", h.vfs.getcwd(p.l));
        p.chdir("/");
        int fd = p.open("/all/sub/new.txt", O_RDWR | O_CREAT, 0644);
        p.write(fd, "made in the kernel");
        p.close(fd);
        assertEquals("made in the kernel", Files.readString(site.resolve("sub/new.txt")));
        fd = p.open("/all/sub/new.txt", O_RDWR | Fcntl.O_TRUNC);
        p.close(fd);
        assertEquals(0, Files.size(site.resolve("sub/new.txt")));
        assertEquals(Errno.EOPNOTSUPP, errno(() -> p.unlink("/all/sub/new.txt")));
        h.vfs.chmod(p.l, "/all/index.html", 0600);
        assertEquals(0600, p.stat("/all/index.html").mode() & 0777);
    }
}
