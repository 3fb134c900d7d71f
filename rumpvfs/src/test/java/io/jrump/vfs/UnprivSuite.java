package io.jrump.vfs;

import io.jrump.kern.vfs.Timespec;
import io.jrump.kern.vfs.StatMode;
import io.jrump.kern.vfs.Fcntl;


import static io.jrump.kern.vfs.Fcntl.O_CREAT;
import static io.jrump.kern.vfs.Fcntl.O_RDONLY;
import static io.jrump.kern.vfs.Fcntl.O_RDWR;
import static io.jrump.kern.vfs.Fcntl.O_WRONLY;
import static io.jrump.vfs.Harness.errno;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Kernel;
import org.junit.jupiter.api.Test;

/**
 * NetBSD's {@code tests/fs/vfs/t_unpriv.c} and the cases: a process with uid 1000 against files
 * root made, and the owner and sticky rules between two unprivileged users.
 */
abstract class UnprivSuite {
    abstract MountFactory fs();

    private Harness h;
    private Harness.P root;
    private Harness.P user;
    private String mp;

    private void setUp(Kernel k) throws Exception {
        h = new Harness(k);
        mp = fs().prepare(h);
        h.vfs.chmod(h.root().l, mp, 0755);
        root = h.root();
        user = h.user(1000, 1000);
    }

    @Test
    void cannot_read_a_root_file_of_mode_0600(Kernel k) throws Exception {
        setUp(k);
        root.writeFile(mp + "/secret", "secret\n");
        h.vfs.chmod(root.l, mp + "/secret", 0600);
        assertEquals(Errno.EACCES, errno(() -> user.open(mp + "/secret", O_RDONLY)));
        assertEquals(Errno.EACCES, errno(() -> user.open(mp + "/secret", O_WRONLY)));
        assertEquals(Errno.EACCES, errno(() -> h.vfs.access(user.l, mp + "/secret", Fcntl.R_OK)));
        // stat needs only search permission on the directory
        assertEquals(0600, user.stat(mp + "/secret").mode() & 0777);
        h.vfs.chmod(root.l, mp + "/secret", 0644);
        assertEquals("secret\n", user.readFile(mp + "/secret"));
    }

    @Test
    void cannot_create_in_a_0755_root_directory(Kernel k) throws Exception {
        setUp(k);
        root.mkdir(mp + "/dir", 0755);
        assertEquals(Errno.EACCES, errno(() -> user.open(mp + "/dir/file", O_RDWR | O_CREAT, 0644)));
        assertEquals(Errno.EACCES, errno(() -> user.mkdir(mp + "/dir/sub", 0755)));
        assertEquals(Errno.EACCES, errno(() -> user.symlink("x", mp + "/dir/l")));
        root.writeFile(mp + "/dir/f", "x");
        assertEquals(Errno.EACCES, errno(() -> user.unlink(mp + "/dir/f")));
        assertEquals(Errno.EACCES, errno(() -> user.rename(mp + "/dir/f", mp + "/dir/g")));
        h.vfs.chmod(root.l, mp + "/dir", 0777);
        user.close(user.open(mp + "/dir/file", O_RDWR | O_CREAT, 0644));
        assertEquals(1000, user.stat(mp + "/dir/file").uid());
    }

