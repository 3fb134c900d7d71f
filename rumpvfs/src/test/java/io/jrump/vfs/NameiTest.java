package io.jrump.vfs;

import io.jrump.kern.vfs.StatMode;
import io.jrump.kern.vfs.Fcntl;


import static io.jrump.kern.vfs.Fcntl.O_CREAT;
import static io.jrump.kern.vfs.Fcntl.O_DIRECTORY;
import static io.jrump.kern.vfs.Fcntl.O_EXCL;
import static io.jrump.kern.vfs.Fcntl.O_NOFOLLOW;
import static io.jrump.kern.vfs.Fcntl.O_RDONLY;
import static io.jrump.kern.vfs.Fcntl.O_RDWR;
import static io.jrump.vfs.Harness.errno;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Kernel;
import io.jrump.testkit.RumpKernel;
import org.junit.jupiter.api.Test;

/** Path lookup: symbolic links, trailing slashes, length limits, {@code *at} calls, chroot and getcwd. */
@RumpKernel(components = "rumpvfs")
class NameiTest {
    @Test
    void symlinks_followed_and_looping(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P p = h.root();
        p.mkdir("/d", 0755);
        p.writeFile("/d/f", "data");
        p.symlink("f", "/d/rel");
        p.symlink("/d/f", "/d/abs");
        p.symlink("../d", "/d/up");
        p.symlink("rel", "/d/chain");
        assertEquals("data", p.readFile("/d/rel"));
        assertEquals("data", p.readFile("/d/abs"));
        assertEquals("data", p.readFile("/d/up/up/up/chain"));
        p.symlink("loop2", "/d/loop1");
        p.symlink("loop1", "/d/loop2");
        assertEquals(Errno.ELOOP, errno(() -> p.stat("/d/loop1")));
        assertEquals(StatMode.S_IFLNK, p.lstat("/d/loop1").type());
        p.symlink("nothing", "/d/dangling");
        assertEquals(Errno.ENOENT, errno(() -> p.stat("/d/dangling")));
        // O_CREAT follows a dangling link and makes its target; O_EXCL and O_NOFOLLOW do not
        assertEquals(Errno.EEXIST, errno(() -> p.open("/d/dangling", O_RDWR | O_CREAT | O_EXCL, 0644)));
        p.close(p.open("/d/dangling", O_RDWR | O_CREAT, 0644));
        p.stat("/d/nothing");
        assertEquals(Errno.EFTYPE, errno(() -> p.open("/d/rel", O_RDONLY | O_NOFOLLOW)));
        assertEquals(Errno.ENOTDIR, errno(() -> p.open("/d/f", O_RDONLY | O_DIRECTORY)));
        // 32 links in a row resolve, 33 do not
        for (int i = 0; i < 33; i++) {
            p.symlink(i == 0 ? "f" : "s" + (i - 1), "/d/s" + i);
        }
        assertEquals("data", p.readFile("/d/s31"));
        assertEquals(Errno.ELOOP, errno(() -> p.stat("/d/s32")));
    }

    @Test
    void trailing_slashes(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P p = h.root();
        p.writeFile("/f", "x");
        p.mkdir("/d", 0755);
        p.symlink("d", "/ld");
        p.symlink("f", "/lf");
        assertEquals(Errno.ENOTDIR, errno(() -> p.stat("/f/")));
        assertEquals(Errno.ENOTDIR, errno(() -> p.stat("/lf/")));
        assertEquals(StatMode.S_IFDIR, p.lstat("/ld/").type(), "a trailing slash follows the link");
        assertEquals(StatMode.S_IFLNK, p.lstat("/ld").type());
        assertEquals(Errno.ENOTDIR, errno(() -> p.unlink("/f/")));
        assertEquals(Errno.EISDIR, errno(() -> p.open("/new/", O_RDWR | O_CREAT, 0644)));
        assertEquals(Errno.ENOENT, errno(() -> p.symlink("x", "/sl/")));
        p.mkdir("/e//", 0755);
        p.rmdir("/e/");
        assertEquals(Errno.ENOTDIR, errno(() -> p.stat("/f/.")));
        assertEquals(Errno.ENOTDIR, errno(() -> p.stat("/f/..")));
    }

