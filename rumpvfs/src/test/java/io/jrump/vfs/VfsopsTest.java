package io.jrump.vfs;

import io.jrump.kern.vfs.Stat;
import io.jrump.kern.vfs.StatVfs;
import io.jrump.kern.vfs.StatMode;
import io.jrump.kern.vfs.Fcntl;


import static io.jrump.kern.vfs.Fcntl.O_CREAT;
import static io.jrump.kern.vfs.Fcntl.O_RDWR;
import static io.jrump.vfs.Harness.errno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Kernel;
import io.jrump.testkit.RumpKernel;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * NetBSD's {@code tests/fs/vfs/t_vfsops.c} (mount, statvfs, sync, a held file making unmount EBUSY) and
 * the rest of the mount table: forced unmount, mounts below mounts, {@code ..} across mount points,
 * read-only mounts, {@code getvfsstat}.
 */
@RumpKernel(components = "rumpvfs")
class VfsopsTest {
    @Test
    void tmount(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P p = h.root();
        p.mkdir("/mnt", 0755);
        long before = p.stat("/mnt").dev();
        h.vfs.mount(p.l, "rumpfs", "/mnt", 0, null);
        Stat root = p.stat("/mnt");
        assertTrue(before != root.dev(), "the mount point shows the mounted file system");
        assertEquals(List.of(".", ".."), p.list("/mnt"));
        h.vfs.unmount(p.l, "/mnt", 0);
        assertEquals(before, p.stat("/mnt").dev());
        assertEquals(Errno.EINVAL, errno(() -> h.vfs.unmount(p.l, "/mnt", 0)));
        assertEquals(Errno.ENODEV, errno(() -> h.vfs.mount(p.l, "nosuchfs", "/mnt", 0, null)));
        p.writeFile("/file", "x");
        assertEquals(Errno.ENOTDIR, errno(() -> h.vfs.mount(p.l, "rumpfs", "/file", 0, null)));
        assertEquals(Errno.ENOENT, errno(() -> h.vfs.mount(p.l, "rumpfs", "/nowhere", 0, null)));
        assertEquals(Errno.EINVAL, errno(() -> h.vfs.mount(p.l, "rumpfs", "/mnt", 0, "bogus=1")));
        assertEquals(Errno.EBUSY, errno(() -> h.vfs.unmount(p.l, "/", 0)));
    }

    @Test
    void tstatvfs(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P p = h.root();
        p.mkdir("/mnt", 0755);
        h.vfs.mount(p.l, "rumpfs", "/mnt", 0, "size=1m");
        StatVfs s0 = h.vfs.statvfs(p.l, "/mnt");
        assertEquals("rumpfs", s0.fstypename());
        assertEquals("/mnt", s0.mntonname());
        assertEquals(PathConf.NAME_MAX, s0.namemax());
        assertEquals(1 << 20, s0.blocks() * s0.frsize(), "a size= mount is that big");
        int fd = p.open("/mnt/f", O_RDWR | O_CREAT, 0644);
        h.vfs.write(p.l, fd, ByteBuffer.allocate(100_000));
        StatVfs s1 = h.vfs.fstatvfs(p.l, fd);
        assertEquals(s0.blocks(), s1.blocks());
        assertTrue(s0.bfree() - s1.bfree() >= 100_000 / s1.frsize(), "writing took blocks");
        assertEquals(s1.ffree() + 2, s1.files(), "root and one file in use, the rest free");
        h.vfs.close(p.l, fd);
        p.unlink("/mnt/f");
        assertEquals(s0.bfree(), h.vfs.statvfs(p.l, "/mnt").bfree(), "unlink gave the blocks back");
        List<StatVfs> all = h.vfs.getvfsstat(p.l, MountFlags.ST_WAIT);
        assertEquals(2, all.size());
        assertEquals("/", all.get(0).mntonname());
        assertEquals("/mnt", all.get(1).mntonname());
        StatVfs root = all.get(0);
        assertEquals(root.blocks(), root.bfree() + (root.blocks() - root.bfree()));
        assertTrue(root.bfree() <= root.blocks());
    }

    @Test
    void tsync(Kernel k) throws Exception {
        Harness h = new Harness(k);
        h.vfs.sync(h.root().l);
    }

    @Test
    void tfilehold(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P p = h.root();
        p.mkdir("/mnt", 0755);
        h.vfs.mount(p.l, "rumpfs", "/mnt", 0, null);
        int fd = p.open("/mnt/file", O_RDWR | O_CREAT, 0644);
        assertEquals(Errno.EBUSY, errno(() -> h.vfs.unmount(p.l, "/mnt", 0)));
        p.close(fd);
        p.chdir("/mnt");
        assertEquals(Errno.EBUSY, errno(() -> h.vfs.unmount(p.l, "/mnt", 0)));
        p.chdir("/");
        h.vfs.unmount(p.l, "/mnt", 0);
        assertEquals(Errno.ENOENT, errno(() -> p.stat("/mnt/file")));
    }