    @Test
    void cannot_chown(Kernel k) throws Exception {
        setUp(k);
        root.writeFile(mp + "/rootfile", "x");
        assertEquals(Errno.EPERM, errno(() -> h.vfs.chown(user.l, mp + "/rootfile", 1000, 1000)));
        assertEquals(Errno.EPERM, errno(() -> h.vfs.chmod(user.l, mp + "/rootfile", 0777)));
        h.vfs.chmod(root.l, mp, 0777);
        user.writeFile(mp + "/mine", "x");
        assertEquals(Errno.EPERM, errno(() -> h.vfs.chown(user.l, mp + "/mine", 0, -1)));
        assertEquals(0, user.stat(mp + "/mine").gid(), "a new file takes its directory's group");
        assertEquals(Errno.EPERM, errno(() -> h.vfs.chown(user.l, mp + "/mine", -1, 7)));
        h.vfs.chown(user.l, mp + "/mine", 1000, 1000);
        h.vfs.chmod(user.l, mp + "/mine", 0600);
        assertEquals(Errno.EFTYPE, errno(() -> h.vfs.chmod(user.l, mp + "/mine", 01600)));
        h.vfs.chown(root.l, mp + "/mine", 5, 5);
        assertEquals(5, user.stat(mp + "/mine").uid());
    }

    @Test
    void search_permission_on_every_directory(Kernel k) throws Exception {
        setUp(k);
        root.mkdir(mp + "/a", 0755);
        root.mkdir(mp + "/a/b", 0700);
        root.mkdir(mp + "/a/b/c", 0755);
        root.writeFile(mp + "/a/b/c/f", "x");
        assertEquals(Errno.EACCES, errno(() -> user.stat(mp + "/a/b/c/f")));
        assertEquals(Errno.EACCES, errno(() -> user.chdir(mp + "/a/b")));
        root.chdir(mp + "/a/b/c");
        h.vfs.chmod(root.l, mp + "/a/b", 0711);
        assertEquals("x", user.readFile(mp + "/a/b/c/f"));
        assertEquals(Errno.EACCES, errno(() -> user.list(mp + "/a/b")));
    }

    @Test
    void times(Kernel k) throws Exception {
        setUp(k);
        root.writeFile(mp + "/f", "x");
        h.vfs.chmod(root.l, mp + "/f", 0666);
        Timespec[] explicit = {new Timespec(5, 0), new Timespec(6, 0)};
        assertEquals(Errno.EPERM, errno(() -> h.vfs.utimensat(user.l, Fcntl.AT_FDCWD, mp + "/f", explicit, 0)));
        h.vfs.utimensat(user.l, Fcntl.AT_FDCWD, mp + "/f", null, 0);
        h.vfs.chmod(root.l, mp + "/f", 0644);
        assertEquals(Errno.EACCES, errno(() -> h.vfs.utimensat(user.l, Fcntl.AT_FDCWD, mp + "/f", null, 0)));
    }

    @Test
    void sticky_directory(Kernel k) throws Exception {
        setUp(k);
        Harness.P other = h.user(1001, 1001);
        root.mkdir(mp + "/tmp", 0777);
        h.vfs.chmod(root.l, mp + "/tmp", 01777);
        user.writeFile(mp + "/tmp/u", "x");
        assertEquals(Errno.EPERM, errno(() -> other.unlink(mp + "/tmp/u")));
        assertEquals(Errno.EPERM, errno(() -> other.rename(mp + "/tmp/u", mp + "/tmp/v")));
        other.writeFile(mp + "/tmp/o", "y");
        assertEquals(Errno.EPERM, errno(() -> user.rename(mp + "/tmp/u", mp + "/tmp/o")));
        user.unlink(mp + "/tmp/u");
        root.unlink(mp + "/tmp/o");
    }

    @Test
    void root_only_calls(Kernel k) throws Exception {
        setUp(k);
        assertEquals(Errno.EPERM, errno(() -> h.vfs.mount(user.l, "rumpfs", mp, 0, null)));
        assertEquals(Errno.EPERM, errno(() -> h.vfs.chroot(user.l, mp)));
        h.vfs.chmod(root.l, mp, 0777);
        assertEquals(Errno.EPERM, errno(() -> user.mknod(mp + "/dev", StatMode.S_IFCHR | 0666, 0)));
        user.mknod(mp + "/fifo", StatMode.S_IFIFO | 0666, 0);
        assertEquals(Errno.ENXIO, errno(() -> user.open(mp + "/fifo", O_RDONLY)));
    }
}