    @Test
    void length_limits_and_bad_paths(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P p = h.root();
        String c255 = "n".repeat(255);
        p.mkdir("/" + c255, 0755);
        assertEquals(Errno.ENAMETOOLONG, errno(() -> p.stat("/" + "n".repeat(256))));
        // 255 bytes of UTF-8 is 127 two-byte characters, not 255 characters
        assertEquals(Errno.ENAMETOOLONG, errno(() -> p.stat("/" + "é".repeat(128))));
        p.mkdir("/" + "é".repeat(127), 0755);
        StringBuilder deep = new StringBuilder();
        while (deep.length() + 256 < PathConf.PATH_MAX) {
            deep.append('/').append(c255);
        }
        String fits = deep + "/" + "x".repeat(PathConf.PATH_MAX - 2 - deep.length());
        assertEquals(PathConf.PATH_MAX - 1, fits.length());
        assertEquals(Errno.ENOENT, errno(() -> p.stat(fits)));
        assertEquals(Errno.ENAMETOOLONG, errno(() -> p.stat(fits + "y")));
        assertEquals(Errno.ENOENT, errno(() -> p.stat("")));
        assertEquals(Errno.EINVAL, errno(() -> p.stat("/tmp\0/../etc")));
        assertEquals(Errno.EFAULT, errno(() -> p.stat(null)));
        // a link whose target makes the path too long
        p.symlink("/" + "z".repeat(1000), "/long");
        assertEquals(Errno.ENAMETOOLONG, errno(() -> p.stat("/long/" + "q".repeat(100))));
    }

    @Test
    void at_calls_start_at_a_directory(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P p = h.root();
        p.mkdir("/d", 0755);
        p.writeFile("/d/f", "x");
        int dfd = p.open("/d", O_RDONLY | O_DIRECTORY);
        int ffd = p.open("/d/f", O_RDONLY);
        assertEquals(p.stat("/d/f").ino(), h.vfs.fstatat(p.l, dfd, "f", 0).ino());
        int fd = h.vfs.openat(p.l, dfd, "g", O_RDWR | O_CREAT, 0600);
        p.close(fd);
        h.vfs.mkdirat(p.l, dfd, "sub", 0755);
        h.vfs.symlinkat(p.l, "g", dfd, "lg");
        assertEquals("g", h.vfs.readlinkat(p.l, dfd, "lg"));
        h.vfs.linkat(p.l, dfd, "g", dfd, "sub/g2", 0);
        h.vfs.renameat(p.l, dfd, "sub/g2", Fcntl.AT_FDCWD, "/g3");
        h.vfs.unlinkat(p.l, dfd, "sub", Fcntl.AT_REMOVEDIR);
        h.vfs.unlinkat(p.l, Fcntl.AT_FDCWD, "/g3", 0);
        assertEquals(StatMode.S_IFLNK, h.vfs.fstatat(p.l, dfd, "lg", Fcntl.AT_SYMLINK_NOFOLLOW).type());
        assertEquals(Errno.ENOTDIR, errno(() -> h.vfs.fstatat(p.l, ffd, "x", 0)));
        assertEquals(Errno.EBADF, errno(() -> h.vfs.fstatat(p.l, 77, "x", 0)));
        h.vfs.fstatat(p.l, 77, "/d/f", 0);
        h.vfs.fchdir(p.l, dfd);
        assertEquals("/d", h.vfs.getcwd(p.l));
        p.close(dfd);
        p.close(ffd);
    }

    @Test
    void chroot_keeps_dotdot_inside(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P p = h.root();
        p.mkdir("/jail", 0755);
        p.mkdir("/jail/in", 0755);
        p.writeFile("/secret", "outside");
        p.writeFile("/jail/in/f", "inside");
        Harness.P c = p.fork();
        h.vfs.chroot(c.l, "/jail");
        assertEquals("/", h.vfs.getcwd(c.l), "the current directory moved into the new root");
        assertEquals(Errno.ENOENT, errno(() -> c.stat("/secret")));
        assertEquals(Errno.ENOENT, errno(() -> c.stat("../../../secret")));
        assertEquals(c.stat("/").ino(), c.stat("/in/../../..").ino());
        c.symlink("/in/f", "/in/abs");
        assertEquals("inside", c.readFile("/in/abs"));
        c.symlink("../../../../secret", "/in/up");
        assertEquals(Errno.ENOENT, errno(() -> c.stat("/in/up")));
        c.chdir("/in");
        assertEquals("/in", h.vfs.getcwd(c.l));
        Harness.P g = c.fork();
        assertEquals("/in", h.vfs.getcwd(g.l), "a child keeps its parent's root and directory");
        assertEquals(Errno.ENOENT, errno(() -> g.stat("/secret")));
        g.exit();
        c.exit();
        assertEquals("outside", p.readFile("/secret"));
    }

    @Test
    void getcwd_and_removed_directories(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P p = h.root();
        p.mkdir("/a", 0755);
        p.mkdir("/a/b", 0755);
        p.chdir("/a/b");
        assertEquals("/a/b", h.vfs.getcwd(p.l));
        p.rename("/a/b", "/a/c");
        assertEquals("/a/c", h.vfs.getcwd(p.l));
        p.rmdir("/a/c");
        assertEquals(Errno.ENOENT, errno(() -> h.vfs.getcwd(p.l)));
        assertEquals(Errno.ENOENT, errno(() -> p.writeFile("x", "y")));
        p.chdir("/");
        assertEquals(Errno.ENOTDIR, errno(() -> p.chdir("/dev/null")));
        assertEquals(022, h.vfs.umask(p.l, 077));
        p.writeFile("/m", "x");
        assertEquals(0600, p.stat("/m").mode() & 0777);
    }
}