    @Test
    void forced_unmount_takes_files_away(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P p = h.root();
        p.mkdir("/mnt", 0755);
        h.vfs.mount(p.l, "rumpfs", "/mnt", 0, null);
        p.writeFile("/mnt/f", "data");
        int fd = p.open("/mnt/f", O_RDWR);
        Harness.P q = h.user(1000, 1000);
        q.chdir("/mnt");
        h.vfs.unmount(p.l, "/mnt", MountFlags.MNT_FORCE);
        assertEquals(Errno.EBADF, errno(() -> p.read(fd, 4)));
        assertEquals(Errno.EBADF, errno(() -> h.vfs.fstat(p.l, fd)));
        assertEquals(Errno.ENOENT, errno(() -> q.stat("f")));
        p.close(fd);
        assertEquals(List.of(".", ".."), p.list("/mnt"));
    }

    @Test
    void mounts_below_mounts_and_dotdot_across(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P p = h.root();
        p.mkdir("/a", 0755);
        h.vfs.mount(p.l, "rumpfs", "/a", 0, null);
        p.mkdir("/a/b", 0755);
        h.vfs.mount(p.l, "rumpfs", "/a/b", 0, null);
        p.mkdir("/a/b/c", 0755);
        p.chdir("/a/b/c");
        assertEquals("/a/b/c", h.vfs.getcwd(p.l));
        assertEquals(p.stat("/a").ino(), p.stat("../..").ino());
        assertEquals(p.stat("/a").dev(), p.stat("../..").dev());
        assertEquals(p.stat("/").ino(), p.stat("../../..").ino());
        assertEquals(p.stat("/").ino(), p.stat("../../../../../..").ino());
        p.chdir("/");
        assertEquals(Errno.EBUSY, errno(() -> h.vfs.unmount(p.l, "/a", 0)));
        assertEquals(Errno.EBUSY, errno(() -> h.vfs.unmount(p.l, "/a", MountFlags.MNT_FORCE)));
        // a mount on a mount's root stacks on it, and comes off first
        h.vfs.mount(p.l, "rumpfs", "/a/b", 0, null);
        assertEquals(Errno.ENOENT, errno(() -> p.stat("/a/b/c")));
        assertEquals(p.stat("/a").ino(), p.stat("/a/b/..").ino());
        h.vfs.unmount(p.l, "/a/b", 0);
        p.stat("/a/b/c");
        assertEquals(Errno.EBUSY, errno(() -> p.rmdir("/a/b")));
        assertEquals(Errno.EBUSY, errno(() -> p.rename("/a/b", "/a/x")));
        assertEquals(Errno.EXDEV, errno(() -> p.rename("/a/b/c", "/a/c")));
        p.writeFile("/a/b/f", "x");
        assertEquals(Errno.EXDEV, errno(() -> p.link("/a/b/f", "/a/g")));
        h.vfs.unmount(p.l, "/a/b", 0);
        h.vfs.unmount(p.l, "/a", 0);
    }

    @Test
    void read_only_mount(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P p = h.root();
        p.mkdir("/mnt", 0755);
        h.vfs.mount(p.l, "rumpfs", "/mnt", 0, null);
        p.writeFile("/mnt/f", "x");
        h.vfs.mount(p.l, "rumpfs", "/mnt", MountFlags.MNT_UPDATE | MountFlags.MNT_RDONLY, null);
        assertTrue((h.vfs.statvfs(p.l, "/mnt").flag() & MountFlags.MNT_RDONLY) != 0);
        assertEquals(Errno.EROFS, errno(() -> p.open("/mnt/g", O_RDWR | O_CREAT, 0644)));
        assertEquals(Errno.EROFS, errno(() -> p.open("/mnt/f", O_RDWR)));
        assertEquals(Errno.EROFS, errno(() -> p.unlink("/mnt/f")));
        assertEquals(Errno.EROFS, errno(() -> h.vfs.chmod(p.l, "/mnt/f", 0600)));
        assertEquals("x", p.readFile("/mnt/f"));
        h.vfs.mount(p.l, "rumpfs", "/mnt", MountFlags.MNT_UPDATE, null);
        p.unlink("/mnt/f");
        assertFalse((h.vfs.statvfs(p.l, "/mnt").flag() & MountFlags.MNT_RDONLY) != 0);
    }

    @Test
    void boot_makes_dev_and_tmp(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P p = h.root();
        assertEquals(StatMode.S_IFDIR | 01777, p.stat("/tmp").mode());
        Stat nul = p.stat("/dev/null");
        assertEquals(StatMode.S_IFCHR | 0666, nul.mode());
        assertEquals(DevSw.makedev(DevSw.MEM_MAJOR, DevSw.NULL_MINOR), nul.rdev());
        int n = p.open("/dev/null", O_RDWR);
        assertEquals(5, p.write(n, "hello"));
        assertEquals(0, p.read(n, 10).length);
        p.close(n);
        int z = p.open("/dev/zero", Fcntl.O_RDONLY);
        byte[] zs = p.read(z, 20000);
        assertEquals(20000, zs.length);
        for (byte b : zs) {
            assertEquals(0, b);
        }
        p.close(z);
        assertEquals(List.of(".", "..", "null", "zero"), p.list("/dev"));
        assertEquals("65536", k.sysctl().read("kern.maxvnodes"));
    }
}
